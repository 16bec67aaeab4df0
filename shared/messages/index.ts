import { en, type Messages } from './en';
import { zhTW } from './zh-tw';

export type { Messages } from './en';

/** The languages replies are written in. */
export type Language = 'en' | 'zh-TW';

const catalogues: Record<Language, Messages> = { en, 'zh-TW': zhTW };

/** zh-TW, zh-tw and zh-Hant* are answered in Traditional Chinese; everything else in English. */
export function resolveLanguage(languageCode: unknown): Language {
  if (typeof languageCode !== 'string') return 'en';
  const code = languageCode.trim().toLowerCase().replace(/_/g, '-');
  if (code === 'zh-tw' || code.startsWith('zh-tw-') || code.startsWith('zh-hant')) return 'zh-TW';
  return 'en';
}

/** The catalogue for a language. */
export function messagesFor(language: Language): Messages {
  return catalogues[language];
}
