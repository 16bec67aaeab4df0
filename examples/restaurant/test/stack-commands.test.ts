import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { firestoreHost } from '@dialogflow-functions/testing/firestore';
import { resetFirestore } from '@dialogflow-functions/testing/firestore-emulator';
import { DFF, PROJECT } from './helpers/paths';

/*
 * `npm run seed` and `npm run order-status`, run in a second terminal beside `npm start` with
 * nothing set, find the running stack the same way: the stack file `dff start` wrote in the
 * project's .data/ (here one written by the test for this process, on the test emulator, with a
 * project id of its own and a webhook port other than the default), and its project.
 */

const projectId = `stack-${randomUUID().slice(0, 8)}`;
const webhookPort = 18_000 + Math.floor(Math.random() * 1000);
let project: string;
let db: Firestore;
let stackLine: string;

// A second terminal's environment: none of the stack's variables.
const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, DFF_PROJECT_DIR: project };
  for (const name of [
    'FIRESTORE_EMULATOR_HOST',
    'GOOGLE_CLOUD_PROJECT',
    'WEBHOOK_PORT',
    'DFF_DATA_DIR',
  ]) {
    delete e[name];
  }
  return e;
};

const node = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: PROJECT, env: env(), encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });

const seed = () => node([...DFF, '-C', project, 'seed']);
const orderStatus = (...args: string[]) =>
  node(['--conditions=dff-source', '--import', 'tsx', 'scripts/order-status.ts', ...args]);
const status1002 = async () => (await db.collection('orders').doc('1002').get()).get('status');

beforeAll(() => {
  // A project whose bot is the restaurant's, with a running stack's file in its .data/.
  project = mkdtempSync(join(tmpdir(), 'dff-stack-commands-'));
  writeFileSync(
    join(project, 'bot.ts'),
    `export { default } from ${JSON.stringify(join(PROJECT, 'bot'))};\n`,
  );
  mkdirSync(join(project, '.data'));
  writeFileSync(
    join(project, '.data', `stack-${webhookPort}.json`),
    JSON.stringify({
      pid: process.pid,
      firestore: firestoreHost(),
      tasks: '127.0.0.1:1',
      webhook: `http://127.0.0.1:${webhookPort}/`,
      worker: 'http://127.0.0.1:2/',
      projectId,
    }),
  );
  stackLine = `(emulator ${firestoreHost()}, project ${projectId}`;
  db = new Firestore({ projectId, ...emulatorSettings(firestoreHost()) });
});

afterAll(async () => {
  await db?.terminate();
  await resetFirestore(firestoreHost(), projectId);
  rmSync(project, { recursive: true, force: true });
});

describe('npm run seed and npm run order-status beside npm start', () => {
  it("seed writes the bot's data into the running stack's emulator and project", async () => {
    const r = await seed();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      `${stackLine}: the stack of npm start (pid ${process.pid}, webhook port ${webhookPort}))`,
    );
    expect((await db.collection('orders').get()).size).toBe(4);
    expect(await status1002()).toBe('processing');
  });

  it('order-status changes an order in that same data, and seed puts it back', async () => {
    const shipped = await orderStatus('1002', 'shipped');
    expect(shipped.stderr).toBe('');
    expect(shipped.stdout.trim()).toBe(`orders/1002 is now shipped ${stackLine})`);
    expect(await status1002()).toBe('shipped');
    expect((await seed()).status).toBe(0);
    expect(await status1002()).toBe('processing');
  });

  it('both say the same when no stack runs', async () => {
    rmSync(join(project, '.data', `stack-${webhookPort}.json`));
    const [s, o] = await Promise.all([seed(), orderStatus('1002', 'shipped')]);
    expect(s.status).toBe(2);
    expect(o.status).toBe(1);
    for (const r of [s, o]) {
      expect(r.stderr).toMatch(/^No Firestore emulator found: start the stack \(npm start\)/);
    }
  });
});
