import { execFile, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firestoreHost } from '@dialogflow-functions/testing/firestore';
import { AddError, registerIntent, registerJob } from '../src/lib/add';
import { generateCxAgent, generateEsAgent } from '../src/lib/agent/generate';
import { loadAgent } from '../src/lib/agent/load';
import { readAgentSources } from '../src/lib/agent/source';
import { DFF, REPO } from './helpers/paths';

/*
 * `dff add intent NAME` and `dff add job NAME` in a copy of a small project
 * (test/fixtures/small-bot): the files they write typecheck, the new intent is in both
 * generated exports, and its conversation test passes through the Dialogflow stand-in and the
 * project's webhook.
 */

const FIXTURE = join(__dirname, 'fixtures', 'small-bot');
let project: string;

const dff = (...args: string[]) =>
  spawnSync(process.execPath, [...DFF, '-C', project, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, FIRESTORE_EMULATOR_HOST: firestoreHost(), DIALOGFLOW_EMULATOR_HOST: '' },
  });
/** `dff` run in the background: several at once (each waits on its own process). */
const dffAsync = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [...DFF, '-C', project, ...args],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: {
          ...process.env,
          FIRESTORE_EMULATOR_HOST: firestoreHost(),
          DIALOGFLOW_EMULATOR_HOST: '',
        },
      },
      (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
const read = (path: string) => readFileSync(join(project, path), 'utf8');

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'dff-add-'));
  cpSync(FIXTURE, project, { recursive: true });
  // The project's dependencies are the workspace's packages, typed as a user's project sees
  // them: their built declarations (`types` in their exports; `npm test` built them), not their
  // sources (3x the CPU: the type check would check the packages' sources again).
  symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      extends: join(REPO, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true },
      include: ['bot.ts', 'src'],
    }),
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('dff add', () => {
  it('intent: writes its source, handler, registration and conversation test', () => {
    const r = dff('add', 'intent', 'opening_hours');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('wrote   agent/intents/opening_hours.yaml');
    expect(r.stdout).toContain('updated src/intents/index.ts');
    expect(read('src/intents/opening-hours.ts')).toContain(
      'export const openingHours: IntentHandler',
    );
    const index = read('src/intents/index.ts');
    expect(index).toContain("import { openingHours } from './opening-hours';");
    expect(index).toContain("['opening_hours', openingHours],");
    expect(read('conversations/opening-hours.yaml')).toContain('intent: opening_hours');

    const sources = readAgentSources(join(project, 'agent'));
    const intent = sources.intents.find((i) => i.name === 'opening_hours')!;
    expect(intent.phrases.en).toContain('opening hours');
    expect(intent.phrases['zh-tw']?.length).toBeGreaterThanOrEqual(3);
    const es = loadAgent('es', generateEsAgent(sources));
    expect(es.intents.find((i) => i.name === 'opening_hours')?.webhookUsed).toBe(true);
    const cx = loadAgent('cx', generateCxAgent(sources));
    const route = cx.flows
      .get('Default Start Flow')!
      .routes.find((x) => x.intent === 'opening_hours');
    expect(route?.fulfillment?.tag).toBe('opening_hours');
  });

  it('job: writes a job type module and registers it', () => {
    const r = dff('add', 'job', 'send-reminder');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(read('src/jobs/send-reminder.ts')).toContain("type: 'send-reminder'");
    const index = read('src/jobs/index.ts');
    expect(index).toContain("import { sendReminder } from './send-reminder';");
    expect(index).toContain('createJobRegistry([sendReminder])');
  });

  it('refuses a name that exists or is not of the form, writing nothing', async () => {
    const before = read('src/intents/index.ts');
    const cases = [
      [['intent', 'opening_hours'], /intent opening_hours exists already/],
      [['intent', 'Opening-Hours'], /intent names are snake_case/],
      [['job', 'send-reminder'], /src\/jobs\/send-reminder.ts exists already/],
      [['job', 'send_reminder!'], /job types are kebab-case/],
    ] as const;
    // The five refusals at once: each is its own dff process, and none may write anything.
    const [unknown, ...refused] = await Promise.all([
      dffAsync('add', 'widget', 'x'),
      ...cases.map(([args]) => dffAsync('add', ...args)),
    ]);
    for (const [i, [args, message]] of cases.entries()) {
      const r = refused[i]!;
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(unknown!.status).toBe(2);
    expect(read('src/intents/index.ts')).toBe(before);
    expect(existsSync(join(project, 'src', 'intents', 'Opening-Hours.ts'))).toBe(false);
  });

  // The type check and the conversation test read what the cases above wrote, and run at once
  // (each in its own processes).
  it.concurrent('what it wrote typechecks with the project', async () => {
    // tsgo, the repository's own type checker (`npm run typecheck`): the same errors as
    // TypeScript 5.9's tsc for this project, in a fifth of the CPU (0.5 against 2.9 CPU-s).
    const tsc = await new Promise<{ status: number | null; output: string }>((resolve) => {
      execFile(
        join(REPO, 'node_modules', '.bin', 'tsgo'),
        ['-p', join(project, 'tsconfig.json')],
        { encoding: 'utf8' },
        (err, stdout, stderr) =>
          resolve({
            status: err ? ((err as { code?: number }).code ?? null) : 0,
            output: stdout + stderr,
          }),
      );
    });
    expect(tsc.output).toBe('');
    expect(tsc.status).toBe(0);
  }, 180_000);

  it.concurrent('the new conversation test passes through the stand-in and the webhook (ES and CX)', async () => {
    const r = await dffAsync(
      'converse',
      join(project, 'conversations', 'opening-hours.yaml'),
      join(project, 'conversations', 'greetings.yaml'),
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ ES opening-hours.yaml › opening hours');
    expect(r.stdout).toContain('✓ CX opening-hours.yaml › opening hours');
    expect(r.stdout).toContain('4 passed, 0 failed');
  }, 180_000);
});

describe('registering in the project’s files', () => {
  it.each([
    [
      'a map filled with set()',
      "function f() {\n  const intents = new Map();\n  intents.set('a', a);\n  return intents;\n}\n",
      "function f() {\n  const intents = new Map();\n  intents.set('a', a);\n  intents.set('b_c', bC);\n  return intents;\n}\n",
    ],
    [
      'a Map literal',
      "export const m = () =>\n  new Map([\n    ['a', a],\n  ]);\n",
      "export const m = () =>\n  new Map([\n    ['a', a],\n    ['b_c', bC],\n  ]);\n",
    ],
  ])('intent into %s', (_name, source, expected) => {
    expect(registerIntent(source, 'b_c', 'bC')).toBe(expected);
  });

  it('intent: says so when there is no place for it', () => {
    expect(() => registerIntent('export const m = {};\n', 'b', 'b')).toThrow(AddError);
  });

  it.each([
    ['createJobRegistry([])', 'createJobRegistry([job])'],
    ['createJobRegistry([a, b])', 'createJobRegistry([a, b, job])'],
    ['createJobRegistry([\n  a,\n  b,\n])', 'createJobRegistry([\n  a,\n  b,\n  job,\n])'],
  ])('job into %s', (source, expected) => {
    expect(registerJob(source, 'job')).toBe(expected);
  });
});
