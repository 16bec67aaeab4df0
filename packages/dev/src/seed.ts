/*
 * `dff seed`: the bot's local data (defineBot({ seed })), into the Firestore emulator of the
 * running stack (FIRESTORE_EMULATOR_HOST, else the one `dff start` recorded in .data/).
 */
import { Firestore } from '@google-cloud/firestore';
import { parseBotConfig } from '@dialogflow-functions/core';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { loadBot, projectDir } from './project';
import { readStackFile } from './lib/stack-file';

async function main(): Promise<void> {
  const bot = loadBot();
  const config = parseBotConfig(bot, process.env);
  if (!bot.seed) {
    console.log('This bot has no seed (defineBot({ seed })): nothing to write.');
    return;
  }
  const host = config.firestore.emulatorHost ?? readStackFile(config.ports.webhook)?.firestore;
  if (!host) {
    console.error(
      'No Firestore emulator found: start the stack (npm start) or set FIRESTORE_EMULATOR_HOST (seed writes to an emulator only).',
    );
    process.exit(2);
  }
  const db = new Firestore({ projectId: config.projectId, ...emulatorSettings(host) });
  try {
    const said = await bot.seed({ db, env: process.env, projectDir: projectDir() });
    console.log(`${said} (emulator ${host}, project ${config.projectId})`);
  } finally {
    await db.terminate();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
