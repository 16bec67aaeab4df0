import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import type { Config } from '../config';
import { errorMessage } from '../errors';
import {
  createJobTask,
  JOBS,
  JobShapeError,
  parseJob,
  type AnyJobDefinition,
  type JobDocOf,
  type JobRegistry,
  type JobsConfig,
  type Refusal,
  type TaskBody,
  verdictOf,
} from '../jobs';
import type { Logger } from '../logger';
import type { TasksClientFactory } from '../tasks';
import { deliverNotifications, type DeliverDeps } from './deliver';

/** After this many attempts at the job's effect, the job is failed (and the user told). */
export const MAX_JOB_ATTEMPTS = 10;

export interface RunDeps extends DeliverDeps {
  db: Firestore;
  jobs: JobRegistry;
  tasks: TasksClientFactory;
  config: JobsConfig & Pick<Config, 'projectId' | 'tasks' | 'worker'>;
  log: Logger;
  now: () => Date;
  /** Test hook: runs after the job is claimed, before its effect (to crash or stall an attempt). */
  beforeEffect?: (jobId: string, attempt: number) => Promise<void>;
}

/** `done`: ack (2xx). `retry`: ask Cloud Tasks for another delivery. `ignored`: poison, ack. */
export type ProcessOutcome = { kind: 'done' | 'retry' | 'ignored'; reason: string };

type Job = JobDocOf<AnyJobDefinition>;
type Claim =
  | { kind: 'ignore'; reason: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'finished' }
  | { kind: 'run'; job: Job };

/*
 * The job state machine, and the only code that writes a job's status:
 *   queued → running → succeeded | failed      (and running → queued for a scheduled re-run)
 * in Firestore transactions. Attempts are counted; an attempt that died (left `running`) is
 * resumed by the next delivery; a finished job is never redone, only its undelivered
 * notifications are retried. A job the webhook reported as not queued is never run.
 */
export async function processJob(deps: RunDeps, body: TaskBody): Promise<ProcessOutcome> {
  const { db, now } = deps;
  const jobRef = db.collection(JOBS).doc(body.jobId);
  const log = deps.log.child({ jobId: body.jobId, jobType: body.type });
  const definition = deps.jobs.get(body.type);
  if (!definition) return { kind: 'ignored', reason: 'unknown job type' };

  let claim: Claim;
  try {
    await awaitVerdict(deps, jobRef);
    claim = await db.runTransaction((tx) => {
      const readAt = now(); // before the read (readVerdict)
      return tx.get(jobRef).then((snap): Claim => {
        const job = parseJob(deps.jobs, snap);
        if (!job) return { kind: 'ignore', reason: 'no such job' };
        if (job.type !== body.type) return { kind: 'ignore', reason: 'job type mismatch' };
        if (job.notQueued) return { kind: 'ignore', reason: 'job was reported not queued' };
        const verdict = verdictOf(job, readAt, snap.createTime?.toDate());
        if (verdict === 'pending') {
          return { kind: 'retry', reason: 'the webhook has not confirmed the job yet' };
        }
        if (verdict === 'not-queued') {
          // Never confirmed to the user: recorded as such, so every reader agrees.
          tx.update(jobRef, {
            status: 'failed',
            notQueued: true,
            error: 'never confirmed by the webhook',
            updatedAt: now(),
          });
          return { kind: 'ignore', reason: 'job was never confirmed: not queued' };
        }
        if (job.status === 'succeeded' || job.status === 'failed') return { kind: 'finished' };
        const wake = body.wake ?? 0;
        if (wake < job.wakeups) return { kind: 'ignore', reason: 'an earlier run of this job' };
        if (wake > job.wakeups)
          return { kind: 'retry', reason: 'the job has not reached this run' };
        const attempts = job.attempts + 1;
        if (attempts > MAX_JOB_ATTEMPTS) {
          setStatus(tx, jobRef, now, 'failed', { error: `gave up after ${job.attempts} attempts` });
          return { kind: 'finished' };
        }
        // The worker trusts nothing the webhook checked: the type's rules, before any effect.
        const firstRun = job.attempts === 0 && job.wakeups === 0;
        const refusal = firstRun ? definition.validate(job.request, rulesOf(deps)) : undefined;
        if (refusal) {
          setStatus(tx, jobRef, now, 'failed', { refusal, error: `refused: ${refusal.code}` });
          return { kind: 'finished' };
        }
        setStatus(tx, jobRef, now, 'running', { attempts, runningSince: now() });
        return { kind: 'run', job: { ...job, attempts, status: 'running' } };
      });
    });
  } catch (err) {
    if (err instanceof JobShapeError) {
      log.error('job record of the wrong shape: acknowledged', { error: err.message });
      return { kind: 'ignored', reason: 'job record of the wrong shape' };
    }
    throw err;
  }

  if (claim.kind === 'ignore') {
    // A task for no job (or another type's) is a bug or tampering; a stale run is expected.
    const expected =
      claim.reason === 'an earlier run of this job' || claim.reason.includes('not queued');
    log[expected ? 'warn' : 'error']('task acknowledged without work', { reason: claim.reason });
    return { kind: 'ignored', reason: claim.reason };
  }
  if (claim.kind === 'retry') return { kind: 'retry', reason: claim.reason };
  if (claim.kind === 'run') {
    const ran = await runEffect(deps, definition, body.jobId, jobRef, claim.job, log);
    if (ran) return ran;
  }
  return deliverNotifications(deps, body.jobId, log);
}

/** Longest the worker waits for the deferring webhook's verdict before asking for a retry. */
const VERDICT_WAIT_MS = 8_000;

/**
 * Cloud Tasks may deliver a job's task before the webhook that created it has confirmed it
 * (or given up on it): waits, briefly polling the record, until the verdict is in (see
 * verdict.ts). The claim's transaction then reads it again.
 */
async function awaitVerdict(deps: RunDeps, jobRef: DocumentReference): Promise<void> {
  const until = deps.now().getTime() + VERDICT_WAIT_MS;
  for (let pause = 25; ; pause = Math.min(pause * 2, 400)) {
    const readAt = deps.now(); // before the read (readVerdict)
    const snap = await jobRef.get();
    const job = parseJob(deps.jobs, snap);
    if (!job || verdictOf(job, readAt, snap.createTime?.toDate()) !== 'pending') return;
    if (deps.now().getTime() + pause > until) return;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

const rulesOf = (deps: RunDeps) => ({ now: deps.now(), config: deps.config });

/** Runs the effect and records its outcome; returns an outcome unless notifications are due. */
async function runEffect(
  deps: RunDeps,
  definition: AnyJobDefinition,
  jobId: string,
  jobRef: DocumentReference,
  job: Job,
  log: Logger,
): Promise<ProcessOutcome | undefined> {
  const { now } = deps;
  if (job.attempts > 1) {
    log.warn('resuming a job whose earlier attempt did not finish', { attempt: job.attempts });
  }
  try {
    await deps.beforeEffect?.(jobId, job.attempts);
    const outcome = await definition.run({
      jobId,
      request: job.request,
      attempt: job.attempts,
      wakeups: job.wakeups,
      createdAt: job.createdAt,
      db: deps.db,
      config: deps.config,
      log,
      now,
    });
    if ('later' in outcome) {
      // The next run's task first (named by its number, so a retry creates it once), then the record.
      const wake = job.wakeups + 1;
      const client = await deps.tasks();
      await createJobTask(
        client,
        deps.config,
        { jobId, type: job.type, wake, scheduleTime: outcome.later },
        10_000,
      );
      await deps.db.runTransaction(async (tx) => {
        // A new run: its attempts are counted afresh (a watch may run a thousand times).
        setStatus(tx, jobRef, now, 'queued', {
          wakeups: wake,
          nextRunAt: outcome.later,
          attempts: 0,
        });
      });
      log.info('job runs again later', { wake, at: outcome.later.toISOString() });
      return { kind: 'done', reason: 'scheduled' };
    }
    const result = definition.result.safeParse(outcome.result);
    if (!result.success)
      throw new Error(`the ${job.type} effect returned a result of the wrong shape`);
    await deps.db.runTransaction(async (tx) => {
      setStatus(tx, jobRef, now, 'succeeded', { result: result.data });
    });
    log.info('job succeeded', { attempt: job.attempts });
    return undefined;
  } catch (err) {
    log.warn('job attempt failed: will retry', { attempt: job.attempts, error: errorMessage(err) });
    await jobRef
      .update({
        error: `attempt ${job.attempts}: ${errorMessage(err)}`.slice(0, 500),
        updatedAt: now(),
      })
      .catch(() => undefined);
    return { kind: 'retry', reason: 'job attempt failed' };
  }
}

type StatusFields = {
  queued: { wakeups: number; nextRunAt: Date; attempts: 0 };
  running: { attempts: number; runningSince: Date };
  succeeded: { result: unknown };
  failed: { error: string; refusal?: Refusal };
};

/** The one place a job's status is written. */
function setStatus<S extends keyof StatusFields>(
  tx: FirebaseFirestoreTransaction,
  ref: DocumentReference,
  now: () => Date,
  status: S,
  fields: StatusFields[S],
): void {
  tx.update(ref, { ...fields, status, updatedAt: now() });
}

type FirebaseFirestoreTransaction = Parameters<Parameters<Firestore['runTransaction']>[0]>[0];
