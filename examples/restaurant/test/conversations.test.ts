import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { seedDemoData } from '../src/seed-data';
import {
  formatReport,
  loadConversationFiles,
  runConversations,
  type ConversationFile,
} from '@dialogflow-functions/dev/lib/conversations';
import { DetectIntentClient } from '@dialogflow-functions/dev/lib/dialogflow-client';
import { startLocalBot, type LocalBot } from '@dialogflow-functions/dev/lib/local-bot';
import { startStoryBot, type StoryBot } from '@dialogflow-functions/dev/lib/story-bot';
import { DFF, PROJECT } from './helpers/paths';
import {
  firestoreHost,
  resetTestFirestore,
  TEST_PROJECT,
  testFirestore,
} from '@dialogflow-functions/testing/firestore';
import { until } from '@dialogflow-functions/testing/wait';

/*
 * `npm run converse` as part of `npm test`: every conversation file, both editions, through the
 * Dialogflow stand-in, the demo webhook and worker, the Cloud Tasks emulator and the test
 * Firestore emulator; and `npm run detect` as a user runs it.
 *
 * The developer's data (project demo-local, what `npm start` serves) is first used as the README
 * goes: `npm run order-status -- 1002 shipped`, and reservations that fill tomorrow's and
 * December 24's 19:00 slots. The stories then run as `dff converse` runs them, on a bot and a
 * Firestore project of their own (lib/story-bot.ts), and must all pass, leaving that data as it was.
 */

/** Runs node with these arguments in the example's folder, asynchronously (the stand-ins it talks to run in this process). */
const node = (args: string[], env: NodeJS.ProcessEnv, timeout = 60_000) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: PROJECT, env, encoding: 'utf8', timeout },
      (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });

const files = loadConversationFiles();
/** The developer's stack (on this test worker's project, where `npm start` uses demo-local). */
let devBot: LocalBot;
/** The stories' own bot and data. */
let storyBot: StoryBot;
let clients: { es: DetectIntentClient; cx: DetectIntentClient };
let storyBotStopped = false;

const devDb = () => testFirestore(); // this test worker's project (TEST_PROJECT)

/** What the developer's data holds that the stories could trip on, or change. */
async function devDataState() {
  const order = await devDb().collection('orders').doc('1002').get();
  const slots = await devDb().collection('slots').get();
  const seats: Record<string, number> = {};
  for (const slot of slots.docs) {
    seats[slot.id] = (await slot.ref.collection('seats').count().get()).data().count;
  }
  const jobs = await devDb().collection('jobs').get();
  return { order1002: order.get('status') as unknown, seats, jobs: jobs.size };
}

/** Books a whole slot (20 seats, RESERVATION_SLOT_CAPACITY) in the developer's stack. */
async function fillSlot(client: DetectIntentClient, text: string): Promise<string> {
  const turn = await client.detect({ text });
  const jobId = /\(request (r-[0-9a-z]{12})\)/.exec(turn.texts.join(' '))?.[1];
  if (!jobId) throw new Error(`no reservation job in ${JSON.stringify(turn.texts)}`);
  await until(
    async () => (await devDb().collection('jobs').doc(jobId).get()).get('status') === 'succeeded',
    30_000,
    `reservation ${jobId} done`,
  );
  return jobId;
}

beforeAll(async () => {
  await resetTestFirestore();
  await seedDemoData(devDb());
  devBot = await startLocalBot({
    firestoreHost: firestoreHost(),
    env: { NODE_ENV: 'test', GOOGLE_CLOUD_PROJECT: TEST_PROJECT },
  });
  // The README's steps, before `npm run converse`.
  const shipped = await node(
    ['--conditions=dff-source', '--import', 'tsx', 'scripts/order-status.ts', '1002', 'shipped'],
    {
      ...process.env,
      FIRESTORE_EMULATOR_HOST: firestoreHost(),
      GOOGLE_CLOUD_PROJECT: TEST_PROJECT,
    },
  );
  if (shipped.status !== 0) throw new Error(`order-status failed: ${shipped.stderr}`);
  const dev = new DetectIntentClient('es', {
    agent: undefined,
    emulatorHost: devBot.dialogflowHost,
  });
  try {
    await fillSlot(dev, 'book a table for 20 tomorrow at 7pm under Wu');
    // The slot a story books on December 24, while that date is still ahead.
    if (new Date().toISOString().slice(5, 10) < '12-23') {
      await fillSlot(dev, 'reserve a table for 20 on December 24 at 19:00 under Wu');
    }
  } finally {
    await dev.close();
  }

  storyBot = await startStoryBot({ firestoreHost: firestoreHost(), env: { NODE_ENV: 'test' } });
  const target = { agent: undefined, emulatorHost: storyBot.dialogflowHost };
  clients = { es: new DetectIntentClient('es', target), cx: new DetectIntentClient('cx', target) };
});

afterAll(async () => {
  await clients?.es.close();
  await clients?.cx.close();
  if (!storyBotStopped) await storyBot?.stop();
  await devBot?.stop();
});

describe('conversations/*.yaml', () => {
  let before: Awaited<ReturnType<typeof devDataState>>;

  it("starts from the developer's data as the README's steps leave it", async () => {
    before = await devDataState();
    expect(before.order1002).toBe('shipped');
    // Full slots (RESERVATION_SLOT_CAPACITY 20), one job each.
    expect(Object.keys(before.seats).length).toBeGreaterThan(0);
    expect(Object.values(before.seats).every((seats) => seats === 20)).toBe(true);
    expect(before.jobs).toBe(Object.keys(before.seats).length);
    // The stories' data: the bot's seed, in a project of its own.
    expect(storyBot.projectId).toMatch(/^stories-[0-9a-f]{8}$/);
    expect(storyBot.seeded).toMatch(/^seeded \d+ demo documents/);
  });

  it("would fail stories run on the developer's data (as npm run converse did)", async () => {
    const target = { agent: undefined, emulatorHost: devBot.dialogflowHost };
    const dev = { es: new DetectIntentClient('es', target) };
    try {
      const watch = files.filter((f) => f.name === 'watch-order.yaml');
      const results = await runConversations(watch, dev, { sessionPrefix: 'dev' });
      expect(results.filter((r) => !r.passed).map((r) => r.story)).toContain(
        "watch an order that has not shipped yet, then ask for the request's status",
      );
    } finally {
      await dev.es.close();
    }
  });

  it('covers every demo intent in en and zh-TW', () => {
    const covered = new Map<string, Set<string>>();
    for (const { file } of files) {
      for (const story of file.stories) {
        for (const step of story.steps) {
          const lang = (step.lang ?? story.lang ?? file.lang ?? 'en').toLowerCase();
          for (const intent of [step.intent, step.es?.intent, step.cx?.intent]) {
            if (intent) covered.set(intent, (covered.get(intent) ?? new Set()).add(lang));
          }
        }
      }
    }
    for (const intent of [
      'Default Welcome Intent',
      'Default Fallback Intent',
      'check_order',
      'check_inventory',
      'get_weather',
      'make_reservation',
      'task_status',
      'watch_order',
      'talk_to_agent',
    ]) {
      expect([...(covered.get(intent) ?? [])].sort(), intent).toEqual(['en', 'zh-tw']);
    }
  });

  it.each(files.map((f) => [f.name, f] as const))('%s', async (_name, file) => {
    const results = await runConversations([file], clients, {
      sessionPrefix: 'test',
      writeData: storyBot.writeData,
    });
    expect(results.length).toBeGreaterThan(0);
    const failed = results.filter((r) => !r.passed);
    expect(failed, formatReport(results)).toEqual([]);
  });

  it('a story whose expectation is wrong fails, saying what differed', async () => {
    const file: ConversationFile = {
      stories: [
        {
          story: 'wrong on purpose',
          steps: [
            { user: 'where is my order 1001', intent: 'check_inventory', reply: 'Order 1002' },
          ],
        },
      ],
    };
    const results = await runConversations([{ path: 'x.yaml', name: 'x.yaml', file }], clients);
    expect(results.map((r) => r.passed)).toEqual([false, false]);
    expect(results[0]!.failures).toEqual([
      'turn 1 "where is my order 1001": intent: expected "check_inventory", got "check_order"',
      expect.stringMatching(
        /^turn 1 .*reply: "Order 1001 is on its way.*does not match \/Order 1002\/$/,
      ),
    ]);
  });

  it("a story's data: is written before it and put back after it", async () => {
    const watch = (reply: string) => ({
      user: 'tell me when order 1002 ships',
      intent: 'watch_order',
      reply,
    });
    const file: ConversationFile = {
      editions: ['es'],
      stories: [
        {
          story: 'with data',
          data: {
            'orders/1002': { status: 'shipped', deliveryDate: '2026-12-05' },
            'orders/7777': { status: 'delivered', deliveryDate: '2026-11-02' },
          },
          steps: [
            watch('order 1002 is already on its way'),
            { user: 'where is my order 7777', reply: 'Order 7777 was delivered' },
          ],
        },
        { story: 'after it', steps: [watch("I'll watch order 1002")] },
        {
          story: 'a document made absent',
          data: { 'orders/1002': null },
          steps: [{ user: 'where is my order 1002', reply: "I couldn't find order 1002" }],
        },
      ],
    };
    const loaded = [{ path: 'data.yaml', name: 'data.yaml', file }];
    const results = await runConversations(loaded, clients, { writeData: storyBot.writeData });
    expect(
      results.filter((r) => !r.passed),
      formatReport(results),
    ).toEqual([]);
    const stories = new Firestore({
      projectId: storyBot.projectId,
      ...emulatorSettings(firestoreHost()),
    });
    try {
      expect((await stories.doc('orders/1002').get()).get('status')).toBe('processing');
      expect((await stories.doc('orders/7777').get()).exists).toBe(false);
    } finally {
      await stories.terminate();
    }
    // Without a writer (--live), such stories are skipped, said so, and do not fail the run.
    const live = await runConversations(loaded, { es: clients.es });
    expect(live.map((r) => [r.story, r.passed, r.skipped])).toEqual([
      ['with data', true, 'its data: is written on the local bot only'],
      ['after it', true, undefined],
      ['a document made absent', true, 'its data: is written on the local bot only'],
    ]);
    expect(formatReport(live)).toMatch(/\n1 passed, 0 failed, 2 skipped$/);
  });

  it(
    "dff converse runs the stories on its own data, though pointed at the developer's stack",
    { timeout: 120_000 },
    async () => {
      const r = await node(
        [...DFF, 'converse', '--edition', 'es', 'conversations/watch-order.yaml'],
        {
          ...process.env,
          FIRESTORE_EMULATOR_HOST: firestoreHost(),
          DIALOGFLOW_EMULATOR_HOST: devBot.dialogflowHost,
          GOOGLE_CLOUD_PROJECT: TEST_PROJECT,
          DIALOGFLOW_AGENT: '',
        },
        110_000,
      );
      expect(r.stdout).toMatch(/is not used: the stories run on a bot and data of their own/);
      expect(r.stdout).toMatch(
        /Firestore project stories-[0-9a-f]{8} in the emulator at \S+ \(FIRESTORE_EMULATOR_HOST\), seeded \d+ demo documents/,
      );
      expect(r.stdout).toMatch(/\n5 passed, 0 failed\n/);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    },
  );

  it("leaves the developer's data as it was, and deletes its own when it stops", async () => {
    expect(await devDataState()).toEqual(before);
    const stories = new Firestore({
      projectId: storyBot.projectId,
      ...emulatorSettings(firestoreHost()),
    });
    try {
      // The stories' data: the seed (and whatever the stories wrote), in their own project.
      expect((await stories.collection('orders').get()).size).toBeGreaterThan(0);
      storyBotStopped = true;
      await storyBot.stop();
      expect((await stories.collection('orders').get()).size).toBe(0);
      expect((await stories.collection('jobs').get()).size).toBe(0);
    } finally {
      await stories.terminate();
    }
  });

  it('refuses a file that is not a conversation file, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conv-'));
    try {
      const path = join(dir, 'typo.yaml');
      writeFileSync(path, 'stories:\n  - story: x\n    stpes: []\n');
      expect(() => loadConversationFiles([path])).toThrow(/typo\.yaml: stories\.0/);
      // data: names documents (collection/id), not collections.
      const data = join(dir, 'data.yaml');
      writeFileSync(
        data,
        'stories:\n  - story: x\n    data: { orders: {} }\n    steps: [{ user: hi }]\n',
      );
      expect(() => loadConversationFiles([data])).toThrow(
        /data\.yaml: stories\.0\.data\.orders: must be a document path/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run detect', () => {
  const detect = (args: string[], env: Record<string, string>) =>
    node([...DFF, 'detect', ...args], {
      ...process.env,
      DIALOGFLOW_AGENT: '',
      DIALOGFLOW_EMULATOR_HOST: '',
      ...env,
    });

  it.each([
    [['where is my order 1001'], 'ES "where is my order 1001" (en) → check_order', /on its way/],
    [
      ['where is my order 1001', '--cx'],
      'CX "where is my order 1001" (en) → check_order',
      /on its way/,
    ],
    [['我的訂單1001在哪裡', '--lang', 'zh-TW'], '→ check_order', /已出貨/],
    [['我的訂單1001在哪裡', '--cx', '--lang', 'zh-TW'], '→ check_order', /已出貨/],
  ])('%j prints the intent, order_id 1001 and the order’s status', async (args, head, status) => {
    const r = await detect(args, { DIALOGFLOW_EMULATOR_HOST: devBot.dialogflowHost });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(head);
    expect(r.stdout).toContain('parameters: {"order_id":"1001"}');
    expect(r.stdout).toMatch(status);
    expect(r.stdout).toMatch(/webhook: ok \(code 0.*\) in \d+ ms/);
  });

  it('says in one line what is missing without an agent or a stand-in', async () => {
    const r = await detect(['hello', '--cx'], {});
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/DIALOGFLOW_AGENT.*DIALOGFLOW_EMULATOR_HOST/);
  });
});
