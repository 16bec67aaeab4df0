import type { IntentHandler } from '../../shared/conversation';
import type { FirestoreFactory } from '../../shared/firestore';
import type { WeatherService } from '../backends/weather';
import { fallback } from './fallback';
import { checkInventory } from './inventory';
import { checkOrder, validateOrderId } from './orders';
import { getWeather } from './weather';
import { makeReservation, taskStatus } from './reservations';
import { welcome } from './welcome';

export { fallback } from './fallback';

/** What the demo intents read from. */
export interface DemoBackends {
  db: FirestoreFactory;
  weather: WeatherService;
}

/**
 * The demo agent: ES intent display names (= CX tags) to handlers. Add your own here:
 * `intents.set('my_intent', myHandler)`.
 */
export function createDemoIntents(backends: DemoBackends): Map<string, IntentHandler> {
  const intents = new Map<string, IntentHandler>();
  intents.set('Default Welcome Intent', welcome);
  intents.set('welcome', welcome);
  intents.set('Default Fallback Intent', fallback);
  intents.set('fallback', fallback);
  intents.set('check_order', checkOrder(backends.db));
  intents.set('check_inventory', checkInventory(backends.db));
  intents.set('get_weather', getWeather(backends.weather));
  intents.set('validate_order_id', validateOrderId);
  intents.set('make_reservation', makeReservation);
  intents.set('task_status', taskStatus(backends.db));
  return intents;
}
