import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { spawnService } from '../src/processes';

const ROOT = join(__dirname, '..', '..', '..');
/** A project to serve: the example bot (built by `npm run build`). */
const PROJECT = join(ROOT, 'examples', 'restaurant');
import { freePort } from '../src/ports';
import { commandLine, descendantsOf, isAlive, listeningSockets, threadStates } from '../src/proc';
import { until } from '../src/wait';

/*
 * The children scripts/lib/processes.ts starts (npm start's, the tests'): each leads a process
 * group that stop() empties, and none outlives the process that started it, even a kill -9.
 */
describe.skipIf(process.platform !== 'linux')('children we start', () => {
  it('threadStates reads every thread stopped after SIGSTOP, none after SIGCONT', async () => {
    // node: several threads (its workers), each stopped by the signal.
    const service = spawnService({
      name: 'node',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
    });
    try {
      const pid = service.child.pid!;
      await until(() => threadStates(pid).length > 1, 5000, 'node threads');
      expect(threadStates(pid)).not.toContain('T');
      process.kill(pid, 'SIGSTOP');
      await until(() => threadStates(pid).every((st) => st === 'T'), 5000, 'every thread stopped');
      process.kill(pid, 'SIGCONT');
      await until(() => !threadStates(pid).includes('T'), 5000, 'none stopped');
    } finally {
      await service.stop(2000);
    }
    expect(threadStates(service.child.pid!)).toEqual([]);
  });

  it('stop() ends the whole process group, grandchildren too', async () => {
    const service = spawnService({
      name: 'shell',
      command: 'sh',
      args: ['-c', 'sleep 120 & sleep 120 & echo started; wait'],
    });
    await until(() => descendantsOf(service.child.pid!).length >= 2, 5000, 'grandchildren');
    const all = [service.child.pid!, ...descendantsOf(service.child.pid!)];
    await service.stop(2000);
    await until(() => all.every((pid) => !isAlive(pid)), 5000, 'group gone');
    expect(all.filter(isAlive)).toEqual([]);
  });

  it(
    'a kill -9 of the parent takes the tasks emulator, a function and any other command along',
    { timeout: 60_000 },
    async () => {
      const [tasksPort, functionPort] = [await freePort(), await freePort()];
      const processes = JSON.stringify(join(__dirname, '..', 'src', 'processes.ts'));
      const program = `
        const p = require(${processes});
        (async () => {
          const sleeper = p.spawnService({ name: 'sleep', command: 'sleep', args: ['120'] });
          const tasks = p.spawnTasksEmulator(${tasksPort});
          const fn = p.spawnFunction({ target: 'webhook', port: ${functionPort}, source: ${JSON.stringify(PROJECT)},
            env: { PATH: process.env.PATH, NODE_ENV: 'test' } });
          await p.waitForPort('127.0.0.1', ${tasksPort}, 30000, tasks);
          await p.waitForPort('127.0.0.1', ${functionPort}, 30000, fn);
          console.log(JSON.stringify([sleeper, tasks, fn].map((s) => s.child.pid)));
        })();`;
      const parent = spawn(
        process.execPath,
        ['--conditions=dff-source', '--import', 'tsx', '-e', program],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: parent.stdout }).once('line', resolve),
      );
      const pids = JSON.parse(line) as number[];
      try {
        expect(pids.every(isAlive)).toBe(true);
        // The function listens on 127.0.0.1 only (functions-framework alone: every interface).
        expect(listeningSockets(pids[2]!).map((l) => l.address)).toEqual(['127.0.0.1']);
        process.kill(parent.pid!, 'SIGKILL');
        await until(() => pids.every((pid) => !isAlive(pid)), 20_000, 'children gone').catch(
          () => undefined,
        );
        expect(pids.filter(isAlive).map(commandLine)).toEqual([]);
      } finally {
        for (const pid of [parent.pid!, ...pids]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    },
  );
});
