import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Firestore } from '@google-cloud/firestore';
import { startTasksEmulator, type RunningEmulator } from 'cloud-tasks-emulator/server';
import { firestoreHost } from '@dialogflow-functions/testing/firestore';
import { Budget } from '../src/deadline';
import { emulatorSettings } from '../src/firestore';
import { createLogger } from '../src/logger';
import { createTasksClient, lazyTasksClient, type CloudTasksClient } from '../src/tasks';
import {
  createDeferrer,
  jobIdFor,
  jobTaskName,
  queuePath,
  type DeferDeps,
  readVerdict,
  VERDICT_GRACE_MS,
  verdictOfRecord,
  type JobOrigin,
  type JobRequest,
} from '../src/jobs';
import { echoJobs as jobs } from './helpers/echo-job';

/*
 * createDeferrer on the Firestore emulator (a project of this file's own, so no other file's
 * reset meets it) and the Cloud Tasks emulator (in this process): what it records, what it
 * tells, and how the tries of one turn agree. Budgets run on a clock that stands still, so the
 * time each step may take is the same on a busy machine.
 */

const config = {
  projectId: 'demo-defer',
  tasks: {
    emulatorHost: undefined,
    location: 'asia-east1',
    queue: 'jobs',
    workerUrl: 'http://127.0.0.1:9/worker',
    serviceAccount: undefined,
  },
  worker: { oidcAudience: undefined, iam: false },
};

let db: Firestore;
let emulator: RunningEmulator;
let client: CloudTasksClient;
let tasks: DeferDeps['tasks'];
let run = 0;
/** A fresh response id per case (job ids never meet across cases or runs). */
let responseId = '';
let logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  db = new Firestore({
    projectId: `demo-defer-${process.pid}`,
    ...emulatorSettings(firestoreHost()),
  });
  emulator = await startTasksEmulator({ port: 0 });
  client = await createTasksClient(emulator.host);
  await client.updateQueue({ queue: { name: queuePath(config) } });
  await client.pauseQueue({ name: queuePath(config) });
  tasks = lazyTasksClient({ emulatorHost: emulator.host });
});
afterAll(async () => {
  await (await tasks?.())?.close();
  await client?.close();
  await emulator?.stop();
  await db?.terminate();
});
beforeEach(() => {
  responseId = `resp-${Date.now()}-${++run}`;
  logs = [];
});

/** A turn with `ms` left on a clock that stands still. */
function origin(fields: Partial<JobOrigin> = {}, ms = 30_000): JobOrigin {
  const standing = 1_000_000;
  return {
    responseId,
    session: 'projects/p/agent/sessions/s-1',
    sessionKey: `key-${responseId}`,
    language: 'ja',
    recipients: { line: 'U123', email: undefined },
    budget: new Budget(standing + ms, undefined, () => standing),
    log: createLogger({ sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }),
    ...fields,
  };
}

/** `deps.now`, remembering what it said. */
function recordingNow(): { now: () => Date; said: Date[] } {
  const said: Date[] = [];
  return {
    said,
    now: () => {
      const d = new Date();
      said.push(d);
      return d;
    },
  };
}

const noTasks: DeferDeps['tasks'] = () => Promise.reject(new Error('no tasks service'));
// `echo` is these tests' own type (helpers/echo-job.ts), not one of the registered (example) jobs.
const request = { type: 'echo', request: { text: 'hello' } } as unknown as JobRequest;
const messages = () => logs.map((l) => l.message);

/** A stored record of an echo job, queued and never run, as a webhook's try writes it. */
function echoRecord(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    v: 1,
    type: 'echo',
    request: { text: 'hello' },
    status: 'queued',
    attempts: 0,
    wakeups: 0,
    language: 'en',
    notify: {},
    ...fields,
  };
}

/** This case's job record, stored as another try of the turn left it: its id and reference. */
async function storeEchoRecord(fields: Record<string, unknown>) {
  const jobId = jobIdFor(responseId, 'echo');
  const ref = db.collection('jobs').doc(jobId);
  await ref.set(echoRecord(fields));
  return { jobId, ref };
}

describe('createDeferrer', () => {
  it('records the job, creates its task and confirms it: queued', async () => {
    const clock = recordingNow();
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs, now: clock.now });
    const jobId = jobIdFor(responseId, 'echo');
    expect(await defer(origin(), request)).toEqual({ ok: true, jobId, existing: false });

    const snap = await db.collection('jobs').doc(jobId).get();
    const [createdAt, acceptByBase] = clock.said;
    expect(snap.get('v')).toBe(1);
    expect(snap.get('type')).toBe('echo');
    expect(snap.get('request')).toEqual({ text: 'hello' });
    expect(snap.get('status')).toBe('queued');
    expect(snap.get('attempts')).toBe(0);
    expect(snap.get('wakeups')).toBe(0);
    expect(snap.get('createdAt').toDate()).toEqual(createdAt);
    expect(snap.get('updatedAt').toDate()).toEqual(createdAt);
    // acceptBy: the moment the deferral stops waiting, 250 ms before the turn's deadline.
    expect(snap.get('acceptBy').toMillis()).toBe(acceptByBase!.getTime() + 29_750);
    expect(snap.get('confirmRequired')).toBe(true);
    expect(snap.get('confirmedAt').toMillis()).toBeLessThanOrEqual(snap.get('acceptBy').toMillis());
    expect(snap.get('session')).toBe('projects/p/agent/sessions/s-1');
    expect(snap.get('sessionKey')).toBe(`key-${responseId}`);
    expect(snap.get('language')).toBe('ja');
    expect(snap.get('notify')).toEqual({ line: { to: 'U123' } });
    expect(snap.get('notQueued')).toBeUndefined();

    const pointer = await db.collection('sessions').doc(`key-${responseId}`).get();
    expect(pointer.get('lastJobId')).toBe(jobId);
    expect(pointer.get('updatedAt').toDate()).toEqual(createdAt);

    const [task] = await client.getTask({ name: jobTaskName(config, jobId), responseView: 'FULL' });
    expect(JSON.parse(Buffer.from(task.httpRequest!.body!).toString())).toEqual({
      v: 1,
      jobId,
      type: 'echo',
    });
    expect(messages()).toContain('job queued');
    expect(logs.find((l) => l.message === 'job queued')).toMatchObject({ jobId, jobType: 'echo' });
  });

  it("Dialogflow's retry of the turn gets the same job, queued once", async () => {
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs });
    const first = await defer(origin(), request);
    expect(first.ok).toBe(true);
    const again = await defer(origin(), request);
    expect(again).toEqual({ ok: true, jobId: first.jobId, existing: true });
    // The retry read the verdict and stopped there: no task ensured, no second confirmation.
    expect(messages()).toEqual(['job queued', 'Dialogflow retried a deferred request: same job']);
    // A retry whose tasks service fails still says queued: the first try's verdict is in.
    const broken = createDeferrer({ db: async () => db, tasks: noTasks, config, jobs });
    expect(await broken(origin(), request)).toEqual({
      ok: true,
      jobId: first.jobId,
      existing: true,
    });
  });

  it('a session-less turn records no session pointer, and nulls for its session', async () => {
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs });
    const result = await defer(
      origin({ session: undefined, sessionKey: undefined, recipients: {} }),
      request,
    );
    expect(result.ok).toBe(true);
    const snap = await db.collection('jobs').doc(result.jobId).get();
    expect(snap.get('session')).toBeNull();
    expect(snap.get('sessionKey')).toBeNull();
    expect(snap.get('notify')).toEqual({});
  });

  it('a turn without a response id gets a job of its own each time', async () => {
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs });
    const a = await defer(origin({ responseId: undefined }), request);
    const b = await defer(origin({ responseId: undefined }), request);
    expect(a.ok && b.ok).toBe(true);
    expect(a.jobId).toMatch(/^e-/);
    expect(b.jobId).not.toBe(a.jobId);
  });

  it.each([
    ['an unknown type', { type: 'other', request: { text: 'x' } }],
    ['a request its type refuses', { type: 'echo', request: { text: '' } }],
  ])('refuses %s without writing anything', async (_what, job) => {
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs });
    const result = await defer(origin(), job as never);
    expect(result).toEqual({
      ok: false,
      jobId: jobIdFor(responseId, job.type),
      reason: 'invalid job request',
    });
    expect((await db.collection('jobs').doc(result.jobId).get()).exists).toBe(false);
    expect(logs).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        message: 'deferred a job its type does not accept',
        reason: 'invalid request',
      }),
    ]);
  });

  it('without Firestore: not queued, nothing written', async () => {
    const defer = createDeferrer({
      db: () => Promise.reject(new Error('no Firestore')),
      tasks: noTasks,
      config,
      jobs,
    });
    expect(await defer(origin(), request)).toEqual({
      ok: false,
      jobId: jobIdFor(responseId, 'echo'),
      reason: 'firestore unavailable',
    });
    expect(logs).toEqual([
      expect.objectContaining({
        message: 'job not recorded: no Firestore',
        error: 'Error: no Firestore',
      }),
    ]);
  });

  it('a Firestore client that does not come in time: uncertain (a sibling try may have queued it)', async () => {
    const defer = createDeferrer({ db: () => new Promise(() => {}), tasks: noTasks, config, jobs });
    // 300 ms left, 250 kept for the answer: 50 ms for the client.
    expect(await defer(origin({}, 300), request)).toEqual({
      ok: false,
      jobId: jobIdFor(responseId, 'echo'),
      reason: 'firestore unavailable',
      uncertain: true,
    });
    expect(logs[0]).toMatchObject({
      message: 'job not recorded: no Firestore',
      error: 'FulfillmentError: firestore client: took longer than 50 ms',
    });
  });

  it('no time left for the Firestore client: never "not queued" while a sibling confirmed the job in time', async () => {
    // The sibling try (another copy of this turn) recorded and confirmed the job in time.
    const acceptBy = new Date(Date.now() + 60_000);
    const confirmedAt = new Date(Date.now() - 1_000);
    const { jobId } = await storeEchoRecord({ acceptBy, confirmRequired: true, confirmedAt });
    const defer = createDeferrer({ db: async () => db, tasks: noTasks, config, jobs });
    // 240 ms left, 250 kept for the answer: this try reached the deferral too late to record.
    const outcome = await defer(origin({}, 240), request);
    // Queued, as the record says; or, when Firestore is too slow to tell within the give-up's
    // time, uncertain. Not "not queued": the job runs.
    if (outcome.ok) expect(outcome).toEqual({ ok: true, jobId, existing: true });
    else expect(outcome).toMatchObject({ ok: false, jobId, uncertain: true });
    // It asked the record (it had the client), rather than answering without it.
    expect(messages()).not.toContain('job not recorded: no Firestore');
    expect(messages()).toContain(
      outcome.ok
        ? 'another try of this turn queued the job: queued'
        : 'could not mark the job not queued',
    );
    expect((await db.collection('jobs').doc(jobId).get()).get('notQueued')).toBeUndefined();
  });

  it('a tasks client that never comes: not queued, marked so', async () => {
    const defer = createDeferrer({
      db: async () => db,
      tasks: () => new Promise(() => {}),
      config,
      jobs,
    });
    const jobId = jobIdFor(responseId, 'echo');
    expect(await defer(origin({}, 2000), request)).toEqual({
      ok: false,
      jobId,
      reason: 'task not created or not confirmed',
    });
    expect(
      logs.find((l) => l.message === 'job not confirmed in time: marking it not queued'),
    ).toMatchObject({ error: 'FulfillmentError: tasks client: took longer than 1750 ms' });
    expect((await db.collection('jobs').doc(jobId).get()).get('notQueued')).toBe(true);
  });

  it("keeps the session's other fields when pointing it at the job", async () => {
    await db.collection('sessions').doc(`key-${responseId}`).set({ other: 'kept' });
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs });
    const result = await defer(origin(), request);
    const pointer = await db.collection('sessions').doc(`key-${responseId}`).get();
    expect(pointer.get('other')).toBe('kept');
    expect(pointer.get('lastJobId')).toBe(result.jobId);
  });

  it.each([
    ['from a webhook before confirmations', { confirmRequired: false }],
    ['the worker already ran', { confirmRequired: true, attempts: 1 }],
    ['the worker scheduled a re-run', { confirmRequired: true, wakeups: 1 }],
  ])('a record %s is queued as it is: no new task', async (_what, fields) => {
    const { jobId } = await storeEchoRecord({ acceptBy: new Date(Date.now() + 60_000), ...fields });
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs });
    expect(await defer(origin(), request)).toEqual({ ok: true, jobId, existing: true });
    await expect(client.getTask({ name: jobTaskName(config, jobId) })).rejects.toMatchObject({
      code: 5,
    });
  });

  it('a task that cannot be created: not queued, and the record says so', async () => {
    const defer = createDeferrer({ db: async () => db, tasks: noTasks, config, jobs });
    const jobId = jobIdFor(responseId, 'echo');
    expect(await defer(origin(), request)).toEqual({
      ok: false,
      jobId,
      reason: 'task not created or not confirmed',
    });
    const snap = await db.collection('jobs').doc(jobId).get();
    expect(snap.get('status')).toBe('failed');
    expect(snap.get('notQueued')).toBe(true);
    expect(snap.get('error')).toBe('could not be queued');
    expect(snap.get('confirmedAt')).toBeUndefined();
    expect(messages()).toContain('job not confirmed in time: marking it not queued');
    // A retry of the turn tells the same, even with a working tasks service, and queues nothing.
    const working = createDeferrer({ db: async () => db, tasks, config, jobs });
    expect(await working(origin(), request)).toEqual({
      ok: false,
      jobId,
      reason: 'could not be queued',
    });
    await expect(client.getTask({ name: jobTaskName(config, jobId) })).rejects.toMatchObject({
      code: 5,
    });
  });

  it('a record another try left pending is confirmed by this one', async () => {
    const acceptBy = new Date(Date.now() + 60_000);
    const { jobId } = await storeEchoRecord({
      createdAt: new Date(),
      updatedAt: new Date(),
      acceptBy,
      confirmRequired: true,
      session: null,
      sessionKey: null,
    });
    const defer = createDeferrer({ db: async () => db, tasks, config, jobs });
    expect(await defer(origin(), request)).toEqual({ ok: true, jobId, existing: true });
    const snap = await db.collection('jobs').doc(jobId).get();
    expect(snap.get('confirmedAt').toMillis()).toBeLessThanOrEqual(acceptBy.getTime());
    expect(messages()).toContain('job task ensured');
  });

  it('a pending record whose task this try cannot create is marked not queued', async () => {
    const { jobId } = await storeEchoRecord({
      acceptBy: new Date(Date.now() + 60_000),
      confirmRequired: true,
    });
    const defer = createDeferrer({ db: async () => db, tasks: noTasks, config, jobs });
    expect(await defer(origin(), request)).toEqual({
      ok: false,
      jobId,
      reason: 'task not created or not confirmed',
    });
    const snap = await db.collection('jobs').doc(jobId).get();
    expect(snap.get('notQueued')).toBe(true);
    expect(snap.get('type')).toBe('echo');
    expect(snap.get('createdAt')).toBeUndefined(); // updated, not replaced
    const pointer = await db.collection('sessions').doc(`key-${responseId}`).get();
    expect(pointer.get('lastJobId')).toBe(jobId);
  });

  it('a confirmation that lands after acceptBy is not queued', async () => {
    const { jobId, ref } = await storeEchoRecord({ confirmRequired: true });
    // The try that made it stopped waiting the moment it was created.
    const created = (await ref.get()).createTime!;
    await ref.update({ acceptBy: created });
    // A clock that stands at that moment: the record stays undecided (pending) for this try.
    const defer = createDeferrer({
      db: async () => db,
      tasks,
      config,
      jobs,
      now: () => created.toDate(),
    });
    expect(await defer(origin(), request)).toEqual({
      ok: false,
      jobId,
      reason: 'not queued by another try',
    });
    expect(messages()).toContain('another try of this turn gave up on the job first: not queued');
  });
});

describe('readVerdict', () => {
  it('judges a record by the clock before its read: an answer handled late does not expire a pending job', async () => {
    const acceptBy = new Date(Date.now() + 60_000);
    const { ref } = await storeEchoRecord({ acceptBy, confirmRequired: true });
    // A clock just before acceptBy when the read is sent; the answer is handled once it is past
    // acceptBy and the grace (a stalled event loop), as the try's own clock would say then.
    let clock = acceptBy.getTime() - 1_000;
    const now = () => new Date(clock);
    const late = async () => {
      const snap = await ref.get();
      clock = acceptBy.getTime() + VERDICT_GRACE_MS + 5_000;
      return snap;
    };
    const first = await readVerdict(now, late, verdictOfRecord);
    expect(first.verdict).toBe('pending');
    expect(first.snap.get('acceptBy').toMillis()).toBe(acceptBy.getTime());
    // Judged by the clock after the answer, the same snapshot says "not queued"...
    expect(verdictOfRecord(first.snap, now())).toBe('not-queued');
    // ... though the sibling try that confirms it lands in time: the job is queued, and runs.
    await ref.update({ confirmedAt: new Date(acceptBy.getTime() - 500) });
    expect((await readVerdict(now, () => ref.get(), verdictOfRecord)).verdict).toBe('queued');
  });

  it('a record read past acceptBy and the grace without a confirmation is not queued', async () => {
    const acceptBy = new Date(Date.now() + 60_000);
    const { ref } = await storeEchoRecord({ acceptBy, confirmRequired: true });
    const now = () => new Date(acceptBy.getTime() + VERDICT_GRACE_MS + 1);
    expect((await readVerdict(now, () => ref.get(), verdictOfRecord)).verdict).toBe('not-queued');
  });
});
