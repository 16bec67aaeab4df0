import type { IntentHandler } from '@dialogflow-functions/core/conversation';
import type { FirestoreFactory } from '@dialogflow-functions/core/firestore';
import type { JobRegistry, JobsConfig } from '@dialogflow-functions/core/jobs';
import type { WeatherService } from '../backends/weather';
import { firestoreInventory, type Inventory } from '../inventory';
import { fallback } from './fallback';
import { talkToAgent } from './talk-to-agent';
import { checkInventory } from './inventory';
import { checkOrder, validateOrderId } from './orders';
import { getWeather } from './weather';
import { makeReservation } from './reservations';
import { taskStatus } from './task-status';
import { watchOrderIntent } from './watch-order';
import { welcome } from './welcome';

export { fallback } from './fallback';

/** What the demo intents read from. */
export interface DemoBackends {
  db: FirestoreFactory;
  weather: WeatherService;
  /** The job types (for task_status) and the settings their rules read. */
  jobs: JobRegistry;
  jobsConfig: JobsConfig;
  /** Clock, for tests. */
  now?: () => Date;
  /** Where check_inventory reads products; default: Firestore `products/{id}` through `db`. */
  inventory?: Inventory;
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
  intents.set(
    'check_inventory',
    checkInventory(backends.inventory ?? firestoreInventory(backends.db)),
  );
  intents.set('get_weather', getWeather(backends.weather));
  intents.set('validate_order_id', validateOrderId);
  intents.set('make_reservation', makeReservation(backends.jobsConfig, backends.now));
  intents.set('task_status', taskStatus(backends.db, backends.jobs, backends.now));
  intents.set('watch_order', watchOrderIntent(backends.db));
  intents.set('talk_to_agent', talkToAgent);
  return intents;
}
