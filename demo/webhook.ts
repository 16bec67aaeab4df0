import type { Config } from '../shared/config';
import { createHttpClient } from '../shared/http';
import type { Logger } from '../shared/logger';
import { createWebhook } from '../functions/webhook/app';
import type { WebhookHandler } from '../functions/webhook/handler';
import { createWeatherService } from './backends/weather';
import { createDemoIntents, fallback } from './intents';
import { demoJobs } from './jobs';

/**
 * The demo agent's webhook: its intents on Firestore and the weather API, its job types. What
 * `http('webhook', …)` serves, and what a self-hosted Express app can mount.
 */
export function createDemoWebhook(
  config: Config,
  options: { logger?: Logger } = {},
): WebhookHandler {
  return createWebhook(config, {
    intents: ({ db }) =>
      createDemoIntents({
        db,
        weather: createWeatherService({
          baseUrl: config.weather.baseUrl,
          apiKey: config.weather.apiKey,
          http: createHttpClient(),
        }),
        jobs: demoJobs,
        jobsConfig: config,
      }),
    fallback,
    jobs: demoJobs,
    logger: options.logger,
  });
}
