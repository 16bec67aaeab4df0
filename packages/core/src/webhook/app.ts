import type { Config } from '../config';
import type { IntentHandler, IntentMap } from '../conversation';
import { lazyFirestore, type FirestoreFactory } from '../firestore';
import { createDeferrer, type JobRegistry } from '../jobs';
import type { Logger } from '../logger';
import type { BotMessagesOption } from '../messages';
import { lazyTasksClient } from '../tasks';
import { createWebhookHandler, type WebhookHandler } from './handler';

/** The Google clients a bot's intents read from, created on first use. */
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
  bot: BotMessagesOption & {
    intents: (clients: WebhookClients) => IntentMap;
    fallback: IntentHandler;
    /** The job types its handlers defer (without: `ctx.defer` answers "not queued"). */
    jobs?: JobRegistry;
    logger?: Logger;
  },
): WebhookHandler {
  // gRPC, for reads and writes alike: measured by `npm run bench`, it is as fast as REST on a
  // cold start and much faster warm, and the deferral depends on its error codes (see lazyFirestore).
  const db = lazyFirestore({
    projectId: config.projectId,
    emulatorHost: config.firestore.emulatorHost,
  });
  const tasks = lazyTasksClient({ emulatorHost: config.tasks.emulatorHost });
  return createWebhookHandler({
    config,
    intents: bot.intents({ db }),
    fallback: bot.fallback,
    ...(bot.jobs ? { defer: createDeferrer({ db, tasks, config, jobs: bot.jobs }) } : {}),
    logger: bot.logger,
    messages: bot.messages,
  });
}
