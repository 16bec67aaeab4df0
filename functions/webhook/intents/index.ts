import type { IntentHandler } from '../../../shared/conversation';
import { fallback } from './fallback';
import { welcome } from './welcome';

export { fallback } from './fallback';

/**
 * The demo agent: ES intent display names and CX tags to handlers. Add your own here:
 * `intents.set('my_intent', myHandler)`.
 */
export function createDemoIntents(): Map<string, IntentHandler> {
  const intents = new Map<string, IntentHandler>();
  intents.set('Default Welcome Intent', welcome);
  intents.set('welcome', welcome);
  intents.set('Default Fallback Intent', fallback);
  intents.set('fallback', fallback);
  return intents;
}
