import { randomUUID } from 'node:crypto';
import type { DocumentReference, Firestore, Timestamp } from '@google-cloud/firestore';
import type { Config } from '../config';
import type { Budget } from '../deadline';
import { withDeadline } from '../deadline';
import { errorMessage } from '../errors';
import type { FirestoreFactory } from '../firestore';
import type { Logger } from '../logger';
import type { Language } from '../messages';
import type { TasksClientFactory } from '../tasks';
import { jobIdFor } from './ids';
import { JOB_SCHEMA_VERSION, type JobRegistry, type JobRequest } from './registry';
import { JOBS, SESSIONS } from './store';
import { createJobTask } from './tasks';
import { dateOf, readVerdict, verdictOfRecord, type Verdict } from './verdict';

/** Where a deferred job comes from: what the worker needs to run it and tell the user. */
export interface JobOrigin {
  /** Dialogflow's id of the turn: Dialogflow's retries of one request defer the same job. */
  responseId: string | undefined;
  session: string | undefined;
  sessionKey: string | undefined;
  language: Language;
  /** Who to tell per channel that needs a recipient (LINE user id, email address). */
  recipients: Partial<Record<string, string>>;
  budget: Budget;
  log: Logger;
}

/**
 * `ok: true`: queued (tell the user the job id). `ok: false`: not queued, never run; with
 * `uncertain`, this try could not learn the verdict in time (Firestore too slow to answer):
 * tell the user it could not be confirmed and to ask about the job id (task_status will know).
 */
export type DeferOutcome =
  | { ok: true; jobId: string; existing: boolean }
  | { ok: false; jobId: string; reason: string; uncertain?: true };

/** Hands slow work to the worker: see {@link createDeferrer}. */
export type Deferrer = (origin: JobOrigin, job: JobRequest) => Promise<DeferOutcome>;

export interface DeferDeps {
  db: FirestoreFactory;
  tasks: TasksClientFactory;
  config: Pick<Config, 'projectId' | 'tasks' | 'worker'>;
  jobs: JobRegistry;
  now?: () => Date;
}

/** Kept from the budget for answering after the record and the task. */
const RESERVE_MS = 250;

/** What a try that gives up waits at least, past its budget, to learn the verdict. */
const GIVE_UP_FLOOR_MS = 100;

const UNCERTAIN = { uncertain: true } as const;

/**
 * Records the job (`jobs/{id}`, status `queued`, with `acceptBy`: the moment this webhook stops
 * waiting), creates its Cloud Task, then confirms it (`confirmedAt`, Firestore's commit time),
 * all within the turn's budget. `ok: true` only when the confirmation landed by `acceptBy`.
 * Otherwise the user is told nothing was queued, and the job is marked failed as `notQueued`,
 * so it never runs, is never shown as pending and is never notified (see verdict.ts: the worker
 * waits for the verdict and takes a record left without one as not queued). The job id comes
 * from the turn's response id, so Dialogflow's tries of one turn share a job; the first verdict
 * written, in a transaction, is the one every try reports.
 */
export function createDeferrer(deps: DeferDeps): Deferrer {
  const now = deps.now ?? (() => new Date());
  return async (origin, job) => {
    const jobId = jobIdFor(origin.responseId ?? randomUUID(), job.type);
    const log = origin.log.child({ jobId, jobType: job.type });
    const definition = deps.jobs.get(job.type);
    const request = definition?.request.safeParse(job.request);
    // Stryker disable next-line OptionalChaining: request is undefined only without a definition
    if (!definition || !request?.success) {
      log.error('deferred a job its type does not accept', { reason: 'invalid request' });
      return { ok: false, jobId, reason: 'invalid job request' };
    }
    // The Cloud Tasks client is created while the record is written, not after: on a fresh
    // instance its import and channel are the deferral's longest step (measured: docs/hot-slot.md).
    const timing = startTiming(origin.budget);
    const tasksClient = deps.tasks();
    tasksClient.catch(() => undefined); // awaited (bounded) when the task is created
    const client = deps.db();
    let clientFailed = false;
    client.catch(() => (clientFailed = true));
    let db: Firestore | undefined;
    try {
      db = await origin.budget.bound(client, 'firestore client', RESERVE_MS);
      timing.mark('dbMs');
    } catch (err) {
      // No client within the budget (the turn reached the deferral late, or the client is still
      // loading). A sibling try of this turn may have queued the job meanwhile: with the client
      // at hand, this try goes on, and its record, with no time left, gives up by the record as
      // any failed try does (failedTry: "queued" if a sibling confirmed it in time, else marked
      // not queued); without the client, it cannot know.
      db = await withDeadline(client, GIVE_UP_FLOOR_MS, 'firestore client').catch(() => undefined);
      if (!db) {
        log.warn('job not recorded: no Firestore', { error: errorMessage(err), ...timing.fields });
        // Certain only when no sibling can exist (no response id) or Firestore failed outright.
        const unsure = !clientFailed && origin.responseId !== undefined;
        return { ok: false, jobId, reason: 'firestore unavailable', ...(unsure && UNCERTAIN) };
      }
      log.warn('job not recorded: no time left for it', timing.fields);
    }
    const at = now();
    const attempt: DeferTry = {
      deps,
      tasksClient,
      timing,
      now,
      origin,
      jobId,
      type: job.type,
      log,
      db,
      jobRef: db.collection(JOBS).doc(jobId),
      at,
      doc: jobDocument(origin, job.type, request.data, at, now),
    };
    const recorded = await recordJob(attempt);
    return 'ok' in recorded ? recorded : queueTask(attempt, recorded);
  };
}

/**
 * Where a deferral's time goes: `budgetMs` (the turn's time left when it began) and, for each
 * step that ended, the ms since it began (`dbMs`, `recordMs`, `tasksClientMs`, `taskMs`,
 * `confirmMs`). Logged with the outcome; the burst bench reads them.
 */
interface Timing {
  fields: Record<string, number>;
  mark(step: string): void;
}

function startTiming(budget: Budget): Timing {
  const began = performance.now();
  const fields: Record<string, number> = { budgetMs: Math.round(budget.remaining()) };
  return { fields, mark: (step) => (fields[step] = Math.round(performance.now() - began)) };
}

/** One try at deferring one job: what its steps share. */
interface DeferTry {
  deps: DeferDeps;
  /** The Cloud Tasks client, being created since the try began. */
  tasksClient: ReturnType<DeferDeps['tasks']>;
  /** Where the try's time went (logged with its outcome). */
  timing: Timing;
  now: () => Date;
  origin: JobOrigin;
  jobId: string;
  type: string;
  log: Logger;
  db: Firestore;
  jobRef: DocumentReference;
  /** When the record was made. */
  at: Date;
  /** The record this try writes. */
  doc: ReturnType<typeof jobDocument>;
}

/** A job record, as the deferral writes it. */
function jobDocument(origin: JobOrigin, type: string, request: unknown, at: Date, now: () => Date) {
  return {
    v: JOB_SCHEMA_VERSION,
    type,
    request,
    status: 'queued',
    attempts: 0,
    wakeups: 0,
    createdAt: at,
    updatedAt: at,
    acceptBy: new Date(now().getTime() + origin.budget.forCall(RESERVE_MS)),
    // confirmedAt: Firestore's commit time of the confirmation, added once the task exists.
    confirmRequired: true,
    session: origin.session ?? null,
    sessionKey: origin.sessionKey ?? null,
    language: origin.language,
    notify: Object.fromEntries(
      Object.entries(origin.recipients).flatMap(([channel, to]) => (to ? [[channel, { to }]] : [])),
    ),
  };
}

/** The session's pointer to its latest job (task_status without an id reads it). */
function pointSessionAt(
  t: DeferTry,
  write: (ref: DocumentReference, data: object, options: { merge: true }) => unknown,
): void {
  if (!t.origin.sessionKey) return;
  write(
    t.db.collection(SESSIONS).doc(t.origin.sessionKey),
    { lastJobId: t.jobId, updatedAt: t.at },
    { merge: true },
  );
}

/** What step 1 leaves for step 2: the record's commit time and its `acceptBy`. */
interface Recorded {
  existing: boolean;
  seen: Timestamp | undefined;
  /** The record's: the first try's when another try made it. */
  acceptBy: Date;
}

/**
 * 1. The record (and the session's pointer to its latest job), or the existing one. An outcome
 * when this try is already decided (not recorded, or another try's verdict is in).
 */
async function recordJob(t: DeferTry): Promise<Recorded | DeferOutcome> {
  const { budget } = t.origin;
  const { jobId, jobRef, log } = t;
  try {
    const batch = t.db.batch().create(jobRef, t.doc);
    pointSessionAt(t, (ref, data, options) => batch.set(ref, data, options));
    const [written] = await budget.bound(batch.commit(), 'write job', RESERVE_MS);
    t.timing.mark('recordMs');
    // Stryker disable next-line OptionalChaining: a batch commit returns a result per write
    return { existing: false, seen: written?.writeTime, acceptBy: t.doc.acceptBy };
  } catch (err) {
    if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) {
      log.warn('job not recorded: not queued', { error: errorMessage(err), ...t.timing.fields });
      return failedTry(t, 'job not recorded', 'not recorded in time');
    }
    log.info('Dialogflow retried a deferred request: same job');
    const { snap: found, verdict } = await readVerdict(
      t.now,
      () => budget.bound(jobRef.get(), 'read job', RESERVE_MS).catch(() => undefined),
      (snap, at) => (snap ? verdictOfRecord(snap, at) : 'pending'),
    );
    if (verdict === 'queued') return { ok: true, jobId, existing: true };
    if (verdict === 'not-queued') {
      // Stryker disable next-line OptionalChaining: a not-queued verdict comes from a record read
      if (found?.get('notQueued') === true) {
        return { ok: false, jobId, reason: String(found.get('error') ?? 'not queued') };
      }
      // Judged so by the record and a clock, not written yet: written now, in the transaction
      // every try gives up with, so the answer does not hang on how far the clocks agree.
      return failedTry(t, 'not queued by another try', 'not confirmed in time');
    }
    return {
      existing: true,
      seen: found?.updateTime,
      acceptBy: dateOf(found?.get('acceptBy')) ?? t.doc.acceptBy,
    };
  }
}

/**
 * 2. The task (ALREADY_EXISTS means an earlier try of this request created it), then the
 * confirmation. Only a confirmed job is reported queued.
 */
async function queueTask(
  t: DeferTry,
  { existing, seen, acceptBy }: Recorded,
): Promise<DeferOutcome> {
  const { budget } = t.origin;
  const { jobId, log } = t;
  try {
    if (!seen) throw new Error('no commit time for the job record');
    const client = await budget.bound(t.tasksClient, 'tasks client', RESERVE_MS);
    t.timing.mark('tasksClientMs');
    const created = await budget.bound(
      createJobTask(client, t.deps.config, { jobId, type: t.type }, budget.forCall(RESERVE_MS)),
      'create task',
      RESERVE_MS,
    );
    t.timing.mark('taskMs');
    const verdict = await budget.bound(confirm(t, seen, acceptBy), 'confirm job', RESERVE_MS);
    t.timing.mark('confirmMs');
    if (verdict === 'not-queued') {
      log.warn('another try of this turn gave up on the job first: not queued', t.timing.fields);
      // Written as such (if it is not already) in the transaction every try gives up with.
      return failedTry(t, 'not queued by another try', 'not confirmed in time');
    }
    log.info(existing || !created ? 'job task ensured' : 'job queued', t.timing.fields);
    return { ok: true, jobId, existing: existing || !created };
  } catch (err) {
    log.warn('job not confirmed in time: marking it not queued', {
      error: errorMessage(err),
      ...t.timing.fields,
    });
    return failedTry(t, 'task not created or not confirmed', 'could not be queued');
  }
}

/**
 * Confirms the job (Firestore's commit time as `confirmedAt`) unless the record changed since
 * `seen`: then the verdict another try (or the worker) left decides.
 */
async function confirm(t: DeferTry, seen: Timestamp, acceptBy: Date): Promise<Verdict> {
  const { FieldValue } = await import('@google-cloud/firestore'); // loaded with the client
  let lastUpdateTime = seen;
  for (let i = 0; i < 3; i++) {
    try {
      const written = await t.jobRef.update(
        { confirmedAt: FieldValue.serverTimestamp() },
        { lastUpdateTime },
      );
      return written.writeTime.toMillis() <= acceptBy.getTime() ? 'queued' : 'not-queued';
    } catch (err) {
      if ((err as { code?: number }).code !== 9 /* FAILED_PRECONDITION */) throw err;
      const { snap, verdict } = await readVerdict(t.now, () => t.jobRef.get(), verdictOfRecord);
      if (verdict !== 'pending' || !snap.updateTime) return verdict;
      lastUpdateTime = snap.updateTime;
    }
  }
  throw new Error('the job record kept changing');
}

/** What a try that failed tells the user, once it gave up. */
async function failedTry(t: DeferTry, reason: string, why: string): Promise<DeferOutcome> {
  const verdict = await giveUp(t, why);
  if (verdict === 'queued') {
    t.log.info('another try of this turn queued the job: queued');
    return { ok: true, jobId: t.jobId, existing: true };
  }
  if (verdict === 'unknown') return { ok: false, jobId: t.jobId, reason, uncertain: true };
  return { ok: false, jobId: t.jobId, reason };
}

/**
 * Marks the job as never queued (and the session's pointer to it, so task_status can say so),
 * in a transaction, unless a verdict is already there: a sibling try of this turn confirmed it
 * (then this try says queued too) or gave up on it. `unknown` when Firestore did not answer in
 * time: then nobody can tell this try whether a sibling confirmed it.
 */
function giveUp(t: DeferTry, reason: string): Promise<Verdict | 'unknown'> {
  const { jobRef, now } = t;
  return withDeadline(
    t.db.runTransaction(async (tx) => {
      const { snap, verdict } = await readVerdict(now, () => tx.get(jobRef), verdictOfRecord);
      if (verdict === 'queued') return verdict;
      if (snap.get('notQueued') === true) return 'not-queued' as const;
      const failed = { status: 'failed', notQueued: true, error: reason, updatedAt: now() };
      if (snap.exists) tx.update(jobRef, failed);
      else tx.set(jobRef, { ...t.doc, ...failed });
      pointSessionAt(t, (ref, data, options) => tx.set(ref, data, options));
      return 'not-queued' as const;
    }),
    Math.max(GIVE_UP_FLOOR_MS, t.origin.budget.forCall(20)),
    'mark job not queued',
  ).catch((e: unknown) => {
    t.log.error('could not mark the job not queued', { error: errorMessage(e) });
    return 'unknown' as const;
  });
}
