import { type Static, Type } from 'typebox';

/** The languages every user-facing text is written in; zh-TW comes first and is the default. */
export const LANGUAGES = ['zh-TW', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LocalizedText = Type.Object(
  {
    'zh-TW': Type.String({ minLength: 1, maxLength: 2000 }),
    en: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false, description: 'Text in Traditional Chinese (zh-TW) and English' },
);
export type LocalizedText = Static<typeof LocalizedText>;

/** Picks the language a client prefers from an Accept-Language header; zh-TW unless English ranks higher. */
export function negotiateLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'zh-TW';
  let best: { lang: Language; q: number } | undefined;
  for (const part of acceptLanguage.split(',')) {
    const [tag = '', ...params] = part.trim().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const lower = tag.toLowerCase();
    const lang: Language | undefined = lower.startsWith('zh')
      ? 'zh-TW'
      : lower.startsWith('en')
        ? 'en'
        : undefined;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'zh-TW';
}
