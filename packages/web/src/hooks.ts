import type { Language, LocalizedText } from '@mydata/core';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** The current language and a picker for catalogue texts, which come in both languages. */
export function useLanguage(): { lang: Language; pick: (text: LocalizedText) => string } {
  const { i18n } = useTranslation();
  const lang: Language = i18n.language === 'en' ? 'en' : 'zh-TW';
  return { lang, pick: (text) => text[lang] };
}

/** Names the browser tab after the page, so a screen reader announces where a person landed. */
export function useTitle(title: string | undefined): void {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = title ? `${title} | ${t('app.name')}` : t('app.name');
  }, [title, t]);
}
