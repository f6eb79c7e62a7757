/**
 * HTML for the demo services: server-rendered pages, zh-TW first with English beside it, built to
 * WCAG 2.2 AA (language of parts, headings in order, a skip link, visible focus, 4.5:1 contrast).
 */
import type { LocalizedText } from '@mydata/core';

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Markup that is already safe HTML, so `html` does not escape it again. */
export class Safe {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

type Part = string | number | boolean | Safe | undefined | null | Part[];

function render(part: Part): string {
  if (part === undefined || part === null || part === false) return '';
  if (Array.isArray(part)) return part.map(render).join('');
  return part instanceof Safe ? part.value : esc(part);
}

/** A tagged template that escapes every interpolated value unless it is `Safe` (or a list of them). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Safe(out);
}

/** zh-TW text followed by its English, each in an element with the right `lang`. */
export function bi(text: LocalizedText, tag: 'span' | 'p' | 'div' = 'span'): Safe {
  return html`<${new Safe(tag)} class="bi"><span lang="zh-Hant-TW">${text['zh-TW']}</span> <span lang="en" class="en">${text.en}</span></${new Safe(tag)}>`;
}

/** A heading with zh-TW and English on separate lines. */
export function heading(level: 1 | 2 | 3, text: LocalizedText, id?: string): Safe {
  const tag = new Safe(`h${level}`);
  return html`<${tag}${id ? new Safe(` id="${esc(id)}"`) : ''}><span lang="zh-Hant-TW">${text['zh-TW']}</span><span lang="en" class="en-line">${text.en}</span></${tag}>`;
}

export const t = (zh: string, en: string): LocalizedText => ({ 'zh-TW': zh, en });

/** The page frame: language, title, skip link, the service's banner, main landmark and footer. */
export function page(options: {
  title: LocalizedText;
  serviceName: LocalizedText;
  provider: LocalizedText;
  accent: string;
  body: Safe;
  nav?: Safe;
}): string {
  return `<!doctype html>${html`<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title['zh-TW']} | ${options.title.en} — ${options.serviceName['zh-TW']}</title>
<style>${new Safe(styles(options.accent))}</style>
</head>
<body>
<a class="skip" href="#main">跳到主要內容 <span lang="en">Skip to main content</span></a>
<header class="banner">
  <div class="wrap">
    <p class="provider">${bi(options.provider)}</p>
    <p class="service-name">${bi(options.serviceName)}</p>
    <p class="demo-note">${bi(t('示範服務：資料均為合成資料', 'Demo service: all data is synthetic'))}</p>
  </div>
</header>
${options.nav ?? ''}
<main id="main" tabindex="-1"><div class="wrap">
${options.body}
</div></main>
<footer><div class="wrap">${bi(
    t(
      '本服務透過 MyData 平臺取得您同意提供的資料；您可在 MyData「我的同意紀錄」查看或撤回。',
      'This service receives, through the MyData platform, only the data you agree to share; see or withdraw your consents under "My consents" on MyData.',
    ),
    'p',
  )}</div></footer>
</body>
</html>`}`;
}

function styles(accent: string): string {
  return `
:root { color-scheme: light; --accent: ${accent}; --text: #1b1b1b; --muted: #4a4a4a; --ok: #1e6b34; --bad: #a3161a; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", system-ui, sans-serif; color: var(--text); background: #fff; line-height: 1.6; font-size: 1.0625rem; }
.wrap { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; color: var(--accent); padding: .5rem 1rem; z-index: 2; }
.skip:focus { left: 1rem; top: 1rem; }
:focus-visible { outline: 3px solid #0a58ca; outline-offset: 2px; }
.banner { background: var(--accent); color: #fff; padding: .75rem 0; }
.banner p { margin: .1rem 0; }
.banner .service-name { font-size: 1.25rem; font-weight: 700; }
.banner .demo-note { font-size: .9rem; }
.banner .en { color: #fff; }
.en, .en-line { color: var(--muted); }
.en-line { display: block; font-size: .7em; font-weight: 600; }
main { padding: 1.5rem 0 2rem; }
main:focus { outline: none; }
h1 { font-size: 1.75rem; line-height: 1.3; margin: .5rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .75rem; border-bottom: 2px solid #d0d0d0; padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 700; padding: .25rem 0; }
th, td { border: 1px solid #b0b0b0; padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.button { display: inline-block; background: var(--accent); color: #fff; border: 2px solid var(--accent); border-radius: .375rem; padding: .7rem 1.4rem; font-size: 1.1rem; font-weight: 700; cursor: pointer; text-decoration: none; }
.button:hover { background: #fff; color: var(--accent); }
.button .en { color: inherit; }
.secondary { display: inline-block; color: var(--accent); font-weight: 700; padding: .5rem 0; }
.card { border: 1px solid #b0b0b0; border-radius: .5rem; padding: 1rem 1.25rem; margin: 1rem 0; }
.verified { color: var(--ok); font-weight: 700; }
.verified .en { color: var(--ok); }
.notice { border-left: 6px solid var(--accent); background: #f5f5f5; padding: .75rem 1rem; margin: 1rem 0; }
.alert { border-left: 6px solid var(--bad); background: #fdf0f0; padding: .75rem 1rem; margin: 1rem 0; }
.tag { display: inline-block; border: 1px solid currentColor; border-radius: .25rem; padding: 0 .4rem; font-size: .85rem; }
.pass { color: var(--ok); } .fail { color: var(--bad); }
dl.data { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dl.data dt { font-weight: 700; } dl.data dd { margin: 0; overflow-wrap: anywhere; }
code { font-size: .9em; overflow-wrap: anywhere; }
footer { border-top: 1px solid #d0d0d0; padding: 1rem 0; font-size: .95rem; color: var(--muted); }
@media (max-width: 40rem) { dl.data { grid-template-columns: 1fr; } }
`;
}
