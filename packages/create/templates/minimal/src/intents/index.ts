import type { IntentHandler } from '@dialogflow-functions/core/conversation';
import { fallback } from './fallback';
import { orderCoffee } from './order-coffee';
import { welcome } from './welcome';

export { fallback } from './fallback';

/** ES intent display names and CX tags to their handlers. Add yours here. */
export function intents(): Map<string, IntentHandler> {
  return new Map([
    ['Default Welcome Intent', welcome],
    ['welcome', welcome],
    ['Default Fallback Intent', fallback],
    ['fallback', fallback],
    ['order_coffee', orderCoffee],
  ]);
}
