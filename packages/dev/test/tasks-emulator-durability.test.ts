import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTasksClient, type CloudTasksClient } from '@dialogflow-functions/core/tasks';
import {
  freePort,
  spawnTasksEmulator,
  waitForPort,
  type Service,
} from '@dialogflow-functions/testing/processes';
import { startTasksEmulator } from 'cloud-tasks-emulator/server';

/*
 * `npm run tasks-emulator -- --data-dir D` answers an RPC only once its change is on disk:
 * the emulator runs as a child process, is killed with SIGKILL the moment an answer arrives
 * (no chance to save on the way out), and a new one on the same data dir must know everything
 * the first one said yes to.
 */
const LOCATION = 'projects/demo-local/locations/asia-east1';
const QUEUE = `${LOCATION}/queues/durable`;
// Far enough ahead that nothing is dispatched while the test runs.
const later = () => ({ seconds: Math.floor(Date.now() / 1000) + 3600 });

describe('tasks emulator with --data-dir, killed with SIGKILL right after it answers', () => {
  let dataDir: string;
  let port: number;
  let running: { service: Service; client: CloudTasksClient } | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tasks-emulator-kill-'));
    port = await freePort();
  });
  afterAll(async () => {
    await running?.client.close();
    await running?.service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<CloudTasksClient> {
    const service = spawnTasksEmulator(port, undefined, ['--data-dir', dataDir, '--quiet']);
    await waitForPort('127.0.0.1', port, 30_000, service);
    const client = await createTasksClient(`127.0.0.1:${port}`);
    running = { service, client };
    return client;
  }

  /** Kills the emulator by PID with SIGKILL now (synchronously) and waits until it is gone. */
  function killNow(): Promise<unknown> {
    const { service, client } = running!;
    process.kill(service.child.pid!, 'SIGKILL');
    running = undefined;
    return Promise.all([service.exited, client.close()]);
  }

  it(
    'keeps every acknowledged queue, task, deletion and used name',
    { timeout: 90_000 },
    async () => {
      // 1. A queue, killed as soon as CreateQueue answers.
      let client = await start();
      await client.createQueue({ parent: LOCATION, queue: { name: QUEUE } }).then(killNow);

      // 2. Tasks created concurrently, with given and generated names; killed at the last answer.
      client = await start();
      expect((await client.getQueue({ name: QUEUE }))[0].name).toBe(QUEUE);
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          client.createTask({
            parent: QUEUE,
            task: {
              ...(i % 2 === 0 ? { name: `${QUEUE}/tasks/given-${i}` } : {}),
              scheduleTime: later(),
              httpRequest: { url: 'http://127.0.0.1:9/', body: Buffer.from(`task ${i}`) },
            },
          }),
        ),
      );
      // …and one more, with the kill in the same tick as its answer.
      const last = await client
        .createTask({
          parent: QUEUE,
          task: { scheduleTime: later(), httpRequest: { url: 'http://127.0.0.1:9/' } },
        })
        .then(async ([task]) => {
          await killNow();
          return task;
        });
      const names = [...created.map(([t]) => t.name!), last.name!];

      // 3. A deletion, killed as soon as DeleteTask answers.
      client = await start();
      const [listed] = await client.listTasks({ parent: QUEUE, responseView: 'FULL' });
      expect(listed.map((t) => t.name).sort()).toEqual([...names].sort());
      expect(
        Buffer.from(
          listed.find((t) => t.name === names[3])!.httpRequest!.body as Uint8Array,
        ).toString(),
      ).toBe('task 3');
      const deleted = `${QUEUE}/tasks/given-0`;
      await client.deleteTask({ name: deleted }).then(killNow);

      // 4. The deletion held, and its name stays used.
      client = await start();
      expect((await client.listTasks({ parent: QUEUE }))[0]).toHaveLength(names.length - 1);
      const reuse = await client
        .createTask({
          parent: QUEUE,
          task: { name: deleted, httpRequest: { url: 'http://127.0.0.1:9/' } },
        })
        .then(
          () => undefined,
          (err: { code: number }) => err.code,
        );
      expect(reuse).toBe(status.ALREADY_EXISTS);
    },
  );
});

describe('tasks emulator data dir: journal and snapshots', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function withEmulator<T>(
    dataDir: string,
    fn: (client: CloudTasksClient) => Promise<T>,
  ): Promise<T> {
    const emu = await startTasksEmulator({ port: 0, dataDir });
    const client = await createTasksClient(emu.host);
    try {
      return await fn(client);
    } finally {
      await client.close();
      await emu.stop();
    }
  }

  const big = (i: number) => ({
    parent: QUEUE,
    task: {
      name: `${QUEUE}/tasks/big-${i}`,
      scheduleTime: later(),
      httpRequest: { url: 'http://127.0.0.1:9/', body: Buffer.alloc(60 * 1024, String(i % 10)) },
    },
  });

  it('folds a grown journal into a new snapshot and reads both back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tasks-emulator-journal-'));
    dirs.push(dataDir);
    await withEmulator(dataDir, async (client) => {
      await client.createQueue({ parent: LOCATION, queue: { name: QUEUE } });
      // 30 × 60 KB written one by one: the journal passes 1 MiB and becomes a snapshot.
      for (let i = 0; i < 30; i++) await client.createTask(big(i));
      await client.deleteTask({ name: `${QUEUE}/tasks/big-7` });
    });
    const files = readdirSync(dataDir).sort();
    expect(files).toContain('tasks-emulator.json');
    const generation = (
      JSON.parse(readFileSync(join(dataDir, 'tasks-emulator.json'), 'utf8')) as {
        generation: number;
      }
    ).generation;
    expect(generation).toBeGreaterThan(0);
    // Only the journal that continues the snapshot is left.
    expect(files.filter((f) => f.endsWith('.journal'))).toEqual(
      existsSync(join(dataDir, `tasks-emulator.${generation}.journal`))
        ? [`tasks-emulator.${generation}.journal`]
        : [],
    );
    await withEmulator(dataDir, async (client) => {
      const [tasks] = await client.listTasks({ parent: QUEUE, responseView: 'FULL' });
      expect(tasks).toHaveLength(29);
      const t12 = tasks.find((t) => t.name === `${QUEUE}/tasks/big-12`)!;
      expect(
        Buffer.from(t12.httpRequest!.body as Uint8Array)
          .subarray(0, 3)
          .toString(),
      ).toBe('222');
      const reuse = await client.createTask(big(7)).then(
        () => undefined,
        (err: { code: number }) => err.code,
      );
      expect(reuse).toBe(status.ALREADY_EXISTS);
    });
  });

  it('ignores a last journal line cut short (a write that was never answered)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tasks-emulator-torn-'));
    dirs.push(dataDir);
    await withEmulator(dataDir, async (client) => {
      await client.createQueue({ parent: LOCATION, queue: { name: QUEUE } });
      await client.createTask(big(1));
    });
    appendFileSync(join(dataDir, 'tasks-emulator.0.journal'), '[{"task":"projects/demo-lo');
    await withEmulator(dataDir, async (client) => {
      const [tasks] = await client.listTasks({ parent: QUEUE });
      expect(tasks.map((t) => t.name)).toEqual([`${QUEUE}/tasks/big-1`]);
      // …and goes on writing after it.
      await client.createTask(big(2));
    });
    await withEmulator(dataDir, async (client) => {
      expect((await client.listTasks({ parent: QUEUE }))[0]).toHaveLength(2);
    });
  });
});
