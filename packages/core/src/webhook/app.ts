import type { Config } from '../config';
import type { IntentHandler, IntentMap } from '../conversation';
import { lazyFirestore, type FirestoreFactory } from '../firestore';
import { createDeferrer, type JobRegistry } from '../jobs';
import { createLogger, type Logger } from '../logger';
import type { BotMessagesOption } from '../messages';
import { lazyTasksClient } from '../tasks';
import { createWebhookHandler, type WebhookHandler } from './handler';
import { warmDeferralClients } from './warm';

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
    /**
     * Load the Firestore and Cloud Tasks clients and open their channels now, while the
     * instance starts, when the bot defers jobs (see warm.ts): a rush's first turns then find
     * them ready; the first turn of any kind on a fresh instance waits for their load. For a served function
     * (`serve(bot)` sets it), not for tests that build a webhook without those services.
     * `onGoogleCloud`: running on Cloud Run / Cloud Functions (`K_SERVICE` set), where the
     * channels to Google's services are opened too.
     */
    warmClients?: boolean | { onGoogleCloud: boolean };
  },
): WebhookHandler {
  // gRPC, for reads and writes alike: measured by `npm run bench`, it is as fast as REST on a
  // cold start and much faster warm, and the deferral depends on its error codes (see lazyFirestore).
  const db = lazyFirestore({
    projectId: config.projectId,
    emulatorHost: config.firestore.emulatorHost,
  });
  const tasks = lazyTasksClient({ emulatorHost: config.tasks.emulatorHost });
  if (bot.warmClients && bot.jobs) {
    // Only clients whose channels lead to an emulator, or to Google's services from Google
    // Cloud (never from a test or a laptop without an emulator).
    const onGoogleCloud = typeof bot.warmClients === 'object' && bot.warmClients.onGoogleCloud;
    const warm = {
      firestore: Boolean(config.firestore.emulatorHost) || onGoogleCloud,
      tasks: Boolean(config.tasks.emulatorHost) || onGoogleCloud,
    };
    if (warm.firestore || warm.tasks) {
      void warmDeferralClients({ db, tasks }, warm, bot.logger ?? createLogger());
    }
  }
  return createWebhookHandler({
    config,
    intents: bot.intents({ db }),
    fallback: bot.fallback,
    ...(bot.jobs ? { defer: createDeferrer({ db, tasks, config, jobs: bot.jobs }) } : {}),
    logger: bot.logger,
    messages: bot.messages,
  });
}
