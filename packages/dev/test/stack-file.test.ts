import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findStackFirestore, type StackInfo } from '../src/lib/stack-file';

/*
 * How `seed`, `order-status` and `converse` find the running stack (lib/stack-file.ts), on stack
 * files written here into a project folder of the test's own.
 */

let project: string;
let deadPid: number;
const savedProjectDir = process.env.DFF_PROJECT_DIR;
// The test kit gives each vitest worker a data folder of its own (DFF_DATA_DIR); the stack files
// here are written into the test's project's own .data/, as `dff start` writes them by default.
const savedDataDir = process.env.DFF_DATA_DIR;

/** A stack file as `dff start` writes it. */
function stack(webhookPort: number, info: Partial<StackInfo> = {}): void {
  writeFileSync(
    join(project, '.data', `stack-${webhookPort}.json`),
    JSON.stringify({
      pid: process.pid,
      firestore: `127.0.0.1:${webhookPort + 1000}`,
      tasks: '127.0.0.1:1',
      webhook: `http://127.0.0.1:${webhookPort}/`,
      worker: 'http://127.0.0.1:2/',
      ...info,
    }),
  );
}

const config = (o: { port?: number; host?: string; project?: string } = {}) => ({
  projectId: o.project ?? 'demo-local',
  ports: { webhook: o.port ?? 8080 },
  firestore: { emulatorHost: o.host },
});

beforeAll(async () => {
  // The pid of a process that has exited: its stack file is stale.
  const child = spawn(process.execPath, ['-e', '']);
  deadPid = child.pid!;
  await new Promise((resolve) => child.once('exit', resolve));
});

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'dff-stack-'));
  mkdirSync(join(project, '.data'));
  process.env.DFF_PROJECT_DIR = project;
  delete process.env.DFF_DATA_DIR;
  return () => {
    process.env.DFF_PROJECT_DIR = savedProjectDir;
    if (savedDataDir !== undefined) process.env.DFF_DATA_DIR = savedDataDir;
    rmSync(project, { recursive: true, force: true });
  };
});

afterAll(() => {
  process.env.DFF_PROJECT_DIR = savedProjectDir;
  if (savedDataDir !== undefined) process.env.DFF_DATA_DIR = savedDataDir;
});

describe('findStackFirestore', () => {
  it('takes FIRESTORE_EMULATOR_HOST first, with the configured project', () => {
    stack(8080, { projectId: 'stack-project' });
    expect(findStackFirestore(config({ host: '127.0.0.1:7000' }), {})).toEqual({
      host: '127.0.0.1:7000',
      projectId: 'demo-local',
      from: 'FIRESTORE_EMULATOR_HOST',
    });
  });

  it("finds the stack of WEBHOOK_PORT, in the stack's project", () => {
    stack(18080, { projectId: 'stack-project' });
    stack(28080);
    expect(findStackFirestore(config({ port: 18080 }), { WEBHOOK_PORT: '18080' })).toEqual({
      host: '127.0.0.1:19080',
      projectId: 'stack-project',
      from: `the stack of npm start (pid ${process.pid}, webhook port 18080)`,
    });
  });

  it('finds the only running stack whatever its port when WEBHOOK_PORT is not set', () => {
    stack(18080, { projectId: 'stack-project' });
    stack(28080, { pid: deadPid });
    expect(findStackFirestore(config(), {})).toMatchObject({
      host: '127.0.0.1:19080',
      projectId: 'stack-project',
    });
  });

  it('keeps GOOGLE_CLOUD_PROJECT when it is set', () => {
    stack(18080, { projectId: 'stack-project' });
    expect(
      findStackFirestore(config({ project: 'mine-123' }), { GOOGLE_CLOUD_PROJECT: 'mine-123' }),
    ).toMatchObject({ host: '127.0.0.1:19080', projectId: 'mine-123' });
  });

  it("uses the configured project with a stack file that names none (an older dff's)", () => {
    stack(8080);
    expect(findStackFirestore(config(), {})).toMatchObject({ projectId: 'demo-local' });
  });

  it.each([
    ['no stack file', () => undefined, {}, /^No Firestore emulator found: start the stack/],
    ['a stale stack file', () => stack(8080, { pid: deadPid }), {}, /^No Firestore emulator found/],
    [
      'another port than WEBHOOK_PORT',
      () => stack(18080),
      { WEBHOOK_PORT: '8080' },
      /^No stack runs with WEBHOOK_PORT=8080/,
    ],
    [
      'several stacks and no WEBHOOK_PORT',
      () => {
        stack(18080);
        stack(28080);
      },
      {},
      /^Several stacks are running \(webhook ports 18080, 28080\): set WEBHOOK_PORT/,
    ],
  ])('says what to do with %s', (_name, setUp, env, why) => {
    setUp();
    const found = findStackFirestore(config(), env);
    expect(found.host).toBeUndefined();
    expect(found).toEqual({ host: undefined, why: expect.stringMatching(why) });
  });
});
