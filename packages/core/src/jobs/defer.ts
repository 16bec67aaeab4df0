import { randomUUID } from 'node:crypto';
import type { DocumentSnapshot, Timestamp } from '@google-cloud/firestore';
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
import { dateOf, verdictOf, type Verdict } from './verdict';

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
    if (!definition || !request?.success) {
      log.error('deferred a job its type does not accept', { reason: 'invalid request' });
      return { ok: false, jobId, reason: 'invalid job request' };
    }
    const { budget } = origin;
    // Where a deferral's time goes (logged with its outcome): ms since the start at each step.
    const started = Date.now();
    const phases: Record<string, number> = {};
    const mark = (phase: string) => (phases[phase] = Date.now() - started);
    // The Cloud Tasks client is created while the record is written, not after: on a fresh
    // instance its import and channel are the deferral's longest step.
    const tasksClient = deps.tasks();
    tasksClient.catch(() => undefined); // awaited (bounded) below; a failure is handled there
    let db;
    try {
      db = await budget.bound(deps.db(), 'firestore client', RESERVE_MS);
      mark('dbMs');
    } catch (err) {
      log.warn('job not recorded: no Firestore', { error: errorMessage(err) });
      return { ok: false, jobId, reason: 'firestore unavailable' };
    }
    const jobRef = db.collection(JOBS).doc(jobId);
    const at = now();
    const doc = {
      v: JOB_SCHEMA_VERSION,
      type: job.type,
      request: request.data as unknown,
      status: 'queued',
      attempts: 0,
      wakeups: 0,
      createdAt: at,
      updatedAt: at,
      acceptBy: new Date(now().getTime() + budget.forCall(RESERVE_MS)),
      // confirmedAt: Firestore's commit time of the confirmation, added once the task exists.
      confirmRequired: true,
      session: origin.session ?? null,
      sessionKey: origin.sessionKey ?? null,
      language: origin.language,
      notify: Object.fromEntries(
        Object.entries(origin.recipients).flatMap(([channel, to]) =>
          to ? [[channel, { to }]] : [],
        ),
      ),
    };
    /** The verdict a stored record carries (see verdict.ts): by its own `acceptBy`. */
    const verdictIn = (snap: DocumentSnapshot): Verdict =>
      snap.exists
        ? verdictOf(
            {
              status: String(snap.get('status')),
              notQueued: snap.get('notQueued') === true,
              acceptBy: dateOf(snap.get('acceptBy')),
              confirmRequired: snap.get('confirmRequired') === true,
              confirmedAt: dateOf(snap.get('confirmedAt')),
              attempts: Number(snap.get('attempts') ?? 0),
              wakeups: Number(snap.get('wakeups') ?? 0),
            },
            now(),
            snap.createTime?.toDate(),
          )
        : 'pending';

    // Marks the job as never queued (and the session's pointer to it, so task_status can say
    // so), in a transaction, unless a verdict is already there: a sibling try of this turn
    // confirmed it (then this try says queued too) or gave up on it. `unknown` when Firestore
    // did not answer in time: then nobody can tell this try whether a sibling confirmed it.
    const giveUp = (reason: string): Promise<Verdict | 'unknown'> =>
      withDeadline(
        db.runTransaction(async (tx) => {
          const snap = await tx.get(jobRef);
          const verdict = verdictIn(snap);
          if (verdict === 'queued') return verdict;
          if (snap.get('notQueued') === true) return 'not-queued' as const;
          const failed = { status: 'failed', notQueued: true, error: reason, updatedAt: now() };
          if (snap.exists) tx.update(jobRef, failed);
          else tx.set(jobRef, { ...doc, ...failed });
          if (origin.sessionKey) {
            tx.set(
              db.collection(SESSIONS).doc(origin.sessionKey),
              { lastJobId: jobId, updatedAt: at },
              { merge: true },
            );
          }
          return 'not-queued' as const;
        }),
        Math.max(100, budget.forCall(20)),
        'mark job not queued',
      ).catch((e: unknown) => {
        log.error('could not mark the job not queued', { error: errorMessage(e) });
        return 'unknown' as const;
      });
    /** What a try that failed tells the user, once it gave up. */
    const failedTry = async (reason: string, why: string): Promise<DeferOutcome> => {
      const verdict = await giveUp(why);
      if (verdict === 'queued') {
        log.info('another try of this turn queued the job: queued');
        return { ok: true, jobId, existing: true };
      }
      if (verdict === 'unknown') return { ok: false, jobId, reason, uncertain: true };
      return { ok: false, jobId, reason };
    };

    // Confirms the job (Firestore's commit time as `confirmedAt`) unless the record changed
    // since `seen`: then the verdict another try (or the worker) left decides.
    const confirm = async (seen: Timestamp, acceptBy: Date): Promise<Verdict> => {
      const { FieldValue } = await import('@google-cloud/firestore'); // loaded with the client
      let lastUpdateTime = seen;
      for (let i = 0; i < 3; i++) {
        try {
          const written = await jobRef.update(
            { confirmedAt: FieldValue.serverTimestamp() },
            { lastUpdateTime },
          );
          return written.writeTime.toMillis() <= acceptBy.getTime() ? 'queued' : 'not-queued';
        } catch (err) {
          if ((err as { code?: number }).code !== 9 /* FAILED_PRECONDITION */) throw err;
          const snap = await jobRef.get();
          const verdict = verdictIn(snap);
          if (verdict !== 'pending' || !snap.updateTime) return verdict;
          lastUpdateTime = snap.updateTime;
        }
      }
      throw new Error('the job record kept changing');
    };

    // 1. The record (and the session's pointer to its latest job), or the existing one.
    let existing = false;
    let seen: Timestamp | undefined;
    let acceptBy = doc.acceptBy; // the record's: the first try's when another try made it
    try {
      const batch = db.batch().create(jobRef, doc);
      if (origin.sessionKey) {
        batch.set(
          db.collection(SESSIONS).doc(origin.sessionKey),
          { lastJobId: jobId, updatedAt: at },
          { merge: true },
        );
      }
      const [written] = await budget.bound(batch.commit(), 'write job', RESERVE_MS);
      mark('recordMs');
      seen = written?.writeTime;
    } catch (err) {
      if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) {
        log.warn('job not recorded: not queued', { error: errorMessage(err), ...phases });
        return failedTry('job not recorded', 'not recorded in time');
      }
      existing = true;
      log.info('Dialogflow retried a deferred request: same job');
      const found = await budget.bound(jobRef.get(), 'read job', RESERVE_MS).catch(() => undefined);
      const verdict = found ? verdictIn(found) : 'pending';
      if (verdict === 'queued') return { ok: true, jobId, existing: true };
      if (verdict === 'not-queued') {
        return { ok: false, jobId, reason: String(found?.get('error') ?? 'not queued') };
      }
      seen = found?.updateTime;
      acceptBy = dateOf(found?.get('acceptBy')) ?? acceptBy;
    }

    // 2. The task (ALREADY_EXISTS means an earlier try of this request created it), then the
    // confirmation. Only a confirmed job is reported queued.
    try {
      if (!seen) throw new Error('no commit time for the job record');
      const client = await budget.bound(tasksClient, 'tasks client', RESERVE_MS);
      mark('tasksClientMs');
      const created = await budget.bound(
        createJobTask(client, deps.config, { jobId, type: job.type }, budget.forCall(RESERVE_MS)),
        'create task',
        RESERVE_MS,
      );
      mark('taskMs');
      const verdict = await budget.bound(confirm(seen, acceptBy), 'confirm job', RESERVE_MS);
      mark('confirmMs');
      if (verdict === 'not-queued') {
        log.warn('another try of this turn gave up on the job first: not queued', phases);
        return { ok: false, jobId, reason: 'not queued by another try' };
      }
      log.info(existing || !created ? 'job task ensured' : 'job queued', phases);
      return { ok: true, jobId, existing: existing || !created };
    } catch (err) {
      log.warn('job not confirmed in time: marking it not queued', {
        error: errorMessage(err),
        ...phases,
      });
      return failedTry('task not created or not confirmed', 'could not be queued');
    }
  };
}
