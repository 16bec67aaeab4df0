import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTasksClient, type CloudTasksClient } from '@dialogflow-functions/core/tasks';
import { startTasksEmulator, type RunningEmulator } from 'cloud-tasks-emulator/server';
import { backoffMs, retriesExhausted, DEFAULT_RETRY } from 'cloud-tasks-emulator/model';
import {
  freePort,
  nodeArgsFor,
  spawnTasksEmulator,
  waitForPort,
} from '@dialogflow-functions/testing/processes';
import { ManualClock } from '@dialogflow-functions/testing/manual-clock';

const LOCATION = 'projects/demo-local/locations/asia-east1';

interface Received {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP target whose answers the tests choose. */
class Target {
  received: Received[] = [];
  respond: (r: Received, index: number) => number | 'hang' = () => 200;
  private open = new Set<unknown>();
  maxActive = 0;
  delayMs = 0;
  url = '';
  private server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r: Received = {
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
      };
      const index = this.received.length;
      this.received.push(r);
      const answer = this.respond(r, index);
      if (answer === 'hang') return;
      // Per-test bookkeeping: an answer still pending from the last test must not count here.
      const open = this.open;
      open.add(res);
      this.maxActive = Math.max(this.maxActive, open.size);
      setTimeout(() => {
        open.delete(res);
        res.writeHead(answer).end();
      }, this.delayMs);
    });
  });
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jobs`;
  }
  reset(): void {
    this.received = [];
    this.respond = () => 200;
    this.delayMs = 0;
    this.open = new Set();
    this.maxActive = 0;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rpcError(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: number; details: string };
  }
  throw new Error('expected the call to fail');
}

const ms = (n: number) => ({ seconds: Math.floor(n / 1000), nanos: (n % 1000) * 1e6 });

describe('Cloud Tasks emulator with the real @google-cloud/tasks client', () => {
  let emu: RunningEmulator;
  let client: CloudTasksClient;
  const target = new Target();
  let n = 0;
  let queue: string;

  beforeAll(async () => {
    await target.start();
    emu = await startTasksEmulator({ port: 0 });
    client = await createTasksClient(emu.host);
  });
  afterAll(async () => {
    await client.close();
    await emu.stop();
    await target.stop();
  });
  beforeEach(async () => {
    target.reset();
    queue = `${LOCATION}/queues/q-${++n}`;
    await client.createQueue({
      parent: LOCATION,
      queue: {
        name: queue,
        retryConfig: { minBackoff: ms(100), maxBackoff: ms(400), maxDoublings: 1, maxAttempts: 5 },
      },
    });
  });

  const pendingIn = (q: string) =>
    [...emu.emulator.tasks.values()].filter((t) => t.queue === q).length;

  const task = (extra: Record<string, unknown> = {}, http: Record<string, unknown> = {}) => ({
    parent: queue,
    task: {
      httpRequest: {
        url: target.url,
        headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' },
        body: Buffer.from(JSON.stringify({ hello: 'world' })),
        ...http,
      },
      ...extra,
    },
  });

  describe('queues', () => {
    it('create, get, list, update with a mask, pause, resume, purge, delete', async () => {
      const [got] = await client.getQueue({ name: queue });
      expect(got.state).toBe('RUNNING');
      expect(Number(got.retryConfig?.minBackoff?.nanos)).toBe(100e6);
      expect(got.rateLimits?.maxDispatchesPerSecond).toBe(500);

      const [list] = await client.listQueues({ parent: LOCATION });
      expect(list.map((q) => q.name)).toContain(queue);

      const [updated] = await client.updateQueue({
        queue: {
          name: queue,
          retryConfig: { maxAttempts: 9, maxDoublings: 7 },
          rateLimits: { maxDispatchesPerSecond: 3 },
        },
        updateMask: {
          paths: ['retry_config.max_attempts', 'rate_limits.max_dispatches_per_second'],
        },
      });
      expect(updated.retryConfig?.maxAttempts).toBe(9);
      expect(updated.retryConfig?.maxDoublings).toBe(1); // not in the mask
      expect(updated.rateLimits?.maxDispatchesPerSecond).toBe(3);

      expect((await client.pauseQueue({ name: queue }))[0].state).toBe('PAUSED');
      expect((await client.resumeQueue({ name: queue }))[0].state).toBe('RUNNING');
      const [purged] = await client.purgeQueue({ name: queue });
      expect(purged.purgeTime?.seconds).toBeTruthy();

      await client.deleteQueue({ name: queue });
      expect((await rpcError(client.getQueue({ name: queue }))).code).toBe(status.NOT_FOUND);
    });

    it('UpdateQueue creates a queue that does not exist', async () => {
      const name = `${LOCATION}/queues/created-by-update-${n}`;
      await client.updateQueue({ queue: { name, retryConfig: { maxAttempts: 3 } } });
      expect((await client.getQueue({ name }))[0].retryConfig?.maxAttempts).toBe(3);
    });

    it.each([
      [
        'a second create',
        () => ({ parent: LOCATION, queue: { name: queue } }),
        status.ALREADY_EXISTS,
        /already exists/,
      ],
      [
        'a bad queue id',
        () => ({ parent: LOCATION, queue: { name: `${LOCATION}/queues/bad_id!` } }),
        status.INVALID_ARGUMENT,
        /QUEUE_ID/,
      ],
      [
        'a queue outside the parent',
        () => ({
          parent: `projects/p/locations/us-central1`,
          queue: { name: `${LOCATION}/queues/x` },
        }),
        status.INVALID_ARGUMENT,
        /not in parent/,
      ],
      [
        'min backoff over max',
        () => ({
          parent: LOCATION,
          queue: {
            name: `${LOCATION}/queues/rc-${n}`,
            retryConfig: { minBackoff: ms(5000), maxBackoff: ms(1000) },
          },
        }),
        status.INVALID_ARGUMENT,
        /min_backoff/,
      ],
      [
        'a rate over 500/s',
        () => ({
          parent: LOCATION,
          queue: {
            name: `${LOCATION}/queues/rl-${n}`,
            rateLimits: { maxDispatchesPerSecond: 501 },
          },
        }),
        status.INVALID_ARGUMENT,
        /max_dispatches_per_second/,
      ],
      [
        'max attempts below -1',
        () => ({
          parent: LOCATION,
          queue: { name: `${LOCATION}/queues/ma-${n}`, retryConfig: { maxAttempts: -3 } },
        }),
        status.INVALID_ARGUMENT,
        /max_attempts/,
      ],
    ])('CreateQueue rejects %s', async (_n, req, code, message) => {
      const err = await rpcError(client.createQueue(req()));
      expect(err.code).toBe(code);
      expect(err.details).toMatch(message);
    });

    it('missing queues are NOT_FOUND for every queue RPC', async () => {
      const name = `${LOCATION}/queues/nope`;
      for (const call of [
        () => client.getQueue({ name }),
        () => client.pauseQueue({ name }),
        () => client.resumeQueue({ name }),
        () => client.purgeQueue({ name }),
        () => client.deleteQueue({ name }),
        () => client.listTasks({ parent: name }),
      ]) {
        expect((await rpcError(call())).code).toBe(status.NOT_FOUND);
      }
    });
  });

  describe('tasks', () => {
    it('creates with a generated name and delivers with the service headers', async () => {
      const [created] = await client.createTask(task());
      expect(created.name).toMatch(new RegExp(`^${queue}/tasks/[0-9a-f]{32}$`));
      await until(() => target.received.length === 1);
      const r = target.received[0]!;
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/jobs');
      expect(JSON.parse(r.body)).toEqual({ hello: 'world' });
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        'x-custom': 'yes',
        'user-agent': 'Google-Cloud-Tasks',
        'x-cloudtasks-queuename': queue.split('/').pop(),
        'x-cloudtasks-taskname': created.name!.split('/').pop(),
        'x-cloudtasks-taskretrycount': '0',
        'x-cloudtasks-taskexecutioncount': '0',
      });
      expect(Number(r.headers['x-cloudtasks-tasketa'])).toBeCloseTo(
        Number(created.scheduleTime?.seconds),
        -1,
      );
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
      await until(() => pendingIn(queue) === 0);
    });

    it('uses the task method; a body-less task gets no content type', async () => {
      await client.createTask({
        parent: queue,
        task: { httpRequest: { url: target.url, httpMethod: 'GET' } },
      });
      await until(() => target.received.length === 1);
      expect(target.received[0]!.method).toBe('GET');
      expect(target.received[0]!.headers['content-type']).toBeUndefined();
    });

    it('keeps OIDC/OAuth tokens on the task and sends no Authorization header', async () => {
      const logs: string[] = [];
      const own = await startTasksEmulator({ port: 0, log: (m) => logs.push(m) });
      const c = await createTasksClient(own.host);
      try {
        await c.createQueue({ parent: LOCATION, queue: { name: queue } });
        const [t] = await c.createTask(
          task(
            {},
            {
              oidcToken: {
                serviceAccountEmail: 'tasks@demo-local.iam.gserviceaccount.com',
                audience: 'https://worker',
              },
            },
          ),
        );
        expect(t.httpRequest?.oidcToken?.serviceAccountEmail).toBe(
          'tasks@demo-local.iam.gserviceaccount.com',
        );
        await until(() => target.received.length === 1);
        expect(target.received[0]!.headers.authorization).toBeUndefined();
        expect(logs.some((l) => /would add an Authorization header/.test(l))).toBe(true);
      } finally {
        await c.close();
        await own.stop();
      }
    });

    it('a name seen in the last hour is ALREADY_EXISTS, even after the task ran', async () => {
      const name = `${queue}/tasks/order-1001-reservation`;
      await client.createTask(task({ name }));
      const dup = await rpcError(client.createTask(task({ name })));
      expect(dup.code).toBe(status.ALREADY_EXISTS);
      await until(() => target.received.length === 1 && pendingIn(queue) === 0);
      expect((await rpcError(client.getTask({ name }))).code).toBe(status.NOT_FOUND);
      expect((await rpcError(client.createTask(task({ name })))).code).toBe(status.ALREADY_EXISTS);
      expect(target.received).toHaveLength(1);
    });

    it('GetTask BASIC leaves out the body, FULL has it; ListTasks; DeleteTask', async () => {
      const later = { seconds: Math.floor(Date.now() / 1000) + 60 };
      const [a] = await client.createTask(task({ name: `${queue}/tasks/a`, scheduleTime: later }));
      await client.createTask(task({ name: `${queue}/tasks/b`, scheduleTime: later }));
      const [basic] = await client.getTask({ name: a.name! });
      expect(basic.view).toBe('BASIC');
      expect(basic.httpRequest?.body?.length ?? 0).toBe(0);
      const [full] = await client.getTask({ name: a.name!, responseView: 'FULL' });
      expect(Buffer.from(full.httpRequest!.body as Uint8Array).toString()).toBe(
        '{"hello":"world"}',
      );
      expect(full.httpRequest?.headers).toMatchObject({ 'X-Custom': 'yes' });
      const [tasks] = await client.listTasks({ parent: queue });
      expect(tasks.map((t) => t.name)).toEqual([`${queue}/tasks/a`, `${queue}/tasks/b`]);
      await client.deleteTask({ name: a.name! });
      expect((await rpcError(client.getTask({ name: a.name! }))).code).toBe(status.NOT_FOUND);
      expect((await rpcError(client.deleteTask({ name: a.name! }))).code).toBe(status.NOT_FOUND);
      expect((await client.listTasks({ parent: queue }))[0]).toHaveLength(1);
      expect(target.received).toHaveLength(0);
    });

    it('RunTask dispatches a future task now', async () => {
      const [t] = await client.createTask(
        task({ scheduleTime: { seconds: Math.floor(Date.now() / 1000) + 3600 } }),
      );
      const [ran] = await client.runTask({ name: t.name! });
      expect(ran.name).toBe(t.name);
      await until(() => target.received.length === 1);
    });

    it.each([
      [
        'a body over 100 KB',
        () => task({}, { body: Buffer.alloc(101 * 1024, 'a') }),
        status.INVALID_ARGUMENT,
        /larger than the maximum/,
      ],
      [
        'a queue that does not exist',
        () => ({ ...task(), parent: `${LOCATION}/queues/missing` }),
        status.NOT_FOUND,
        /does not exist/,
      ],
      [
        'no http_request',
        () => ({ parent: queue, task: {} }),
        status.INVALID_ARGUMENT,
        /http_request/,
      ],
      ['a relative URL', () => task({}, { url: '/jobs' }), status.INVALID_ARGUMENT, /absolute/],
      [
        'a non-http URL',
        () => task({}, { url: 'ftp://127.0.0.1/x' }),
        status.INVALID_ARGUMENT,
        /http or https/,
      ],
      [
        'a name in another queue',
        () => task({ name: `${LOCATION}/queues/other/tasks/x` }),
        status.INVALID_ARGUMENT,
        /not in queue/,
      ],
      [
        'a bad task id',
        () => task({ name: `${queue}/tasks/bad id` }),
        status.INVALID_ARGUMENT,
        /TASK_ID/,
      ],
      [
        'a dispatch deadline under 15 s',
        () => task({ dispatchDeadline: { seconds: 5 } }),
        status.INVALID_ARGUMENT,
        /dispatch_deadline/,
      ],
      ['a body on GET', () => task({}, { httpMethod: 'GET' }), status.INVALID_ARGUMENT, /body/],
    ])('CreateTask rejects %s', async (_n, req, code, message) => {
      const err = await rpcError(client.createTask(req() as never));
      expect(err.code).toBe(code);
      expect(err.details).toMatch(message);
    });
  });

  describe('retries', () => {
    it('counts non-5xx failures as executions and reports connection errors as retries', async () => {
      target.respond = (_r, i) => (i === 0 ? 429 : i === 1 ? 400 : 200);
      await client.createTask(task());
      await until(() => target.received.length === 3, 5000);
      expect(target.received.map((r) => r.headers['x-cloudtasks-taskexecutioncount'])).toEqual([
        '0',
        '1',
        '2',
      ]);
    });

    it('gives up after maxAttempts and removes the task', async () => {
      await client.updateQueue({
        queue: { name: queue, retryConfig: { maxAttempts: 3 } },
        updateMask: { paths: ['retry_config.max_attempts'] },
      });
      target.respond = () => 500;
      const [t] = await client.createTask(task());
      await until(
        () => emu.emulator.dispatches.some((d) => d.task === t.name && d.outcome === 'gave-up'),
        5000,
      );
      expect(target.received).toHaveLength(3);
      // Gone from the queue: no delivery of it can follow.
      expect((await rpcError(client.getTask({ name: t.name! }))).code).toBe(status.NOT_FOUND);
    });

    it('retries an unreachable target and records the attempt', async () => {
      await client.updateQueue({
        queue: { name: queue, retryConfig: { maxAttempts: 2 } },
        updateMask: { paths: ['retry_config.max_attempts'] },
      });
      const [t] = await client.createTask(task({}, { url: 'http://127.0.0.1:9/nothing-listens' }));
      await until(
        () => emu.emulator.dispatches.filter((d) => d.task === t.name).length === 2,
        5000,
      );
      const statuses = emu.emulator.dispatches
        .filter((d) => d.task === t.name)
        .map((d) => d.status);
      expect(statuses).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    });
  });

  describe('rate limits and pausing', () => {
    it('respects maxConcurrentDispatches', async () => {
      await client.updateQueue({
        queue: { name: queue, rateLimits: { maxConcurrentDispatches: 2 } },
        updateMask: { paths: ['rate_limits.max_concurrent_dispatches'] },
      });
      target.delayMs = 400;
      // All six due at once (created while paused), so only the cap can hold them back.
      await client.pauseQueue({ name: queue });
      await Promise.all(Array.from({ length: 6 }, () => client.createTask(task())));
      await client.resumeQueue({ name: queue });
      await until(() => target.received.length === 6 && pendingIn(queue) === 0, 8000);
      expect(target.maxActive).toBe(2);
    });

    it('PurgeQueue removes its tasks', async () => {
      await client.pauseQueue({ name: queue });
      await client.createTask(task());
      await client.createTask(task());
      await client.purgeQueue({ name: queue });
      expect((await client.listTasks({ parent: queue }))[0]).toHaveLength(0);
    });
  });
});

describe('the schedule, on an injected clock', () => {
  // The emulator's time and timers are the test's: schedules, backoffs and deadlines are
  // asserted as the times the emulator decided, and stepped through without waiting for them.
  const clock = new ManualClock();
  let emu: RunningEmulator;
  let client: CloudTasksClient;
  const target = new Target();
  let n = 0;
  let queue: string;
  beforeAll(async () => {
    await target.start();
    emu = await startTasksEmulator({ port: 0, clock });
    client = await createTasksClient(emu.host);
  });
  afterAll(async () => {
    await client.close();
    await emu.stop();
    await target.stop();
  });
  beforeEach(async () => {
    target.reset();
    queue = `${LOCATION}/queues/clocked-${++n}`;
    await client.createQueue({
      parent: LOCATION,
      queue: {
        name: queue,
        retryConfig: { minBackoff: ms(100), maxBackoff: ms(400), maxDoublings: 1, maxAttempts: 5 },
      },
    });
  });

  const create = async (extra: Record<string, unknown> = {}) => {
    const [t] = await client.createTask({
      parent: queue,
      task: { httpRequest: { url: target.url, body: Buffer.from('{}') }, ...extra },
    });
    return emu.emulator.tasks.get(t.name!)!;
  };
  const dispatchesOf = (name: string) => emu.emulator.dispatches.filter((d) => d.task === name);
  /** When each attempt was scheduled for, from the X-CloudTasks-TaskETA it carried. */
  const etas = () =>
    target.received.map((r) => Math.round(Number(r.headers['x-cloudtasks-tasketa']) * 1000));

  it('waits for scheduleTime, and not a millisecond less', async () => {
    const at = clock.now() + 600;
    const stored = await create({ scheduleTime: ms(at) });
    expect(stored.scheduleTimeMs).toBe(at);
    clock.advance(599);
    expect(stored.running).toBeFalsy();
    expect(stored.dispatchCount).toBe(0);
    clock.advance(1);
    expect(stored.running).toBe(true);
    await until(() => target.received.length === 1);
    expect(etas()).toEqual([at]);
  });

  it('backs off exponentially, then linearly, capped at max backoff (100, 200, 400, 400 ms)', async () => {
    target.respond = (_r, i) => (i < 4 ? 503 : 204);
    const t0 = clock.now();
    const stored = await create();
    const gaps = [100, 200, 400, 400];
    for (const [i, gap] of gaps.entries()) {
      await until(() => dispatchesOf(stored.name).length === i + 1);
      // The attempt failed at clock.now(): the next one is scheduled `gap` later, not sooner.
      expect(stored.scheduleTimeMs).toBe(clock.now() + gap);
      clock.advance(gap - 1);
      expect(stored.running).toBeFalsy();
      clock.advance(1);
      expect(stored.running).toBe(true);
    }
    await until(() => dispatchesOf(stored.name).length === 5);
    expect(etas()).toEqual([t0, t0 + 100, t0 + 300, t0 + 700, t0 + 1100]);
    expect(dispatchesOf(stored.name).map((d) => [d.outcome, d.nextAttemptInMs])).toEqual([
      ['retry', 100],
      ['retry', 200],
      ['retry', 400],
      ['retry', 400],
      ['done', undefined],
    ]);
    const h = target.received.map((r) => r.headers);
    expect(h.map((x) => x['x-cloudtasks-taskretrycount'])).toEqual(['0', '1', '2', '3', '4']);
    expect(h[1]!['x-cloudtasks-taskpreviousresponse']).toBe('503');
    expect(h[1]!['x-cloudtasks-taskretryreason']).toBeTruthy();
    // 5xx answers do not count as executions; a 4xx does.
    expect(h.map((x) => x['x-cloudtasks-taskexecutioncount'])).toEqual(['0', '0', '0', '0', '0']);
    expect(emu.emulator.tasks.has(stored.name)).toBe(false);
  });

  it('maxRetryDuration alone ends retries: attempts at 0, 100, 300 and 700 ms of a 350 ms limit', async () => {
    await client.updateQueue({
      queue: { name: queue, retryConfig: { maxAttempts: -1, maxRetryDuration: ms(350) } },
      updateMask: { paths: ['retry_config.max_attempts', 'retry_config.max_retry_duration'] },
    });
    target.respond = () => 500;
    const t0 = clock.now();
    const stored = await create();
    for (const [i, gap] of [100, 200, 400].entries()) {
      await until(() => dispatchesOf(stored.name).length === i + 1);
      clock.advance(gap);
    }
    await until(() => dispatchesOf(stored.name).some((d) => d.outcome === 'gave-up'));
    expect(etas()).toEqual([t0, t0 + 100, t0 + 300, t0 + 700]);
    expect(dispatchesOf(stored.name).map((d) => d.outcome)).toEqual([
      'retry',
      'retry',
      'retry',
      'gave-up',
    ]);
    expect(emu.emulator.tasks.has(stored.name)).toBe(false);
  });

  it('respects maxDispatchesPerSecond: a burst of 4, then one every 250 ms', async () => {
    await client.updateQueue({
      queue: { name: queue, rateLimits: { maxDispatchesPerSecond: 4 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    await Promise.all(Array.from({ length: 8 }, () => create()));
    /** Tasks of the queue sent at least once (a finished one has left the queue). */
    const started = () =>
      8 -
      [...emu.emulator.tasks.values()].filter(
        (t) => t.queue === queue && !t.running && t.dispatchCount === 0,
      ).length;
    await until(() => target.received.length === 4);
    expect(started()).toBe(4);
    for (let n = 5; n <= 8; n++) {
      clock.advance(249);
      expect(started()).toBe(n - 1);
      clock.advance(1);
      expect(started()).toBe(n);
    }
    await until(() => target.received.length === 8);
  });

  it('a paused queue holds its tasks until resumed', async () => {
    await client.pauseQueue({ name: queue });
    const stored = await create();
    clock.advance(60_000);
    expect(stored.running).toBeFalsy();
    expect(stored.dispatchCount).toBe(0);
    expect((await client.listTasks({ parent: queue }))[0]).toHaveLength(1);
    await client.resumeQueue({ name: queue });
    await until(() => target.received.length === 1);
  });

  it('an attempt that outlives the dispatch deadline is retried with DEADLINE_EXCEEDED', async () => {
    target.respond = (_r, i) => (i === 0 ? 'hang' : 200);
    const t0 = clock.now();
    const stored = await create({ dispatchDeadline: { seconds: 15 } });
    await until(() => target.received.length === 1);
    clock.advance(15_000 - 1);
    expect(stored.running).toBe(true); // still waiting for the answer
    clock.advance(1);
    await until(() => dispatchesOf(stored.name).length === 1);
    expect(dispatchesOf(stored.name)[0]).toMatchObject({
      status: 'DEADLINE_EXCEEDED',
      latencyMs: 15_000,
      outcome: 'retry',
      nextAttemptInMs: 100,
    });
    clock.advance(100);
    await until(() => target.received.length === 2);
    expect(etas()).toEqual([t0, t0 + 15_100]);
    expect(target.received[1]!.headers['x-cloudtasks-taskretryreason']).toBe('DEADLINE_EXCEEDED');
  });
});

describe('durability with a data dir', () => {
  it('keeps queues, pending tasks and used names across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tasks-emulator-'));
    const target = new Target();
    await target.start();
    const port = await freePort();
    // One clock for both runs: the pending task falls due only when the test moves it, after
    // the restart (no real wait, and never early, before the stop).
    const clock = new ManualClock();
    try {
      const first = await startTasksEmulator({ port, dataDir, clock });
      let client = await createTasksClient(first.host);
      const queue = `${LOCATION}/queues/durable`;
      await client.createQueue({
        parent: LOCATION,
        queue: { name: queue, retryConfig: { maxAttempts: 7 } },
      });
      const at = clock.now() + 1500;
      const [pending] = await client.createTask({
        parent: queue,
        task: {
          name: `${queue}/tasks/later`,
          httpRequest: { url: target.url, body: Buffer.from('x') },
          scheduleTime: { seconds: Math.floor(at / 1000), nanos: (at % 1000) * 1e6 },
        },
      });
      await client.createTask({
        parent: queue,
        task: { name: `${queue}/tasks/now`, httpRequest: { url: target.url } },
      });
      // Stop only once "now" has finished: an attempt cut off by the stop would (rightly) run again.
      await until(
        () => target.received.length === 1 && !first.emulator.tasks.has(`${queue}/tasks/now`),
      );
      await client.close();
      await first.stop();

      const second = await startTasksEmulator({ port, dataDir, clock });
      client = await createTasksClient(second.host);
      try {
        expect((await client.getQueue({ name: queue }))[0].retryConfig?.maxAttempts).toBe(7);
        expect((await client.getTask({ name: pending.name! }))[0].name).toBe(pending.name);
        expect(
          (
            await rpcError(
              client.createTask({
                parent: queue,
                task: { name: `${queue}/tasks/now`, httpRequest: { url: target.url } },
              }),
            )
          ).code,
        ).toBe(status.ALREADY_EXISTS);
        expect(target.received).toHaveLength(1);
        clock.advance(1500);
        await until(() => target.received.length === 2, 5000);
        expect(target.received[1]!.body).toBe('x');
      } finally {
        await client.close();
        await second.stop();
      }
    } finally {
      await target.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm run tasks-emulator', () => {
  it('serves the real client on --port and stops by PID', async () => {
    const port = await freePort();
    const statusPort = await freePort();
    const lines: string[] = [];
    const service = spawnTasksEmulator(port, (l) => lines.push(l), [
      '--status-port',
      String(statusPort),
    ]);
    try {
      await waitForPort('127.0.0.1', port, 20_000, service);
      const client = await createTasksClient(`127.0.0.1:${port}`);
      await client.createQueue({ parent: LOCATION, queue: { name: `${LOCATION}/queues/cli` } });
      const [queues] = await client.listQueues({ parent: LOCATION });
      expect(queues.map((q) => q.name)).toEqual([`${LOCATION}/queues/cli`]);
      await client.close();
      const page = (await (await fetch(`http://127.0.0.1:${statusPort}/`)).json()) as {
        queues: { name: string }[];
      };
      expect(page.queues.map((q) => q.name)).toEqual([`${LOCATION}/queues/cli`]);
      expect(lines.join('\n')).toContain(`CLOUD_TASKS_EMULATOR_HOST=127.0.0.1:${port}`);
    } finally {
      await service.stop();
    }
    expect(service.child.exitCode !== null || service.child.signalCode !== null).toBe(true);
  });

  it('rejects a bad port with its usage', async () => {
    const child = spawn(
      process.execPath,
      [
        ...nodeArgsFor(join(__dirname, '..', '..', 'cloud-tasks-emulator', 'src', 'main.ts')),
        '--port',
        'x',
      ],
      {},
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/usage/);
  });
});

describe('retry arithmetic', () => {
  it.each([
    [
      { minBackoffMs: 10_000, maxBackoffMs: 300_000, maxDoublings: 3 },
      [10_000, 20_000, 40_000, 80_000, 160_000, 240_000, 300_000, 300_000],
    ],
    [{ minBackoffMs: 100, maxBackoffMs: 3_600_000, maxDoublings: 16 }, [100, 200, 400, 800, 1600]],
    [{ minBackoffMs: 1000, maxBackoffMs: 1000, maxDoublings: 5 }, [1000, 1000, 1000]],
    [{ minBackoffMs: 100, maxBackoffMs: 10_000, maxDoublings: 0 }, [100, 200, 300, 400]],
  ])('backoff %o → %o', (cfg, expected) => {
    const config = { ...DEFAULT_RETRY, ...cfg };
    expect(expected.map((_, i) => backoffMs(config, i + 1))).toEqual(expected);
  });

  it.each([
    [5, 0, 5, 0, true],
    [5, 0, 4, 999_999, false],
    [-1, 1000, 50, 1000, true],
    [-1, 1000, 50, 999, false],
    [3, 1000, 3, 500, false], // both set: both must be reached
    [3, 1000, 3, 1000, true],
    [-1, 0, 10_000, 1e9, false],
  ])(
    'maxAttempts %i, maxRetryDuration %i ms: after %i attempts at age %i → exhausted %s',
    (maxAttempts, maxRetryDurationMs, attempts, age, expected) => {
      expect(
        retriesExhausted({ ...DEFAULT_RETRY, maxAttempts, maxRetryDurationMs }, attempts, age),
      ).toBe(expected);
    },
  );
});
