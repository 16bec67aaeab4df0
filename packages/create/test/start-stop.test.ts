import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DetectIntentClient } from '@dialogflow-functions/dev/lib/dialogflow-client';
import { portIsFree } from '@dialogflow-functions/testing/processes';
import {
  commandLine,
  descendantsOf,
  isAlive,
  listeningSockets,
} from '@dialogflow-functions/testing/proc';
import { until } from '@dialogflow-functions/testing/wait';
import {
  copyInstalled,
  generator,
  readPackage,
  sharedMinimalProject,
  sharedPacks,
  spawnCollecting,
  stackPorts,
  tempDir,
  userEnv,
} from './helpers/project';

/*
 * `npm start` in a project made from the packed tarballs (ES edition: one agent): the whole
 * local stack comes up on the ports the environment names, the Dialogflow stand-in answers the
 * welcome through the project's webhook (DetectIntent with Google's own client), and SIGTERM to
 * npm's PID stops every process it started, with no port left open. Its dependencies are the
 * install of the run's minimal project (sharedMinimalProject: the same dependencies from the same
 * tarballs, which an edition does not change), linked in rather than installed again.
 */

const temp = tempDir('start-stop');
const dir = join(temp.dir, 'start-bot');
let npm: ReturnType<typeof spawnCollecting> | undefined;
afterAll(() => temp.cleanup());

beforeAll(async () => {
  const { packs } = await sharedPacks();
  generator.create({ dir, template: 'minimal', edition: 'es', packs });
  const installed = await sharedMinimalProject();
  // What npm install would install here is what it installed there.
  const dependencies = (d: string) => {
    const { dependencies, devDependencies, overrides } = readPackage(d);
    return { dependencies, devDependencies, overrides };
  };
  expect(dependencies(dir)).toEqual(dependencies(installed));
  copyInstalled(installed, dir, true);
}, 600_000);

afterEach(() => {
  // A failed test leaves nothing behind: SIGKILL to whatever is left, by PID.
  if (!npm?.child.pid) return;
  for (const pid of [npm.child.pid, ...descendantsOf(npm.child.pid)].reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

describe.skipIf(process.platform !== 'linux')('npm start in a scaffolded project', () => {
  it(
    'answers the welcome through the stand-in, and SIGTERM stops everything',
    { timeout: 600_000 },
    async () => {
      const ports = await stackPorts();
      npm = spawnCollecting('npm', ['start'], dir, userEnv(ports));
      const { child, lines, exited } = npm;
      await until(
        () => {
          if (child.exitCode !== null) throw new Error(`npm start exited:\n${lines.join('\n')}`);
          return lines.some((l) => l.includes('Local stack is up'));
        },
        300_000,
        'npm start up',
      );
      const output = lines.join('\n');
      expect(output).toContain(`webhook  http://127.0.0.1:${ports.WEBHOOK_PORT}/`);
      expect(output).toContain(`console  http://127.0.0.1:${ports.DEV_CONSOLE_PORT}/`);
      expect(output).toContain(`dialogflow 127.0.0.1:${ports.DIALOGFLOW_STAND_IN_PORT}`);
      expect(output).toContain('seeded 1 example order');

      const client = new DetectIntentClient('es', {
        agent: undefined,
        emulatorHost: `127.0.0.1:${ports.DIALOGFLOW_STAND_IN_PORT}`,
      });
      try {
        const turn = await client.detect({ text: 'hello', sessionId: 'start-stop' });
        expect(turn.intent).toBe('Default Welcome Intent');
        expect(turn.texts).toEqual(['Hello! I can brew coffee for you. Say "order 2 coffees".']);
        expect(turn.webhook.outcome).toBe('ok');
      } finally {
        await client.close();
      }

      // Everything below npm: dff, the Firestore emulator (java), the tasks emulator, the three
      // functions (webhook, worker, chat).
      const pids = [child.pid!, ...descendantsOf(child.pid!)];
      const commands = pids.map(commandLine);
      expect(commands.some((c) => /java .*CloudFirestore/.test(c))).toBe(true);
      expect(commands.some((c) => c.includes('cloud-tasks-emulator'))).toBe(true);
      expect(commands.filter((c) => c.includes('--target=')).length).toBe(3);
      // The chat's sample page serves the widget the packed core ships (dist/widget).
      expect(output).toContain(`page     http://127.0.0.1:${ports.CHAT_PAGE_PORT}/`);
      const listening = [...new Set(pids.flatMap(listeningSockets).map((l) => l.port))];
      for (const name of [
        'WEBHOOK_PORT',
        'WORKER_PORT',
        'DEV_CONSOLE_PORT',
        'DIALOGFLOW_STAND_IN_PORT',
        'CLOUD_TASKS_EMULATOR_PORT',
        'CHAT_PORT',
        'CHAT_PAGE_PORT',
      ]) {
        expect(listening, name).toContain(Number(ports[name]));
      }

      process.kill(child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
      await until(() => pids.every((pid) => !isAlive(pid)), 15_000, 'every process gone').catch(
        () => undefined,
      );
      expect(
        pids.filter(isAlive).map((pid) => `${pid} ${commandLine(pid)}`),
        'processes left',
      ).toEqual([]);
      for (const port of listening)
        expect(await portIsFree('127.0.0.1', port), `port ${port}`).toBe(true);
      npm = undefined;
    },
  );
});
