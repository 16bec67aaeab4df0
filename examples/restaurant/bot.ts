/* eslint-disable @typescript-eslint/no-require-imports -- seeding code loaded only by dff */
import { defineBot } from '@dialogflow-functions/core';
import { restaurantEnv } from './src/env';
import { demoJobs } from './src/jobs';
import { restaurantMessages } from './src/messages';
import * as webhookCode from './src/webhook';
import { mariadb, weatherApi } from './local';

/*
 * `dff build` bundles each function with `process.env.DFF_BUNDLED_TARGET` replaced by its name
 * (`webhook`, `worker`, `chat`); unbundled (dff, tests) it is undefined. Code used only behind a
 * test of it is therefore left out of the other functions' bundles (the package declares no
 * side effects, so a module nothing uses is dropped): the worker's and the chat's hold no
 * intent, the bundles no seeding code nor local stand-in.
 */
/** The intents and the fallback: the webhook's code only. */
const webhook = () =>
  process.env.DFF_BUNDLED_TARGET === undefined || process.env.DFF_BUNDLED_TARGET === 'webhook'
    ? webhookCode
    : notIn(process.env.DFF_BUNDLED_TARGET);

function notIn(target: string): never {
  throw new Error(`the restaurant's intents run in the webhook, not in the ${target} function`);
}

/**
 * The original tutorial's restaurant bot: orders and stock in Firestore (or the stock in MySQL,
 * as INVENTORY_SOURCE says), the weather API, table reservations and order watching as jobs.
 */
export default defineBot({
  name: 'restaurant',
  intents: (clients) => webhook().restaurantIntents(clients),
  fallback: (turn) => webhook().fallback(turn),
  jobs: demoJobs,
  messages: restaurantMessages,
  env: restaurantEnv,
  agent: 'agent',
  conversations: 'conversations',
  // dff's only (`dff start`, `dff seed`): in no function's bundle.
  ...(process.env.DFF_BUNDLED_TARGET === undefined && {
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
  }),
});
