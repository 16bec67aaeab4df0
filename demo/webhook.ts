import type { Config } from '../shared/config';
import { lazyFirestore } from '../shared/firestore';
import { createHttpClient } from '../shared/http';
import { createDeferrer } from '../shared/jobs';
import type { Logger } from '../shared/logger';
import { lazyTasksClient } from '../shared/tasks';
import { createWeatherService } from './backends/weather';
import { createWebhookHandler, type WebhookHandler } from '../functions/webhook/handler';
import { createDemoIntents, fallback } from './intents';
import { demoJobs } from './jobs';

/**
 * The demo agent's webhook wired to its backends from the configuration: Firestore and Cloud
 * Tasks clients created on first use, the weather API, and jobs deferred to the worker. What
 * `http('webhook', …)` serves, and what a self-hosted Express app can mount.
 */
export function createDemoWebhook(
  config: Config,
  options: { logger?: Logger } = {},
): WebhookHandler {
  const db = lazyFirestore({
    projectId: config.projectId,
    emulatorHost: config.firestore.emulatorHost,
  });
  const tasks = lazyTasksClient({ emulatorHost: config.tasks.emulatorHost });
  const intents = createDemoIntents({
    db,
    weather: createWeatherService({
      baseUrl: config.weather.baseUrl,
      apiKey: config.weather.apiKey,
      http: createHttpClient(),
    }),
    jobs: demoJobs,
    jobsConfig: config,
  });
  return createWebhookHandler({
    config,
    intents,
    fallback,
    defer: createDeferrer({ db, tasks, config, jobs: demoJobs }),
    logger: options.logger,
  });
}
