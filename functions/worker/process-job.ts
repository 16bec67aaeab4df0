import type { Firestore } from '@google-cloud/firestore';
import { errorMessage } from '../../shared/errors';
import { describeOutcome, JOBS, toJobDoc, type JobDoc, type TaskBody } from '../../shared/jobs';
import type { Logger } from '../../shared/logger';
import { messagesFor } from '../../shared/messages';
import { PermanentDeliveryError, type Channel, type Notifiers } from '../../shared/notify';
import { bookReservation } from './reservation';

/** After this many attempts at the job's effect, the job is failed (and the user told). */
export const MAX_JOB_ATTEMPTS = 10;
/** How long a sender holds a channel before another delivery may try it. */
const CHANNEL_CLAIM_MS = 60_000;

export interface ProcessDeps {
  db: Firestore;
  notifiers: Notifiers;
  slotCapacity: number;
  log: Logger;
  now?: () => Date;
  /** Test hook: runs after the job is claimed, before its effect (to crash or stall an attempt). */
  beforeEffect?: (jobId: string, attempt: number) => Promise<void>;
}

/** `done`: ack (2xx). `retry`: ask Cloud Tasks for another delivery. `ignored`: poison, ack. */
export type ProcessOutcome = { kind: 'done' | 'retry' | 'ignored'; reason: string };

/**
 * The job state machine: queued → running → succeeded/failed, in Firestore transactions.
 * Attempts are counted; a crashed attempt (left `running`) is resumed by the next delivery; a
 * finished job is never redone, only its undelivered notifications are retried.
 */
export async function processJob(deps: ProcessDeps, body: TaskBody): Promise<ProcessOutcome> {
  const now = deps.now ?? (() => new Date());
  const { db } = deps;
  const jobRef = db.collection(JOBS).doc(body.jobId);
  const log = deps.log.child({ jobId: body.jobId, jobType: body.type });

  const claim = await db.runTransaction(async (tx) => {
    const job = toJobDoc((await tx.get(jobRef)).data());
    if (!job) return { kind: 'missing' as const };
    if (job.type !== body.type) return { kind: 'mismatch' as const };
    if (job.status === 'succeeded' || job.status === 'failed')
      return { kind: 'finished' as const, job };
    const attempts = job.attempts + 1;
    if (attempts > MAX_JOB_ATTEMPTS) {
      tx.update(jobRef, {
        status: 'failed',
        error: `gave up after ${job.attempts} attempts`,
        updatedAt: now(),
      });
      return { kind: 'gave-up' as const, job: { ...job, status: 'failed' as const } };
    }
    tx.update(jobRef, { status: 'running', attempts, runningSince: now(), updatedAt: now() });
    return { kind: 'run' as const, job: { ...job, attempts, status: 'running' as const } };
  });

  if (claim.kind === 'missing') {
    log.error('task for a job that does not exist: acknowledged');
    return { kind: 'ignored', reason: 'no such job' };
  }
  if (claim.kind === 'mismatch') {
    log.error('task type does not match the job: acknowledged');
    return { kind: 'ignored', reason: 'job type mismatch' };
  }
  if (claim.kind === 'gave-up') log.error('job failed after too many attempts');
  if (claim.kind === 'finished')
    log.info('job already finished: only undelivered notifications', { status: claim.job.status });

  if (claim.kind === 'run') {
    const job = claim.job;
    if (job.attempts > 1)
      log.warn('resuming a job whose earlier attempt did not finish', { attempt: job.attempts });
    try {
      await deps.beforeEffect?.(body.jobId, job.attempts);
      const result = await bookReservation(db, body.jobId, job.request, deps.slotCapacity, now);
      log.info('job succeeded', { outcome: result.outcome, attempt: job.attempts });
    } catch (err) {
      log.warn('job attempt failed: will retry', {
        attempt: job.attempts,
        error: errorMessage(err),
      });
      await jobRef
        .update({
          error: `attempt ${job.attempts}: ${errorMessage(err)}`.slice(0, 500),
          updatedAt: now(),
        })
        .catch(() => undefined);
      return { kind: 'retry', reason: 'job attempt failed' };
    }
  }
  return notify(deps, body.jobId, log, now);
}

const CHANNELS: Channel[] = ['line', 'slack', 'webhook'];

/** Delivers the finished job's notification on each channel that fits, once each. */
async function notify(
  deps: ProcessDeps,
  jobId: string,
  log: Logger,
  now: () => Date,
): Promise<ProcessOutcome> {
  const { db, notifiers } = deps;
  // Imported here, not at the top: the module is loaded with the webhook's, which must not pay for it.
  const { FieldValue } = await import('@google-cloud/firestore');
  const jobRef = db.collection(JOBS).doc(jobId);
  const job = toJobDoc((await jobRef.get()).data());
  if (!job) return { kind: 'ignored', reason: 'job vanished' };
  const fits = (c: Channel) =>
    c === 'line' ? Boolean(job.notify.line && notifiers.line) : Boolean(notifiers[c]);
  const channels = CHANNELS.filter(fits);
  const text = describeOutcome(job, jobId, messagesFor(job.language));
  let pending = false;
  let delivered = 0;

  for (const channel of channels) {
    // Claim the channel in a transaction, so concurrent deliveries of one task send once.
    const claim = await db.runTransaction(async (tx) => {
      const current = toJobDoc((await tx.get(jobRef)).data());
      const state = current?.notify[channel];
      if (state?.sentAt) return 'sent' as const;
      if (state?.failedAt) return 'failed' as const;
      if (state?.claimedUntil && state.claimedUntil.getTime() > now().getTime())
        return 'busy' as const;
      tx.update(jobRef, {
        [`notify.${channel}.claimedUntil`]: new Date(now().getTime() + CHANNEL_CLAIM_MS),
        [`notify.${channel}.attempts`]: (state?.attempts ?? 0) + 1,
      });
      return 'claimed' as const;
    });
    if (claim === 'sent') {
      delivered++;
      continue;
    }
    if (claim === 'failed') continue;
    if (claim === 'busy') {
      pending = true;
      continue;
    }
    try {
      await send(notifiers, channel, job, jobId, text);
      await jobRef.update({
        [`notify.${channel}.sentAt`]: now(),
        [`notify.${channel}.claimedUntil`]: FieldValue.delete(),
        [`notify.${channel}.lastError`]: FieldValue.delete(),
      });
      delivered++;
      log.info('notification sent', { channel });
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      await jobRef.update({
        [`notify.${channel}.claimedUntil`]: FieldValue.delete(),
        [`notify.${channel}.lastError`]: errorMessage(err).slice(0, 300),
        ...(permanent ? { [`notify.${channel}.failedAt`]: now() } : {}),
      });
      if (permanent) {
        log.error('notification refused for good: not retried', {
          channel,
          error: errorMessage(err),
        });
      } else {
        pending = true;
        log.warn('notification failed: will retry', { channel, error: errorMessage(err) });
      }
    }
  }
  if (pending) return { kind: 'retry', reason: 'notifications pending' };
  if (delivered > 0 && !job.notifiedAt) await jobRef.update({ notifiedAt: now() });
  return { kind: 'done', reason: job.status };
}

async function send(
  notifiers: Notifiers,
  channel: Channel,
  job: JobDoc,
  jobId: string,
  text: string,
): Promise<void> {
  if (channel === 'line' && notifiers.line && job.notify.line) {
    await notifiers.line(job.notify.line.userId, text, job.notify.line.retryKey);
  } else if (channel === 'slack' && notifiers.slack) {
    await notifiers.slack(text);
  } else if (channel === 'webhook' && notifiers.webhook) {
    await notifiers.webhook({
      jobId,
      type: job.type,
      status: job.status,
      result: job.result ?? null,
      session: job.session,
    });
  }
}
