import type { BotClients } from '@dialogflow-functions/core';
import { createWeatherService } from './backends/weather';
import { createDemoIntents } from './intents';
import { createInventory } from './inventory';
import { demoJobs } from './jobs';

export { fallback } from './intents';

/**
 * The restaurant's intents, built from the clients once per webhook instance: orders and stock
 * in Firestore (or the stock in MySQL, as INVENTORY_SOURCE says), the weather API, table
 * reservations and order watching as jobs.
 */
export function restaurantIntents({ db, config, http }: BotClients) {
  return createDemoIntents({
    db,
    inventory: createInventory(config, { db }),
    weather: createWeatherService({
      baseUrl: config.weather.baseUrl,
      apiKey: config.weather.apiKey,
      http,
    }),
    jobs: demoJobs,
    jobsConfig: config,
  });
}
