import type { Config } from '../shared/config';
import { createHttpClient } from '../shared/http';
import type { Logger } from '../shared/logger';
import { createWebhook } from '../functions/webhook/app';
import type { WebhookHandler } from '../functions/webhook/handler';
import { createWeatherService } from './backends/weather';
import { createDemoIntents, fallback } from './intents';
import { demoJobs } from './jobs';
import { createInventory } from './inventory';

/**
 * The demo agent's webhook: its intents on Firestore (or MySQL for the inventory, as
 * INVENTORY_SOURCE says) and the weather API, its job types. What
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
        inventory: createInventory(config, { db }),
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
