import { say, type IntentHandler, type TurnContext } from '@dialogflow-functions/core/conversation';
import {
  getSnapshot,
  isSafeDocumentId,
  type FirestoreFactory,
} from '@dialogflow-functions/core/firestore';
import {
  describeJob,
  JOB_ID,
  JOBS,
  parseJob,
  SESSIONS,
  verdictOf,
  type JobRegistry,
} from '@dialogflow-functions/core/jobs';
import { backendFailure } from './backend-failure';
import { withJobId } from './job-reply';

/**
 * task_status (task_id, optional): the job's state and result; without an id, the job the
 * conversation carries or the session's last job. Only the asking session's jobs (or the same
 * LINE user's): another session's id reads as not found. A malformed id is said to be one.
 */
export function taskStatus(
  db: FirestoreFactory,
  jobs: JobRegistry,
  now: () => Date = () => new Date(),
): IntentHandler {
  return async (ctx) => {
    const given = ctx.params.raw('task_id') !== undefined;
    const asked = ctx.params.string('task_id')?.toLowerCase();
    if (given && (!asked || !JOB_ID.test(asked))) return say(ctx.t.taskIdInvalid);
    try {
      const jobId = asked ?? pendingJobId(ctx) ?? (await lastJobOfSession(db, ctx));
      if (!jobId) return say(ctx.t.noJobs);
      // The clock before the read (readVerdict): a late answer must not expire a pending job.
      const readAt = now();
      const snap = await getSnapshot(db, JOBS, jobId, ctx.budget);
      const job = parseJob(jobs, snap);
      if (!job || !askedBySameUser(ctx, job)) return say(ctx.t.jobNotFound({ jobId }));
      const text =
        verdictOf(job, readAt, snap.createTime?.toDate()) === 'not-queued'
          ? ctx.t.jobNotQueued({ jobId })
          : describeJob(jobs, jobId, job, ctx.t);
      const done = job.status === 'succeeded' || job.status === 'failed';
      return withJobId(
        say(done && !job.notQueued ? ctx.t.jobStatusDone({ jobId, result: text }) : text),
        jobId,
      );
    } catch (err) {
      return backendFailure(ctx, 'firestore', err);
    }
  };
}

/** The same session, or the same LINE user (ES and CX sessions of one user). */
function askedBySameUser(
  ctx: TurnContext,
  job: { sessionKey: string | null; notify: Record<string, { to?: string | undefined }> },
): boolean {
  if (ctx.sessionKey && job.sessionKey === ctx.sessionKey) return true;
  const lineUser = job.notify.line?.to;
  return Boolean(lineUser && ctx.user?.platform === 'LINE' && ctx.user.userId === lineUser);
}

/** The job id the conversation carries: ES context `pending_job` or CX session parameter. */
function pendingJobId(ctx: TurnContext): string | undefined {
  const fromContext = ctx.contexts.find((c) => c.name === 'pending_job')?.parameters.job_id;
  const value = fromContext ?? ctx.sessionParameters.job_id;
  return typeof value === 'string' && isSafeDocumentId(value) ? value : undefined;
}

async function lastJobOfSession(
  db: FirestoreFactory,
  ctx: TurnContext,
): Promise<string | undefined> {
  if (!ctx.sessionKey) return undefined;
  const snap = await getSnapshot(db, SESSIONS, ctx.sessionKey, ctx.budget);
  const id = snap.get('lastJobId') as unknown;
  return typeof id === 'string' && isSafeDocumentId(id) ? id : undefined;
}
