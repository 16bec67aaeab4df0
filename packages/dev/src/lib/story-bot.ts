import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import type { Bot } from '@dialogflow-functions/core';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import type { Logger } from '@dialogflow-functions/core/logger';
import { resetFirestore } from '@dialogflow-functions/testing/firestore-emulator';
import type { StoryData, StoryDataWriter } from './conversations';
import { startLocalBot, type LocalBot } from './local-bot';
import { loadBot, projectDir } from '../project';

/*
 * The conversation files' own bot and data. The stories run against a bot started here, whose
 * functions use a Firestore project of their own in the emulator (`stories-<random>`), seeded from
 * the bot's `seed` before the stories and deleted after them. The emulator's projects share
 * nothing, so whatever `npm run simulate`, `order-status`, the dev console or a run before did to
 * the developer's data (orders shipped, slots booked full), the stories never see it, and they
 * never write to it.
 */

export interface StoryBot extends LocalBot {
  /** The Firestore project id of the stories' data (GOOGLE_CLOUD_PROJECT of their functions). */
  projectId: string;
  /** What the bot's seed said it wrote (undefined: the bot has no seed). */
  seeded: string | undefined;
  /** Writes a story's `data:` into the stories' project; resolves what puts it back. */
  writeData: StoryDataWriter;
}

/** A fresh project id for one run's stories (a valid GOOGLE_CLOUD_PROJECT, 6 to 30 characters). */
export function storiesProjectId(): string {
  return `stories-${randomUUID().slice(0, 8)}`;
}

/**
 * The bot on loopback (see startLocalBot) on `firestoreHost`, in a project of its own seeded
 * from the bot's `seed`; `stop()` stops it and deletes that project's documents.
 */
export async function startStoryBot(options: {
  firestoreHost: string;
  /** Environment for the functions' configuration (its GOOGLE_CLOUD_PROJECT is replaced). */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  agentDir?: string;
  /** Default: the project's (bot.ts). */
  bot?: Bot;
  /** Default: a fresh one (storiesProjectId). */
  projectId?: string;
}): Promise<StoryBot> {
  const bot = options.bot ?? loadBot();
  const projectId = options.projectId ?? storiesProjectId();
  const env: NodeJS.ProcessEnv = { ...options.env, GOOGLE_CLOUD_PROJECT: projectId };
  const deleteData = () => resetFirestore(options.firestoreHost, projectId, 10_000);
  let seeded: string | undefined;
  try {
    if (bot.seed) {
      const db = new Firestore({ projectId, ...emulatorSettings(options.firestoreHost) });
      try {
        seeded = await bot.seed({ db, env, projectDir: projectDir() });
      } finally {
        await db.terminate();
      }
    }
    const local = await startLocalBot({
      firestoreHost: options.firestoreHost,
      env,
      bot,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.agentDir ? { agentDir: options.agentDir } : {}),
    });
    let db: Firestore | undefined;
    const writeData: StoryDataWriter = async (data) => {
      db ??= new Firestore({ projectId, ...emulatorSettings(options.firestoreHost) });
      return writeDocuments(db, data);
    };
    return {
      ...local,
      projectId,
      seeded,
      writeData,
      async stop() {
        await db?.terminate();
        await local.stop();
        await deleteData().catch(() => undefined);
      },
    };
  } catch (err) {
    await deleteData().catch(() => undefined);
    throw err;
  }
}

/** Sets (or deletes, for null) each document; resolves what puts the earlier ones back. */
async function writeDocuments(db: Firestore, data: StoryData): Promise<() => Promise<void>> {
  const refs = Object.keys(data).map((path) => db.doc(path));
  const before = refs.length ? await db.getAll(...refs) : [];
  const batch = db.batch();
  for (const ref of refs) {
    const fields = data[ref.path];
    if (fields) batch.set(ref, fields);
    else batch.delete(ref);
  }
  await batch.commit();
  return async () => {
    const back = db.batch();
    for (const snap of before) {
      const fields = snap.data();
      if (fields) back.set(snap.ref, fields);
      else back.delete(snap.ref);
    }
    await back.commit();
  };
}
