import type { Config } from '../shared/config';
import { lazyFirestore } from '../shared/firestore';
import { createHttpClient } from '../shared/http';
import type { Logger } from '../shared/logger';
import { createNotifiers } from '../shared/notify';
import { lazyTasksClient } from '../shared/tasks';
import { createWorkerHandler } from '../functions/worker/handler';
import { demoJobs } from './jobs';

/**
 * The demo's worker wired from the configuration: the demo job types, the notification channels
 * the configuration enables, Firestore and Cloud Tasks clients created on first use. What
 * `http('worker', …)` serves.
 */
export function createDemoWorker(config: Config, options: { logger?: Logger } = {}) {
  return createWorkerHandler({
    config,
    db: lazyFirestore({ projectId: config.projectId, emulatorHost: config.firestore.emulatorHost }),
    jobs: demoJobs,
    channels: createNotifiers(config, createHttpClient()),
    tasks: lazyTasksClient({ emulatorHost: config.tasks.emulatorHost }),
    logger: options.logger,
  });
}
