/*
 * `npm run converse [-- --live] [--edition es|cx] [FILE ...]`: runs the conversation files
 * (conversations/*.yaml by default) with DetectIntent.
 *   - default: against a whole local bot started here (Dialogflow stand-in, webhook, worker, Cloud
 *     Tasks emulator) with data of its own: a Firestore project made for the run, seeded from the
 *     bot's seed and deleted at the end, in the running stack's emulator (or FIRESTORE_EMULATOR_HOST,
 *     else one started here). The developer's data is never read nor written (lib/story-bot.ts);
 *   - `--live`: against the real agent of DIALOGFLOW_AGENT (its edition), with Application
 *     Default Credentials.
 * Exit code 1 when a story fails.
 */
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, type Config } from '@dialogflow-functions/core/config';
import {
  DetectIntentClient,
  DetectSetupError,
  type DetectTarget,
  type Edition,
} from './lib/dialogflow-client';
import {
  formatReport,
  loadConversationFiles,
  runConversations,
  type StoryDataWriter,
} from './lib/conversations';
import {
  EmulatorUnavailableError,
  ensureFirestoreEmulator,
} from '@dialogflow-functions/testing/firestore-emulator';
import { startStoryBot } from './lib/story-bot';
import { findStackFirestore } from './lib/stack-file';

const USAGE = 'usage: npm run converse [-- --live] [--edition es|cx] [FILE ...]';

async function run(config: Config, live: boolean, only: Edition | undefined, paths: string[]) {
  const files = loadConversationFiles(paths);
  const stops: (() => Promise<void>)[] = [];
  try {
    let target: DetectTarget;
    let writeData: StoryDataWriter | undefined;
    let editions: Edition[] = ['es', 'cx'];
    if (live) {
      const agent = config.dialogflow.agent;
      if (!agent) throw new DetectSetupError('--live needs DIALOGFLOW_AGENT (the real agent).');
      target = { agent, emulatorHost: undefined };
      editions = [agent.includes('/agents/') ? 'cx' : 'es'];
      console.log(`Live: ${editions[0]!.toUpperCase()} agent ${agent}`);
    } else {
      if (config.dialogflow.emulatorHost) {
        console.log(
          `(DIALOGFLOW_EMULATOR_HOST=${config.dialogflow.emulatorHost} is not used: the stories run on a bot and data of their own)`,
        );
      }
      console.log(
        'Starting the stories’ own bot (Dialogflow stand-in, webhook, worker, Cloud Tasks emulator)…',
      );
      // The running stack's emulator when there is one (its data stays untouched), else one here.
      const stack = findStackFirestore(config);
      const firestore = await ensureFirestoreEmulator({
        host: stack.host,
        jar: config.firestore.emulatorJar,
      });
      if (firestore.service) stops.push(() => firestore.service!.stop());
      const bot = await startStoryBot({ firestoreHost: firestore.host, env: process.env });
      stops.push(() => bot.stop());
      console.log(
        `Stories on their own bot and data: Firestore project ${bot.projectId} in the emulator at ${firestore.host} (${stack.host ? stack.from : 'started here'}), ${bot.seeded ? `${bot.seeded}, ` : ''}deleted at the end`,
      );
      target = { agent: undefined, emulatorHost: bot.dialogflowHost, localProject: bot.projectId };
      writeData = bot.writeData;
    }
    if (only) editions = editions.filter((e) => e === only);
    const clients: Partial<Record<Edition, DetectIntentClient>> = {};
    for (const e of editions) clients[e] = new DetectIntentClient(e, target);
    stops.push(async () => {
      for (const c of Object.values(clients)) await c.close();
    });
    const results = await runConversations(files, clients, { writeData });
    console.log(formatReport(results));
    return results.every((r) => r.passed) ? 0 : 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      live: { type: 'boolean', default: false },
      edition: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.edition !== undefined && values.edition !== 'es' && values.edition !== 'cx') {
    console.error(`--edition must be es or cx\n${USAGE}`);
    return 2;
  }
  let config: Config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78;
    }
    throw err;
  }
  try {
    return await run(config, values.live, values.edition as Edition | undefined, positionals);
  } catch (err) {
    if (err instanceof DetectSetupError || err instanceof EmulatorUnavailableError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
