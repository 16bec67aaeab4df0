import { resolveLanguage, type Language } from '../messages';

/** What the chat says when Dialogflow fails or does not answer in time. */
const UNAVAILABLE: Record<Language, string> = {
  en: "Sorry, I can't answer right now. Please try again in a moment.",
  'zh-TW': '抱歉，我現在無法回覆，請稍後再試一次。',
  ja: '申し訳ありません、ただいまお答えできません。少し時間をおいてもう一度お試しください。',
};

/** The polite answer in the request's language (en, zh-TW, ja; English otherwise). */
export function unavailableText(languageCode: string | undefined): string {
  return UNAVAILABLE[resolveLanguage(languageCode)];
}
