import type { Language } from '@mydata/core';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { zhTW } from './zh-TW.ts';

export const STORAGE_KEY = 'mydata.language';
const SUPPORTED: readonly Language[] = ['zh-TW', 'en'];

/** zh-TW unless the person chose English before: the platform serves Taiwan first. */
function savedLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return SUPPORTED.find((l) => l === saved) ?? 'zh-TW';
  } catch {
    // Storage can be blocked (private modes, strict settings); the default still works.
    return 'zh-TW';
  }
}

export function currentLanguage(): Language {
  return i18next.language === 'en' ? 'en' : 'zh-TW';
}

/** Switches language, remembers the choice and keeps `<html lang>` right for screen readers. */
export async function setLanguage(lang: Language): Promise<void> {
  await i18next.changeLanguage(lang);
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered across visits, but the switch still applies now.
  }
}

export async function initI18n(): Promise<void> {
  i18next.on('languageChanged', (lang) => {
    document.documentElement.lang = lang;
  });
  await i18next.use(initReactI18next).init({
    resources: { 'zh-TW': { translation: zhTW }, en: { translation: en } },
    lng: savedLanguage(),
    fallbackLng: 'zh-TW',
    supportedLngs: [...SUPPORTED],
    load: 'currentOnly',
    // React escapes what it renders; escaping here too would show entities to people.
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = i18next.language;
}
