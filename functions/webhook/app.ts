import type { Config } from '../../shared/config';
import type { IntentHandler, IntentMap } from '../../shared/conversation';
import { lazyFirestore, type FirestoreFactory } from '../../shared/firestore';
import { createDeferrer, type JobRegistry } from '../../shared/jobs';
import type { Logger } from '../../shared/logger';
import { lazyTasksClient } from '../../shared/tasks';
import { createWebhookHandler, type WebhookHandler } from './handler';

/** The Google clients a bot's intents read from, created on first use (Firestore: for reads). */
export interface WebhookClients {
  db: FirestoreFactory;
}

/**
 * A bot's webhook wired from the configuration: its intents (built from the Firestore client,
 * created on first use and kept), its fallback, and its job types deferred to the worker
 * through Cloud Tasks. What `http('webhook', …)` registers:
 *
 * ```ts
 * http('webhook', createWebhook(loadConfigOrExit('webhook'), { intents: ({ db }) => myIntents(db), fallback, jobs }));
 * ```
 */
export function createWebhook(
  config: Config,
  bot: {
    intents: (clients: WebhookClients) => IntentMap;
    fallback: IntentHandler;
    /** The job types its handlers defer (without: `ctx.defer` answers "not queued"). */
    jobs?: JobRegistry;
    logger?: Logger;
  },
): WebhookHandler {
  const where = { projectId: config.projectId, emulatorHost: config.firestore.emulatorHost };
  // Intents read over REST (the fastest first read); deferrals write over gRPC, whose error
  // codes (ALREADY_EXISTS, ABORTED) they depend on: see lazyFirestore.
  const db = lazyFirestore({ ...where, transport: 'rest' });
  const jobsDb = lazyFirestore({ ...where, transport: 'grpc' });
  const tasks = lazyTasksClient({ emulatorHost: config.tasks.emulatorHost });
  return createWebhookHandler({
    config,
    intents: bot.intents({ db }),
    fallback: bot.fallback,
    ...(bot.jobs ? { defer: createDeferrer({ db: jobsDb, tasks, config, jobs: bot.jobs }) } : {}),
    logger: bot.logger,
  });
}
