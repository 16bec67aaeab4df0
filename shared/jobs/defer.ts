import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { TurnContext } from '../conversation/context';
import { withDeadline } from '../deadline';
import { errorMessage } from '../errors';
import type { FirestoreFactory } from '../firestore';
import type { TasksClientFactory } from '../tasks';
import {
  JOB_SCHEMA_VERSION,
  jobIdFor,
  type JobDoc,
  type JobRequest,
  type TaskBody,
} from './schema';
import { JOBS, SESSIONS, toJobDoc } from './store';

export type DeferOutcome =
  { ok: true; jobId: string; existing: boolean } | { ok: false; jobId: string; reason: string };

/** Hands slow work to the worker: see {@link createDeferrer}. */
export type Deferrer = (ctx: TurnContext, job: JobRequest) => Promise<DeferOutcome>;

export interface DeferDeps {
  db: FirestoreFactory;
  tasks: TasksClientFactory;
  config: Pick<Config, 'projectId' | 'tasks' | 'worker'>;
  now?: () => Date;
}

const ALREADY_EXISTS = 6;

/** `projects/P/locations/L/queues/Q` of the configuration. */
export function queuePath(config: Pick<Config, 'projectId' | 'tasks'>): string {
  return `projects/${config.projectId}/locations/${config.tasks.location}/queues/${config.tasks.queue}`;
}

/**
 * Writes the job record, then creates its Cloud Task (HTTP POST to WORKER_URL, JSON body, OIDC
 * token for TASKS_SERVICE_ACCOUNT when set), both within the turn's budget. The job id and the
 * task name come from the turn's response id, so Dialogflow's retries of the same request
 * find the same job, and ALREADY_EXISTS counts as success. When the task cannot be created the
 * job is marked failed and the outcome says so: never "queued" while nothing is queued.
 */
export function createDeferrer(deps: DeferDeps): Deferrer {
  const now = deps.now ?? (() => new Date());
  return async (ctx, job) => {
    const jobId = jobIdFor(ctx.responseId ?? randomUUID(), job.type);
    const taskName = `${queuePath(deps.config)}/tasks/${jobId}`;
    const log = ctx.log.child({ jobId, jobType: job.type });
    let db;
    try {
      db = await ctx.budget.bound(deps.db(), 'firestore client', 300);
    } catch (err) {
      log.warn('job not recorded: no Firestore', { error: errorMessage(err) });
      return { ok: false, jobId, reason: 'firestore unavailable' };
    }
    const jobRef = db.collection(JOBS).doc(jobId);

    // 1. The job record (and the session's pointer to its latest job), or the existing one.
    let existing = false;
    const at = now();
    const doc: JobDoc = {
      v: JOB_SCHEMA_VERSION,
      type: job.type,
      request: job.request,
      status: 'queued',
      attempts: 0,
      createdAt: at,
      updatedAt: at,
      session: ctx.session ?? null,
      sessionKey: ctx.sessionKey ?? null,
      language: ctx.language,
      notify:
        ctx.user?.platform === 'LINE'
          ? { line: { userId: ctx.user.userId, retryKey: randomUUID() } }
          : {},
      taskName,
    };
    try {
      const batch = db.batch().create(jobRef, doc);
      if (ctx.sessionKey) {
        batch.set(
          db.collection(SESSIONS).doc(ctx.sessionKey),
          { lastJobId: jobId, updatedAt: at },
          { merge: true },
        );
      }
      await ctx.budget.bound(batch.commit(), 'write job', 300);
    } catch (err) {
      if ((err as { code?: number }).code !== ALREADY_EXISTS) {
        log.warn('job not recorded', { error: errorMessage(err) });
        return { ok: false, jobId, reason: 'job not recorded' };
      }
      existing = true;
      const found = toJobDoc((await jobRef.get()).data());
      if (found?.status === 'failed') return { ok: false, jobId, reason: found.error ?? 'failed' };
      log.info('Dialogflow retried a deferred request: same job');
    }

    // 2. The task. ALREADY_EXISTS means an earlier try of this same request created it.
    const body: TaskBody = { v: JOB_SCHEMA_VERSION, jobId, type: job.type };
    const serviceAccount = deps.config.tasks.serviceAccount;
    try {
      const client = await ctx.budget.bound(deps.tasks(), 'tasks client', 250);
      const ms = ctx.budget.forCall(250);
      await ctx.budget.bound(
        client.createTask(
          {
            parent: queuePath(deps.config),
            task: {
              name: taskName,
              httpRequest: {
                url: deps.config.tasks.workerUrl,
                httpMethod: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: Buffer.from(JSON.stringify(body)),
                ...(serviceAccount
                  ? {
                      oidcToken: {
                        serviceAccountEmail: serviceAccount,
                        audience: deps.config.worker.oidcAudience ?? deps.config.tasks.workerUrl,
                      },
                    }
                  : {}),
              },
            },
          },
          { timeout: Math.max(1, ms), maxRetries: 0 },
        ),
        'create task',
        250,
      );
      log.info(existing ? 'job task ensured' : 'job queued', { task: jobId });
      return { ok: true, jobId, existing };
    } catch (err) {
      if ((err as { code?: number }).code === ALREADY_EXISTS) {
        return { ok: true, jobId, existing: true };
      }
      log.warn('task not created: job marked failed', { error: errorMessage(err) });
      await withDeadline(
        jobRef.update({ status: 'failed', error: 'could not be queued', updatedAt: now() }),
        Math.max(50, ctx.budget.forCall(20)),
        'mark job failed',
      ).catch((e: unknown) =>
        log.error('could not mark the job failed', { error: errorMessage(e) }),
      );
      return { ok: false, jobId, reason: 'task not created' };
    }
  };
}
