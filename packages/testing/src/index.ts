/**
 * The test kit for your own intents and jobs: request builders shaped like Dialogflow's
 * traffic, a way to run one handler or a whole webhook in-process, the strict proto checker,
 * and the Firestore-emulator helpers the project's own tests use.
 *
 * ```ts
 * import { esRequest, runIntent } from '.';
 * const turn = await runIntent(myHandler, esRequest({ name: 'my_intent', parameters: { n: 3 } }));
 * expect(turn.text).toBe('…'); // turn.response already passed the strict proto check
 * ```
 */
export {
  cxRequest,
  DEMO_LINE_USER_ID,
  esRequest,
  REQUEST_SOURCES,
  type RequestOptions,
  type RequestSource,
} from './requests';
export { assertValidResponse, protoErrors } from './proto-check';
export { suggestionsOf, textOf, textsOf } from './replies';
export {
  firestoreHost,
  resetTestFirestore,
  testFirestore,
  testFirestoreFactory,
} from './firestore';
export { callWebhook, runIntent, type IntentRun, type WebhookCall } from './run';
