import { defineBot } from '@dialogflow-functions/core';
import { fallback, intents } from './src/intents';
import { jobs } from './src/jobs';
import { messages } from './src/messages';

/**
 * The bot: what `serve(bot)` deploys (index.ts) and what `dff` runs locally (`npm start`,
 * `npm test`). Its agent is in agent/, its conversation tests in conversations/.
 */
export default defineBot({
  name: '{{name}}',
  intents,
  fallback,
  jobs,
  messages,
  agent: 'agent',
  conversations: 'conversations',
  // Local data for `npm start` and `npx dff seed` (the local Firestore emulator only).
  seed: async ({ db }) => {
    await db.collection('coffee-orders').doc('example').set({ cups: 1, brewedAt: new Date() });
    return 'seeded 1 example order (coffee-orders/example)';
  },
});
