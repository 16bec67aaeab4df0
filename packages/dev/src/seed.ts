/*
 * `dff seed`: the bot's local data (defineBot({ seed })), into the Firestore emulator of the
 * running stack, found as every command beside `dff start` finds it (lib/stack-file.ts:
 * FIRESTORE_EMULATOR_HOST, else the stack `dff start` recorded in .data/, with its project).
 */
import { Firestore } from '@google-cloud/firestore';
import { parseBotConfig } from '@dialogflow-functions/core';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { loadBot, projectDir } from './project';
import { findStackFirestore } from './lib/stack-file';

async function main(): Promise<void> {
  const bot = loadBot();
  const config = parseBotConfig(bot, process.env);
  if (!bot.seed) {
    console.log('This bot has no seed (defineBot({ seed })): nothing to write.');
    return;
  }
  const stack = findStackFirestore(config);
  if (stack.host === undefined) {
    console.error(`${stack.why} (seed writes to an emulator only)`);
    process.exit(2);
  }
  const { host, projectId } = stack;
  const db = new Firestore({ projectId, ...emulatorSettings(host) });
  try {
    const said = await bot.seed({ db, env: process.env, projectDir: projectDir() });
    console.log(`${said} (emulator ${host}, project ${projectId}: ${stack.from})`);
  } finally {
    await db.terminate();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
