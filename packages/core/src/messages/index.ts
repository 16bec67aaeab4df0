import { en, type Messages } from './en';
import { ja } from './ja';
import { zhTW } from './zh-tw';

export type { Messages } from './en';

/**
 * The languages replies are written in: each a catalogue typed by the English one, and the
 * BCP-47 primary language subtags it answers. Adding a language is one catalogue file plus
 * one line here.
 */
const LANGUAGES = {
  en: { catalogue: en, primary: ['en'] },
  'zh-TW': { catalogue: zhTW, primary: ['zh'] },
  ja: { catalogue: ja, primary: ['ja'] },
} as const satisfies Record<string, { catalogue: Messages; primary: readonly string[] }>;

/** A language replies are written in (`en`, `zh-TW`, `ja`). */
export type Language = keyof typeof LANGUAGES;

/** Every language with a catalogue, English first. */
export const languages = Object.keys(LANGUAGES) as Language[];

const DEFAULT_LANGUAGE: Language = 'en';

const byPrimary = new Map<string, Language>(
  languages.flatMap((l) => LANGUAGES[l].primary.map((p) => [p, l] as const)),
);

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(LANGUAGES, value);
}

/**
 * The reply language for a BCP-47 tag, by its primary language subtag: `en-*` English; `zh`,
 * `zh-TW`, `zh-Hant`, `zh-HK`, `zh-MO` and every other Chinese tag Traditional Chinese; `ja*`
 * Japanese; anything else (or no tag) English. Case and `_` separators do not matter.
 */
export function resolveLanguage(languageCode: unknown): Language {
  if (typeof languageCode !== 'string') return DEFAULT_LANGUAGE;
  const primary = languageCode.trim().toLowerCase().replace(/_/g, '-').split('-')[0] ?? '';
  return byPrimary.get(primary) ?? DEFAULT_LANGUAGE;
}

/** The catalogue for a language (English for a value that is not one, e.g. from old data). */
export function messagesFor(language: Language): Messages {
  return isLanguage(language)
    ? LANGUAGES[language].catalogue
    : LANGUAGES[DEFAULT_LANGUAGE].catalogue;
}
