import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { startTasksEmulator, type RunningEmulator } from 'cloud-tasks-emulator/server';
import { firestoreHost } from '@dialogflow-functions/testing/firestore';
import { emulatorSettings } from '../src/firestore';
import { createTasksClient, type CloudTasksClient } from '../src/tasks';
import { createMessages } from '../src/messages';
import {
  ALREADY_EXISTS,
  createJobRegistry,
  createJobTask,
  dateOf,
  defineJob,
  describeJob,
  JOB_ID,
  JOB_SCHEMA_VERSION,
  jobIdFor,
  JobShapeError,
  jobTaskName,
  jobView,
  parseJob,
  queuePath,
  verdictOf,
  type VerdictFields,
} from '../src/jobs';

/*
 * The jobs module's building blocks on real services: task creation on the Cloud Tasks
 * emulator (in this process), job records parsed from real Firestore emulator snapshots (a
 * project of this file's own, so it never meets another file's reset).
 */

const echo = defineJob({
  type: 'echo',
  request: z.object({ text: z.string().min(1) }),
  result: z.object({ said: z.string() }),
  validate: () => undefined,
  explain: (r) => `refused: ${r.code}`,
  run: async ({ request }) => ({ result: { said: request.text } }),
  describe: (view) => `${view.jobId} ${view.status}`,
  notifies: 'all',
});
const count = defineJob({
  type: 'count',
  request: z.object({ n: z.number().int() }),
  result: z.number(),
  validate: () => undefined,
  explain: (r) => r.code,
  run: async ({ request }) => ({ result: request.n }),
  describe: (view) =>
    view.status === 'succeeded'
      ? `done: ${view.result}`
      : view.status === 'failed'
        ? `failed: ${view.refusal?.code ?? 'none'}`
        : `${view.status} (${view.wakeups})`,
  notifies: ['email'],
});

describe('jobIdFor', () => {
  it('is the type’s first letter and 12 Crockford base32 characters of a hash', () => {
    const id = jobIdFor('response-1', 'echo');
    expect(id).toMatch(/^e-[0-9a-hjkmnp-tv-z]{12}$/);
    expect(id).toMatch(JOB_ID);
    expect(jobIdFor('response-1', 'echo')).toBe(id);
    expect(jobIdFor('response-2', 'echo')).not.toBe(id);
    expect(jobIdFor('response-1', 'eko')).not.toBe(id);
    expect(jobIdFor('response-1', 'count')).toMatch(/^c-/);
  });

  it('is the first 60 bits of sha256(type NUL responseId), most significant first', () => {
    // sha256("echo\0response-1"), first 8 bytes, read as 12 groups of 5 bits (the low 60 bits).
    const digest = createHash('sha256').update('echo\u0000response-1').digest();
    const bits = digest.readBigUInt64BE(0) & ((1n << 60n) - 1n);
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    let expected = '';
    for (let i = 11; i >= 0; i--) expected += alphabet[Number((bits >> BigInt(5 * i)) & 31n)];
    expect(jobIdFor('response-1', 'echo')).toBe(`e-${expected}`);
  });
});

describe('createJobRegistry', () => {
  // Built in each test, not while the file is collected: the code under test runs inside it.
  let jobs: ReturnType<typeof createJobRegistry<typeof echo | typeof count>>;
  beforeEach(() => {
    jobs = createJobRegistry([echo, count]);
  });

  it('looks definitions up by type', () => {
    expect(jobs.types).toEqual(['echo', 'count']);
    expect(jobs.definitions).toEqual([echo, count]);
    expect(jobs.get('echo')).toBe(echo);
    expect(jobs.get('count')).toBe(count);
    expect(jobs.get('other')).toBeUndefined();
  });

  it('refuses a type registered twice, and an empty list', () => {
    expect(() => createJobRegistry([echo, count, echo])).toThrow(
      'job type echo is registered twice',
    );
    expect(() => createJobRegistry([])).toThrow('a job registry needs at least one job type');
  });

  it('parses task bodies strictly', () => {
    const ok = { v: JOB_SCHEMA_VERSION, jobId: 'e-0123456789ab', type: 'echo' };
    expect(JOB_SCHEMA_VERSION).toBe(1);
    expect(jobs.taskBody.safeParse(ok).success).toBe(true);
    expect(jobs.taskBody.safeParse({ ...ok, wake: 0 }).success).toBe(true);
    expect(jobs.taskBody.safeParse({ ...ok, wake: 1_000_000 }).success).toBe(true);
    for (const bad of [
      { ...ok, v: 2 },
      { ...ok, type: 'other' },
      { ...ok, jobId: 'e-0' },
      { ...ok, jobId: 'E-0123456789AB' },
      { ...ok, jobId: `e-${'a'.repeat(63)}` },
      { ...ok, wake: -1 },
      { ...ok, wake: 1.5 },
      { ...ok, wake: 1_000_001 },
      { ...ok, extra: true },
    ]) {
      expect(jobs.taskBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(jobs.taskBody.safeParse({ ...ok, jobId: 'abcdef' }).success).toBe(true);
    expect(jobs.taskBody.safeParse({ ...ok, jobId: 'a'.repeat(64) }).success).toBe(true);
  });

  const record = {
    v: 1,
    type: 'echo',
    request: { text: 'hi' },
    status: 'queued',
    attempts: 0,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    session: null,
    sessionKey: null,
    language: 'zh-tw',
    notify: {},
  };

  it('parses records by their type, with the defaults and Dates of the stored shape', () => {
    const parsed = jobs.jobDoc.parse(record);
    expect(parsed.wakeups).toBe(0);
    expect(parsed.language).toBe('zh-TW');
    expect(parsed.createdAt).toEqual(new Date('2026-01-01T00:00:00Z'));
    const withTimestamps = jobs.jobDoc.parse({
      ...record,
      acceptBy: Timestamp.fromMillis(Date.UTC(2026, 0, 1, 0, 0, 4)),
      notify: { email: { to: 'a@example.com', sentAt: Timestamp.fromMillis(0), attempts: 1 } },
    });
    expect(withTimestamps.acceptBy).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 0, 4)));
    expect(withTimestamps.notify.email?.sentAt).toEqual(new Date(0));
    expect(jobs.jobDoc.safeParse({ ...record, request: { text: '' } }).success).toBe(false);
    expect(jobs.jobDoc.safeParse({ ...record, type: 'count' }).success).toBe(false);
    expect(jobs.jobDoc.safeParse({ ...record, type: 'count', request: { n: 2 } }).success).toBe(
      true,
    );
    expect(jobs.jobDoc.safeParse({ ...record, status: 'lost' }).success).toBe(false);
    expect(jobs.jobDoc.safeParse({ ...record, attempts: -1 }).success).toBe(false);
    expect(jobs.jobDoc.safeParse({ ...record, refusal: { code: 'x', other: 1 } }).success).toBe(
      false,
    );
  });

  it('a registry of one type parses its records too', () => {
    const one = createJobRegistry([echo]);
    expect(one.jobDoc.parse(record).type).toBe('echo');
    expect(one.jobDoc.safeParse({ ...record, type: 'count' }).success).toBe(false);
  });

  describe('parseJob on stored records', () => {
    let db: Firestore;
    beforeAll(() => {
      db = new Firestore({
        projectId: `demo-jobs-core-${process.pid}`,
        ...emulatorSettings(firestoreHost()),
      });
    });
    afterAll(() => db?.terminate());

    it('reads a stored job, undefined for none, JobShapeError for a bad one', async () => {
      const ref = db.collection('jobs').doc('e-parse000001');
      await ref.set({ ...record, createdAt: Timestamp.fromDate(record.createdAt) });
      const job = parseJob(jobs, await ref.get());
      expect(job?.request).toEqual({ text: 'hi' });
      expect(job?.createdAt).toEqual(record.createdAt);
      expect(parseJob(jobs, await db.collection('jobs').doc('e-missing0001').get())).toBe(
        undefined,
      );
      const bad = db.collection('jobs').doc('e-bad00000001');
      await bad.set({ ...record, request: { text: 7 } });
      let err: unknown;
      try {
        parseJob(jobs, await bad.get());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(JobShapeError);
      expect((err as JobShapeError).name).toBe('JobShapeError');
      expect((err as JobShapeError).jobId).toBe('e-bad00000001');
      expect((err as Error).message).toMatch(
        /^jobs\/e-bad00000001 does not have the shape of a known job: request\.text: /,
      );
      // The schema's own words about the field, not a placeholder.
      expect((err as Error).message).toContain('expected string');
      const empty = db.collection('jobs').doc('e-empty000001');
      await empty.set({ unrelated: true });
      const emptySnap = await empty.get();
      expect(() => parseJob(createJobRegistry([echo]), emptySnap)).toThrow(JobShapeError);
    });
  });
});

describe('jobView and describeJob', () => {
  // Built in each test, not while the file is collected: the code under test runs inside it.
  let jobs: ReturnType<typeof createJobRegistry<typeof echo | typeof count>>;
  beforeEach(() => {
    jobs = createJobRegistry([echo, count]);
  });
  const t = createMessages()('en');
  const base = {
    v: 1,
    attempts: 1,
    wakeups: 2,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    session: null,
    sessionKey: null,
    language: 'en' as const,
    notify: {},
    type: 'count',
    request: { n: 3 },
  };

  it('shows a job by its status', () => {
    expect(jobView('c-1', { ...base, status: 'succeeded', result: 3 } as never)).toEqual({
      jobId: 'c-1',
      request: { n: 3 },
      status: 'succeeded',
      result: 3,
    });
    expect(jobView('c-1', { ...base, status: 'running' } as never)).toEqual({
      jobId: 'c-1',
      request: { n: 3 },
      status: 'running',
      wakeups: 2,
    });
    expect(jobView('c-1', { ...base, status: 'queued' } as never)).toEqual({
      jobId: 'c-1',
      request: { n: 3 },
      status: 'queued',
      wakeups: 2,
    });
    expect(
      jobView('c-1', { ...base, status: 'failed', refusal: { code: 'past' } } as never),
    ).toEqual({ jobId: 'c-1', request: { n: 3 }, status: 'failed', refusal: { code: 'past' } });
    // A failed job keeps a failed view, whatever result it carries.
    expect(
      jobView('c-1', { ...base, status: 'failed', result: 3, refusal: undefined } as never),
    ).toEqual({ jobId: 'c-1', request: { n: 3 }, status: 'failed', refusal: undefined });
    // A success without its result is shown as failed, never as a success without one.
    expect(jobView('c-1', { ...base, status: 'succeeded' } as never)).toEqual({
      jobId: 'c-1',
      request: { n: 3 },
      status: 'failed',
      refusal: undefined,
    });
  });

  it("describes it by its type's describe, or the framework's words", () => {
    expect(describeJob(jobs, 'c-1', { ...base, status: 'succeeded', result: 3 } as never, t)).toBe(
      'done: 3',
    );
    expect(describeJob(jobs, 'c-1', { ...base, status: 'queued' } as never, t)).toBe('queued (2)');
    expect(
      describeJob(jobs, 'c-1', { ...base, status: 'queued', notQueued: true } as never, t),
    ).toBe(t.jobNotQueued({ jobId: 'c-1' }));
    expect(describeJob(jobs, 'x-1', { ...base, type: 'gone', status: 'queued' } as never, t)).toBe(
      t.jobFailed({ jobId: 'x-1' }),
    );
  });
});

describe('Cloud Tasks', () => {
  let emulator: RunningEmulator;
  let client: CloudTasksClient;
  const config = {
    projectId: 'demo-jobs-core',
    tasks: {
      emulatorHost: undefined,
      location: 'asia-east1',
      queue: 'jobs',
      workerUrl: 'http://127.0.0.1:9/worker',
      serviceAccount: undefined as string | undefined,
    },
    worker: { oidcAudience: undefined as string | undefined, iam: false },
  };

  beforeAll(async () => {
    emulator = await startTasksEmulator({ port: 0 });
    client = await createTasksClient(emulator.host);
    await client.updateQueue({ queue: { name: queuePath(config) } });
    await client.pauseQueue({ name: queuePath(config) }); // the tasks are only looked at
  });
  afterAll(async () => {
    await client?.close();
    await emulator?.stop();
  });

  it('names queues and tasks', () => {
    expect(queuePath(config)).toBe('projects/demo-jobs-core/locations/asia-east1/queues/jobs');
    const q = queuePath(config);
    expect(jobTaskName(config, 'e-1')).toBe(`${q}/tasks/e-1`);
    expect(jobTaskName(config, 'e-1', 0)).toBe(`${q}/tasks/e-1`);
    expect(jobTaskName(config, 'e-1', 2)).toBe(`${q}/tasks/e-1-w2`);
    expect(jobTaskName(config, 'e-1', 0, 'r1')).toBe(`${q}/tasks/e-1-r1`);
    expect(jobTaskName(config, 'e-1', 3, 'r1')).toBe(`${q}/tasks/e-1-w3-r1`);
  });

  const bodyOf = (task: { httpRequest?: { body?: Uint8Array | string | null } | null }) =>
    JSON.parse(Buffer.from(task.httpRequest?.body ?? '').toString('utf8')) as unknown;

  it('creates the task of a job: POST of its body to the worker, once', async () => {
    expect(
      await createJobTask(client, config, { jobId: 'e-task00000001', type: 'echo' }, 5000),
    ).toBe(true);
    const [task] = await client.getTask({
      name: jobTaskName(config, 'e-task00000001'),
      responseView: 'FULL',
    });
    expect(task.httpRequest?.url).toBe('http://127.0.0.1:9/worker');
    expect(task.httpRequest?.httpMethod).toBe('POST');
    expect(task.httpRequest?.headers).toMatchObject({ 'Content-Type': 'application/json' });
    expect(task.httpRequest?.oidcToken ?? undefined).toBeUndefined();
    expect(bodyOf(task)).toEqual({ v: 1, jobId: 'e-task00000001', type: 'echo' });
    // The same name again: an earlier try made it.
    expect(
      await createJobTask(client, config, { jobId: 'e-task00000001', type: 'echo' }, 5000),
    ).toBe(false);
  });

  it('schedules a re-run under its own name, at its time, with its wake number', async () => {
    // Ten days ahead (the queue takes up to 30), at 250 ms past a second.
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 10 * 86_400_000 + 250);
    const job = { jobId: 'e-task00000002', type: 'echo', wake: 2, scheduleTime: at };
    expect(await createJobTask(client, config, job, 5000)).toBe(true);
    const [task] = await client.getTask({
      name: jobTaskName(config, 'e-task00000002', 2),
      responseView: 'FULL',
    });
    expect(Number(task.scheduleTime?.seconds)).toBe(Math.floor(at.getTime() / 1000));
    expect(task.scheduleTime?.nanos ?? 0).toBe(250_000_000);
    expect(bodyOf(task)).toEqual({ v: 1, jobId: 'e-task00000002', type: 'echo', wake: 2 });
  });

  it('a recovery task is a new task of the same job', async () => {
    const job = { jobId: 'e-task00000003', type: 'echo', recovery: 'r7' };
    expect(await createJobTask(client, config, job, 5000)).toBe(true);
    const [task] = await client.getTask({ name: jobTaskName(config, 'e-task00000003', 0, 'r7') });
    expect(task.name).toBe(`${queuePath(config)}/tasks/e-task00000003-r7`);
  });

  it('signs the call to the worker as the service account, for the worker’s audience', async () => {
    const signed = {
      ...config,
      tasks: { ...config.tasks, serviceAccount: 'tasks@demo.iam.gserviceaccount.com' },
    };
    await createJobTask(client, signed, { jobId: 'e-task00000004', type: 'echo' }, 5000);
    const [task] = await client.getTask({
      name: jobTaskName(config, 'e-task00000004'),
      responseView: 'FULL',
    });
    expect(task.httpRequest?.oidcToken).toMatchObject({
      serviceAccountEmail: 'tasks@demo.iam.gserviceaccount.com',
      audience: 'http://127.0.0.1:9/worker',
    });
    const audience = { ...signed, worker: { oidcAudience: 'https://worker.example', iam: false } };
    await createJobTask(client, audience, { jobId: 'e-task00000005', type: 'echo' }, 5000);
    const [other] = await client.getTask({
      name: jobTaskName(config, 'e-task00000005'),
      responseView: 'FULL',
    });
    expect(other.httpRequest?.oidcToken?.audience).toBe('https://worker.example');
  });

  it('passes other failures on (a queue that does not exist)', async () => {
    const missing = { ...config, tasks: { ...config.tasks, queue: 'missing' } };
    await expect(
      createJobTask(client, missing, { jobId: 'e-task00000006', type: 'echo' }, 5000),
    ).rejects.toMatchObject({ code: 5 });
    expect(ALREADY_EXISTS).toBe(6);
  });
});

describe('verdictOf at its edges, and dateOf', () => {
  const acceptBy = new Date('2026-11-28T10:00:04Z');
  const job = (fields: Partial<VerdictFields> = {}): VerdictFields => ({
    status: 'queued',
    attempts: 0,
    wakeups: 0,
    acceptBy,
    confirmRequired: true,
    ...fields,
  });
  const before = new Date(acceptBy.getTime() - 1000);

  it('a job the worker has touched is queued, whatever its confirmation', () => {
    expect(verdictOf(job(), before, before)).toBe('pending');
    expect(verdictOf(job({ status: 'running' }), before, before)).toBe('queued');
    expect(verdictOf(job({ status: 'succeeded' }), before, before)).toBe('queued');
    expect(verdictOf(job({ attempts: 1 }), before, before)).toBe('queued');
    expect(verdictOf(job({ wakeups: 1 }), before, before)).toBe('queued');
  });

  it('decides without a creation time, and without an acceptBy', () => {
    expect(verdictOf(job({ confirmedAt: before }), before)).toBe('queued');
    expect(verdictOf(job(), before)).toBe('pending');
    expect(verdictOf(job({ acceptBy: undefined }), before, new Date())).toBe('queued');
  });

  it('reads Dates and Timestamps, nothing else', () => {
    const d = new Date(5);
    expect(dateOf(d)).toBe(d);
    expect(dateOf(Timestamp.fromMillis(5))).toEqual(d);
    for (const other of [null, undefined, 5, 'x', {}, { toDate: 'no' }]) {
      expect(dateOf(other)).toBeUndefined();
    }
  });
});
