import { randomUUID } from 'node:crypto';
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

export type DeferOutcome =
  { ok: true; jobId: string; existing: boolean } | { ok: false; jobId: string; reason: string };

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
 * waiting) and creates its Cloud Task, both within the turn's budget. `ok: true` only when both
 * happened in time. Otherwise the user is told nothing was queued, and the job is marked failed
 * as `notQueued` (a write that wins in either order against a record that lands late), so it
 * never runs, is never shown as pending and is never notified. The job id comes from the
 * turn's response id, so Dialogflow's retries find the same job; ALREADY_EXISTS is success.
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
    let db;
    try {
      db = await budget.bound(deps.db(), 'firestore client', RESERVE_MS);
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
      session: origin.session ?? null,
      sessionKey: origin.sessionKey ?? null,
      language: origin.language,
      notify: Object.fromEntries(
        Object.entries(origin.recipients).flatMap(([channel, to]) =>
          to ? [[channel, { to }]] : [],
        ),
      ),
    };
    // Marks the job as never queued (and the session's pointer to it, so task_status can say
    // so); `set` wins whichever lands last, the record or this.
    const giveUp = (reason: string) => {
      const batch = db.batch().set(jobRef, {
        ...doc,
        status: 'failed',
        notQueued: true,
        error: reason,
        updatedAt: now(),
      });
      if (origin.sessionKey) {
        batch.set(
          db.collection(SESSIONS).doc(origin.sessionKey),
          { lastJobId: jobId, updatedAt: at },
          { merge: true },
        );
      }
      return withDeadline(
        batch.commit(),
        Math.max(100, budget.forCall(20)),
        'mark job not queued',
      ).catch((e: unknown) =>
        log.error('could not mark the job not queued', { error: errorMessage(e) }),
      );
    };

    // 1. The record (and the session's pointer to its latest job), or the existing one.
    let existing = false;
    try {
      const batch = db.batch().create(jobRef, doc);
      if (origin.sessionKey) {
        batch.set(
          db.collection(SESSIONS).doc(origin.sessionKey),
          { lastJobId: jobId, updatedAt: at },
          { merge: true },
        );
      }
      await budget.bound(batch.commit(), 'write job', RESERVE_MS);
    } catch (err) {
      if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) {
        log.warn('job not recorded: not queued', { error: errorMessage(err) });
        await giveUp('not recorded in time');
        return { ok: false, jobId, reason: 'job not recorded' };
      }
      existing = true;
      const found = await jobRef.get();
      if (found.get('status') === 'failed') {
        return { ok: false, jobId, reason: String(found.get('error') ?? 'failed') };
      }
      log.info('Dialogflow retried a deferred request: same job');
    }

    // 2. The task. ALREADY_EXISTS means an earlier try of this same request created it.
    try {
      const client = await budget.bound(deps.tasks(), 'tasks client', RESERVE_MS);
      const created = await budget.bound(
        createJobTask(client, deps.config, { jobId, type: job.type }, budget.forCall(RESERVE_MS)),
        'create task',
        RESERVE_MS,
      );
      log.info(existing || !created ? 'job task ensured' : 'job queued');
      return { ok: true, jobId, existing: existing || !created };
    } catch (err) {
      // A copy of a turn Dialogflow sent again did not record the job: the copy that did owns
      // it (and may have confirmed it), so this one never marks it not queued.
      if (existing) {
        log.warn('task not confirmed by this copy of the turn', { error: errorMessage(err) });
        return { ok: false, jobId, reason: 'task not confirmed' };
      }
      log.warn('task not created: job marked not queued', { error: errorMessage(err) });
      await giveUp('could not be queued');
      return { ok: false, jobId, reason: 'task not created' };
    }
  };
}
