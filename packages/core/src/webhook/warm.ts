import { eventLoopLagMs } from '../deadline';
import { errorMessage } from '../errors';
import type { FirestoreFactory } from '../firestore';
import { JOBS } from '../jobs';
import type { Logger } from '../logger';
import type { TasksClientFactory } from '../tasks';

/** A job id no job has (ids are `<prefix>-<12 base-36>`): the warm-up read finds nothing. */
const WARM_UP_DOC = 'warm-up';

/** Which clients the webhook warms at start (see {@link warmDeferralClients}). */
export interface WarmOptions {
  /**
   * Only where their channels lead somewhere this process may talk to: an emulator, or
   * Google's services when running on Cloud Run / Cloud Functions. Never from a test or a
   * laptop without an emulator (the auth library would probe the metadata server).
   */
  firestore: boolean;
  tasks: boolean;
}

/**
 * Gets the clients a deferral needs ready while the instance starts, before its first turns:
 * loads and creates the Firestore and Cloud Tasks clients and opens their channels (one read of
 * a document that does not exist; the Tasks stub created and connected, without a call).
 * Called while the function's module loads, it starts at once: the imports run before the
 * server accepts its first connection (not while the entry module itself loads).
 *
 * Why: on a fresh instance hit by a rush (exactly when new instances start), the first turns
 * all wait for the imports (~1 s of CPU, more on a busy one) and the first calls' channel set-up
 * inside their own budgets, and most of them cannot confirm their job in time
 * (docs/hot-slot.md, measured by `npm run bench -- --burst-defer`). Started here, the work
 * happens once, before any turn's clock starts, and the turns share it through the same lazy
 * clients. Failures are only logged: a turn that needs a client creates it again.
 */
export function warmDeferralClients(
  clients: { db: FirestoreFactory; tasks: TasksClientFactory },
  options: WarmOptions,
  log: Logger,
): Promise<void> {
  const started = Date.now();
  // The lag probe from now on: work done here that holds up the first turns (they wait, unseen,
  // before their handler starts) shows as lag, and their budgets shrink by it.
  eventLoopLagMs();
  const firestore = options.firestore
    ? clients
        .db()
        .then((db) => db.collection(JOBS).doc(WARM_UP_DOC).get())
        .then(() => Date.now() - started)
    : Promise.resolve(-1);
  const tasks = options.tasks
    ? clients
        .tasks()
        .then(async (client) => {
          await client.initialize();
          await connect(client);
        })
        .then(() => Date.now() - started)
    : Promise.resolve(-1);
  return Promise.allSettled([firestore, tasks]).then(([f, t]) => {
    const failed = [f, t].flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
    if (failed.length > 0) log.warn('clients not warmed at start', { error: failed.join('; ') });
    else {
      log.info('clients warmed at start', {
        firestoreMs: value(f),
        tasksMs: value(t),
        uptimeMs: Math.round(process.uptime() * 1000),
      });
    }
  });
}

const value = (r: PromiseSettledResult<number>) => (r.status === 'fulfilled' ? r.value : -1);

/**
 * Connects the Tasks client's gRPC channel (google-gax's stub is a @grpc/grpc-js Client:
 * `waitForReady` starts the connection). Bounded: a channel that is slow to connect is left to
 * the first call.
 */
async function connect(client: object): Promise<void> {
  type Stub = { waitForReady?: (deadline: Date, callback: (err?: Error) => void) => void };
  const stub = (await (client as { cloudTasksStub?: Promise<Stub> }).cloudTasksStub) as
    | Stub
    | undefined;
  const waitForReady = stub?.waitForReady;
  if (typeof waitForReady !== 'function') return;
  await new Promise<void>((resolve) => {
    waitForReady.call(stub, new Date(Date.now() + 10_000), () => resolve());
  });
}
