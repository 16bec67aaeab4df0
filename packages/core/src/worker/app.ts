import type { BotConfig } from '../config';
import { lazyFirestore } from '../firestore';
import { createHttpClient } from '../http';
import type { JobRegistry } from '../jobs';
import type { Logger } from '../logger';
import type { BotMessagesOption } from '../messages';
import { createNotifiers, type ChannelFactory } from '../notify';
import { lazyTasksClient } from '../tasks';
import { createWorkerHandler } from './handler';

/**
 * A bot's worker wired from the configuration: its job types, the notification channels the
 * configuration enables, Firestore and Cloud Tasks clients created on first use. What
 * `http('worker', …)` registers: `http('worker', createWorker(loadConfigOrExit('worker'), { jobs }))`.
 */
export function createWorker(
  config: BotConfig,
  bot: BotMessagesOption & {
    jobs: JobRegistry;
    channels?: readonly ChannelFactory[];
    logger?: Logger;
  },
) {
  return createWorkerHandler({
    config,
    db: lazyFirestore({ projectId: config.projectId, emulatorHost: config.firestore.emulatorHost }),
    jobs: bot.jobs,
    channels: createNotifiers(config, createHttpClient(), { channels: bot.channels }),
    tasks: lazyTasksClient({ emulatorHost: config.tasks.emulatorHost }),
    logger: bot.logger,
    messages: bot.messages,
  });
}
