import {
  createMessages,
  type BotMessages,
  type Language,
  type Messages,
} from '@dialogflow-functions/core/messages';
import { en, type RestaurantMessages } from './en';
import { ja } from './ja';
import { zhTW } from './zh-tw';

export type { RestaurantMessages } from './en';

/**
 * The restaurant's strings in every language the framework answers in (`defineBot({ messages })`).
 * Each language is typed by the English one, so a key missing in any of them does not compile.
 */
export const restaurantMessages: BotMessages = { en, 'zh-TW': zhTW, ja };

const catalogue = createMessages(restaurantMessages);

/** The whole catalogue of a language (the framework's strings and the restaurant's), as `ctx.t` is. */
export function messagesFor(language: Language): Messages {
  return catalogue(language);
}

declare module '@dialogflow-functions/core' {
  interface Register {
    messages: RestaurantMessages;
  }
}
