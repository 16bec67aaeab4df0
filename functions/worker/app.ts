import type { Config } from '../../shared/config';
import { lazyFirestore } from '../../shared/firestore';
import { createHttpClient } from '../../shared/http';
import type { JobRegistry } from '../../shared/jobs';
import type { Logger } from '../../shared/logger';
import { createNotifiers } from '../../shared/notify';
import { lazyTasksClient } from '../../shared/tasks';
import { createWorkerHandler } from './handler';

/**
 * A bot's worker wired from the configuration: its job types, the notification channels the
 * configuration enables, Firestore and Cloud Tasks clients created on first use. What
 * `http('worker', …)` registers: `http('worker', createWorker(loadConfigOrExit('worker'), { jobs }))`.
 */
export function createWorker(config: Config, bot: { jobs: JobRegistry; logger?: Logger }) {
  return createWorkerHandler({
    config,
    db: lazyFirestore({ projectId: config.projectId, emulatorHost: config.firestore.emulatorHost }),
    jobs: bot.jobs,
    channels: createNotifiers(config, createHttpClient()),
    tasks: lazyTasksClient({ emulatorHost: config.tasks.emulatorHost }),
    logger: bot.logger,
  });
}
