import { say, type IntentHandler, type Reply, type TurnContext } from '../../shared/conversation';
import { getSnapshot, isSafeDocumentId, type FirestoreFactory } from '../../shared/firestore';
import { describeOutcome, JOBS, SESSIONS, toJobDoc, type JobDoc } from '../../shared/jobs';
import { backendFailure } from './backend-failure';

/** The job id rides along the conversation: ES output context `pending_job`, CX session parameter. */
function withJobId(reply: Reply, jobId: string): Reply {
  return {
    ...reply,
    contexts: [{ name: 'pending_job', lifespanCount: 20, parameters: { job_id: jobId } }],
  };
}

/**
 * make_reservation (date, time, party_size, name): asks for what is missing, then queues a
 * reservation job and answers at once with its id. The worker books it and notifies.
 */
export const makeReservation: IntentHandler = async (ctx) => {
  const date = ctx.params.date('date');
  if (!date) return say(ctx.t.askDate);
  const time = ctx.params.time('time');
  if (!time) return say(ctx.t.askTime);
  const partySize = ctx.params.count('party_size', 50);
  if (!partySize) return say(ctx.t.askPartySize);
  const name = ctx.params.person('name');
  if (!name || name.length > 100) return say(ctx.t.askName);

  const request = { date, time, partySize, name };
  const outcome = await ctx.defer({ type: 'reservation', request });
  if (!outcome.ok) return say(ctx.t.reservationNotQueued);
  return withJobId(
    say(ctx.t.reservationQueued({ jobId: outcome.jobId, ...request })),
    outcome.jobId,
  );
};

/** task_status (task_id, optional): the job's state and result; else the session's last job. */
export function taskStatus(db: FirestoreFactory): IntentHandler {
  return async (ctx) => {
    try {
      const jobId =
        ctx.params.id('task_id') ?? pendingJobId(ctx) ?? (await lastJobOfSession(db, ctx));
      if (!jobId) return say(ctx.t.noJobs);
      if (!isSafeDocumentId(jobId)) return say(ctx.t.jobNotFound({ jobId: jobId.slice(0, 64) }));
      const snap = await getSnapshot(db, JOBS, jobId, ctx.budget);
      const job = toJobDoc(snap.data());
      if (!job) return say(ctx.t.jobNotFound({ jobId }));
      return withJobId(say(statusText(ctx, jobId, job)), jobId);
    } catch (err) {
      return backendFailure(ctx, 'firestore', err);
    }
  };
}

function statusText(ctx: TurnContext, jobId: string, job: JobDoc): string {
  switch (job.status) {
    case 'queued':
      return ctx.t.jobStatusQueued({ jobId });
    case 'running':
      return ctx.t.jobStatusRunning({ jobId });
    default:
      return ctx.t.jobStatusDone({ jobId, result: describeOutcome(job, jobId, ctx.t) });
  }
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
  return typeof id === 'string' ? id : undefined;
}
