import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../src/seed-data';
import {
  formatReport,
  loadConversationFiles,
  runConversations,
  type ConversationFile,
} from '@dialogflow-functions/dev/lib/conversations';
import { DetectIntentClient } from '@dialogflow-functions/dev/lib/dialogflow-client';
import { startLocalBot, type LocalBot } from '@dialogflow-functions/dev/lib/local-bot';
import { DFF, PROJECT } from './helpers/paths';
import {
  firestoreHost,
  resetTestFirestore,
  TEST_PROJECT,
  testFirestore,
} from '@dialogflow-functions/testing/firestore';

/*
 * `npm run converse` as part of `npm test`: every conversation file, both editions, through the
 * Dialogflow stand-in, the demo webhook and worker, the Cloud Tasks emulator and the test
 * Firestore emulator; and `npm run detect` as a user runs it.
 */

const files = loadConversationFiles();
let bot: LocalBot;
let clients: { es: DetectIntentClient; cx: DetectIntentClient };

beforeAll(async () => {
  await resetTestFirestore();
  await seedDemoData(testFirestore());
  bot = await startLocalBot({
    firestoreHost: firestoreHost(),
    env: { NODE_ENV: 'test', GOOGLE_CLOUD_PROJECT: TEST_PROJECT },
  });
  const target = { agent: undefined, emulatorHost: bot.dialogflowHost };
  clients = { es: new DetectIntentClient('es', target), cx: new DetectIntentClient('cx', target) };
});

afterAll(async () => {
  await clients?.es.close();
  await clients?.cx.close();
  await bot?.stop();
});

describe('conversations/*.yaml', () => {
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
    const results = await runConversations([file], clients, { sessionPrefix: 'test' });
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

  it('refuses a file that is not a conversation file, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conv-'));
    try {
      const path = join(dir, 'typo.yaml');
      writeFileSync(path, 'stories:\n  - story: x\n    stpes: []\n');
      expect(() => loadConversationFiles([path])).toThrow(/typo\.yaml: stories\.0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run detect', () => {
  // Asynchronously: the stand-in the CLI talks to runs in this process.
  const detect = (args: string[], env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [...DFF, 'detect', ...args],
        {
          cwd: PROJECT,
          env: { ...process.env, DIALOGFLOW_AGENT: '', DIALOGFLOW_EMULATOR_HOST: '', ...env },
          encoding: 'utf8',
          timeout: 60_000,
        },
        (err, stdout, stderr) =>
          resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
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
    const r = await detect(args, { DIALOGFLOW_EMULATOR_HOST: bot.dialogflowHost });
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
