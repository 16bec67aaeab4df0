import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freeStackPort, portIsFree } from '@dialogflow-functions/testing/processes';
import { REPO } from './helpers/paths';
import { esRequest } from '@dialogflow-functions/testing/requests';
import {
  commandLine,
  descendantsOf,
  isAlive,
  isLoopback,
  listeningSockets,
  type Listening,
} from '@dialogflow-functions/testing/proc';
import { post } from './helpers/servers';
import { until } from '@dialogflow-functions/testing/wait';

/*
 * `npm start` and `npm run dev` as a user runs them (npm, the build, the emulators, both
 * functions), each on ports of its own, seen from outside through /proc: what listens where,
 * which processes run, and what is left after a signal to npm's PID.
 */

interface Stack {
  npm: ChildProcess;
  output: string[];
  /** 'line' for each line of output, as it comes. */
  lines: EventEmitter;
  ports: Record<string, string>;
  webhookUrl: string;
  exited: Promise<number | null>;
}

const running: Stack[] = [];

async function startStack(script: 'start' | 'dev', env: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const ports = {
    WEBHOOK_PORT: String(await freeStackPort()),
    WORKER_PORT: String(await freeStackPort()),
    CLOUD_TASKS_EMULATOR_PORT: String(await freeStackPort()),
    DEV_CONSOLE_PORT: String(await freeStackPort()),
    DIALOGFLOW_STAND_IN_PORT: String(await freeStackPort()),
    CHAT_PORT: String(await freeStackPort()),
    CHAT_PAGE_PORT: String(await freeStackPort()),
  };
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', ...ports, ...env };
  for (const name of ['FIRESTORE_EMULATOR_HOST', 'CLOUD_TASKS_EMULATOR_HOST']) {
    if (!(name in env)) delete childEnv[name];
  }
  const npm = spawn('npm', script === 'start' ? ['start'] : ['run', 'dev'], {
    cwd: REPO,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const lines = new EventEmitter();
  for (const stream of [npm.stdout, npm.stderr]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        output.push(line);
        lines.emit('line', line);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const stack = {
    npm,
    output,
    lines,
    ports,
    webhookUrl: `http://127.0.0.1:${ports.WEBHOOK_PORT}/`,
    exited,
  };
  running.push(stack);
  await nextLine(stack, /Local stack is up/, 0, 240_000);
  return stack;
}

/**
 * The first line of the stack's output from line `from` on that matches `pattern`: one printed
 * already, else the next one printed (an event, not a poll). Fails when npm exits first or after
 * `timeoutMs`.
 */
function nextLine(
  stack: Stack,
  pattern: RegExp,
  from: number,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
  for (const line of stack.output.slice(from)) {
    const found = line.match(pattern);
    if (found) return Promise.resolve(found);
  }
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      stack.lines.off('line', onLine);
      stack.npm.off('exit', onExit);
    };
    const onLine = (line: string) => {
      const found = line.match(pattern);
      if (!found) return;
      done();
      resolve(found);
    };
    const onExit = () => {
      done();
      reject(new Error(`npm exited before ${pattern}:\n${stack.output.join('\n')}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${stack.output.join('\n')}`));
    }, timeoutMs);
    stack.lines.on('line', onLine);
    stack.npm.once('exit', onExit);
    if (stack.npm.exitCode !== null) onExit();
  });
}

/** POSTs the welcome until the webhook answers 200 (its port open again after a restart). */
async function webhookAnswers(stack: Stack, timeoutMs: number): Promise<void> {
  await until(
    () =>
      post(stack.webhookUrl, welcome()).then(
        (r) => r.status === 200,
        () => false,
      ),
    timeoutMs,
    'the webhook answers',
  );
}

afterEach(async () => {
  // A failed test must not leave a stack behind: SIGKILL to whatever is left, by PID.
  for (const stack of running.splice(0)) {
    const pids = [stack.npm.pid!, ...descendantsOf(stack.npm.pid!)];
    for (const pid of pids.reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
});

const welcome = () => esRequest({ name: 'Default Welcome Intent' });

/** The stack's processes: npm and everything below it. */
function processTree(stack: Stack): number[] {
  return [stack.npm.pid!, ...descendantsOf(stack.npm.pid!)];
}

function functionPid(stack: Stack, target: 'webhook' | 'worker'): number | undefined {
  return processTree(stack).find(
    (pid) => isAlive(pid) && commandLine(pid).includes(`--target=${target}`),
  );
}

function listening(pids: number[]): Listening[] {
  return pids.flatMap(listeningSockets);
}

/** Sends `signal` to npm's PID and checks that nothing of the stack is left. */
async function stopAndCheck(stack: Stack, signal: NodeJS.Signals): Promise<void> {
  const pids = processTree(stack);
  const ports = [...new Set(listening(pids).map((l) => l.port))];
  process.kill(stack.npm.pid!, signal);
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000));
  expect(await Promise.race([stack.exited, timeout]), 'npm exits').not.toBe('timeout');
  await until(
    () => pids.every((pid) => !isAlive(pid)),
    10_000,
    'every process of the stack gone',
  ).catch(() => undefined);
  const left = pids.filter(isAlive).map((pid) => `${pid} ${commandLine(pid)}`);
  expect(left, 'processes left').toEqual([]);
  for (const port of ports) expect(await portIsFree('127.0.0.1', port), `port ${port}`).toBe(true);
  running.splice(running.indexOf(stack), 1);
}

describe.skipIf(process.platform !== 'linux')('the local stack', () => {
  it(
    'npm start: listens on 127.0.0.1 only, restarts a killed function, stops everything on SIGTERM',
    { timeout: 300_000 },
    async () => {
      const stack = await startStack('start');
      const pids = processTree(stack);
      const commands = pids.map(commandLine);
      // Google's Firestore emulator (java), the tasks emulator and both functions run below npm.
      expect(commands.some((c) => /^(\S*\/)?java .*CloudFirestore/.test(c))).toBe(true);
      expect(commands.some((c) => /cloud-tasks-emulator\/(src|dist)\/main\.(ts|js)/.test(c))).toBe(
        true,
      );
      expect(functionPid(stack, 'webhook')).toBeDefined();
      expect(functionPid(stack, 'worker')).toBeDefined();

      // Everything the stack listens on is loopback, the functions and emulators included.
      const sockets = listening(pids);
      const ports = sockets.map((l) => l.port);
      for (const name of ['WEBHOOK_PORT', 'WORKER_PORT', 'CLOUD_TASKS_EMULATOR_PORT'])
        expect(ports, name).toContain(Number(stack.ports[name]));
      expect(sockets.filter((l) => !isLoopback(l.address))).toEqual([]);

      expect((await post(stack.webhookUrl, welcome())).status).toBe(200);

      // kill -9 of the webhook: started again, answering again.
      const first = functionPid(stack, 'webhook')!;
      const from = stack.output.length;
      process.kill(first, 'SIGKILL');
      // The supervisor's own account: it saw the kill, and the new process's port answers.
      const restarted = await nextLine(stack, /webhook restarted \(pid (\d+)\)/, from, 60_000);
      const second = Number(restarted[1]);
      expect(second).not.toBe(first);
      await webhookAnswers(stack, 60_000);
      expect(functionPid(stack, 'webhook')).toBe(second);
      expect(
        stack.output.some((l) => /webhook exited \(signal SIGKILL\); restarting/.test(l)),
      ).toBe(true);
      const again = listening([functionPid(stack, 'webhook')!]);
      expect(again.map((l) => [l.address, l.port])).toEqual([
        ['127.0.0.1', Number(stack.ports.WEBHOOK_PORT)],
      ]);

      await stopAndCheck(stack, 'SIGTERM');
    },
  );

  it(
    'npm run dev: a source change rebuilds and restarts the functions, an agent change the stand-in; SIGINT stops everything',
    { timeout: 300_000 },
    async () => {
      const stack = await startStack('dev', { FIRESTORE_EMULATOR_HOST: inject('firestoreHost') });
      const webhook = functionPid(stack, 'webhook')!;
      const worker = functionPid(stack, 'worker')!;
      expect(webhook).toBeDefined();
      // A save without a change is still a change to the watcher (and leaves the source as it is).
      const now = new Date();
      let from = stack.output.length;
      utimesSync(join(REPO, 'packages', 'core', 'src', 'lazy.ts'), now, now);
      // Printed once both answer on their ports again, with their new PIDs.
      const restarted = await nextLine(
        stack,
        /functions restarted \(webhook pid (\d+), worker pid (\d+)[,)]/,
        from,
        120_000,
      );
      const [w, k] = [Number(restarted[1]), Number(restarted[2])];
      expect(w).not.toBe(webhook);
      expect(k).not.toBe(worker);
      await webhookAnswers(stack, 30_000);
      expect(stack.output.some((l) => /restarting the functions/.test(l))).toBe(true);
      // An agent source saved: the stand-in is started again with it, on the same port.
      from = stack.output.length;
      utimesSync(join(REPO, 'examples', 'restaurant', 'agent', 'agent.yaml'), now, now);
      await nextLine(stack, /the stand-in runs the new agent/, from, 120_000);
      expect(await portIsFree('127.0.0.1', Number(stack.ports.DIALOGFLOW_STAND_IN_PORT))).toBe(
        false,
      );
      await stopAndCheck(stack, 'SIGINT');
    },
  );
});
