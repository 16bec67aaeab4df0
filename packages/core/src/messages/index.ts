import type { RegisteredMessages } from '../register';
import { en, type CoreMessages } from './en';
import { ja } from './ja';
import { zhTW } from './zh-tw';

export type { CoreMessages } from './en';

/**
 * The catalogue a turn's `ctx.t` and a job's `explain`/`describe` get: the framework's strings
 * and the bot's own (`Register['messages']`, given to the factories as `defineBot({ messages })`).
 */
export type Messages = CoreMessages & RegisteredMessages;

/**
 * The languages replies are written in: each a catalogue typed by the English one, and the
 * BCP-47 primary language subtags it answers. Adding a language is one catalogue file plus
 * one line here.
 */
const LANGUAGES = {
  en: { catalogue: en, primary: ['en'] },
  'zh-TW': { catalogue: zhTW, primary: ['zh'] },
  ja: { catalogue: ja, primary: ['ja'] },
} as const satisfies Record<string, { catalogue: CoreMessages; primary: readonly string[] }>;

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

/**
 * The framework's catalogue for a language (English for a value that is not one, e.g. from old
 * data). A bot's own strings come from {@link createMessages}.
 */
export function messagesFor(language: Language): CoreMessages {
  return isLanguage(language)
    ? LANGUAGES[language].catalogue
    : LANGUAGES[DEFAULT_LANGUAGE].catalogue;
}

/**
 * A bot's strings, one catalogue per language, each of the type it registers as
 * `Register['messages']`: a language or a key missing does not compile. (A bot that registers
 * none gives any languages it has, untyped.)
 *
 * ```ts
 * declare module '@dialogflow-functions/core' {
 *   interface Register { messages: typeof en }
 * }
 * export default defineBot({ messages: { en, 'zh-TW': zhTW, ja }, … });
 * ```
 */
export type BotMessages = [keyof RegisteredMessages] extends [never]
  ? // A bot that declares no `Register['messages']`: its strings, untyped, in any languages.
    { readonly [L in Language]?: Readonly<Record<string, unknown>> }
  : { readonly [L in Language]: RegisteredMessages };

/** The catalogue of each language: the framework's strings with a bot's merged over them. */
export type MessagesFor = (language: Language) => Messages;

/**
 * The catalogue per language for a bot: its strings (`defineBot({ messages })`) merged over the
 * framework's, built once. Without a bot's strings, only the framework's (what a bot that
 * registers no `messages` reads). A value that is not a language gets English.
 */
export function createMessages(bot?: BotMessages): MessagesFor {
  const merged = new Map<Language, Messages>(
    languages.map((l) => [
      l,
      Object.freeze({ ...LANGUAGES[l].catalogue, ...(bot?.[l] ?? {}) }) as Messages,
    ]),
  );
  const fallback = merged.get(DEFAULT_LANGUAGE)!;
  return (language) => (isLanguage(language) ? merged.get(language)! : fallback);
}

/** What the webhook and worker factories take from a bot: its strings. */
export interface BotMessagesOption {
  /**
   * The bot's strings per language (`defineBot({ messages })`), merged over the framework's. A bot
   * that registers `Register['messages']` passes them: its handlers' `ctx.t` and its jobs'
   * texts read them.
   */
  messages?: BotMessages | undefined;
}
