/* eslint-disable @typescript-eslint/no-require-imports -- seeding code is loaded only by dff */
import { defineBot } from '@dialogflow-functions/core';
import { createWeatherService } from './src/backends/weather';
import { restaurantEnv } from './src/env';
import { createDemoIntents, fallback } from './src/intents';
import { createInventory } from './src/inventory';
import { demoJobs } from './src/jobs';
import { restaurantMessages } from './src/messages';
import { mariadb, weatherApi } from './local';

/**
 * The original tutorial's restaurant bot: orders and stock in Firestore (or the stock in MySQL,
 * as INVENTORY_SOURCE says), the weather API, table reservations and order watching as jobs.
 */
export default defineBot({
  name: 'restaurant',
  intents: ({ db, config, http }) =>
    createDemoIntents({
      db,
      inventory: createInventory(config, { db }),
      weather: createWeatherService({
        baseUrl: config.weather.baseUrl,
        apiKey: config.weather.apiKey,
        http,
      }),
      jobs: demoJobs,
      jobsConfig: config,
    }),
  fallback,
  jobs: demoJobs,
  messages: restaurantMessages,
  env: restaurantEnv,
  agent: 'agent',
  conversations: 'conversations',
  seed: async ({ db, env, projectDir }) => {
    const { seedDemoData } = require('./src/seed-data') as typeof import('./src/seed-data');
    const products = env.INVENTORY_SOURCE !== 'mysql';
    const count = await seedDemoData(db, { products });
    const said = products
      ? `seeded ${count} demo documents (orders 1001-1003, A-1004; products latte, matcha, croissant, oolong-tea)`
      : `seeded ${count} demo orders (1001-1003, A-1004)`;
    if (products) return said;
    // Products in MySQL: MYSQL_URL, else the local MariaDB `npm start` runs.
    const { seedMysql } = require('./local/seed-mysql') as typeof import('./local/seed-mysql');
    return `${said}; ${await seedMysql(env, projectDir)}`;
  },
  localServices: [mariadb, weatherApi],
});
