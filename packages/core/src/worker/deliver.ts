import type { Firestore } from '@google-cloud/firestore';
import { errorMessage } from '../errors';
import { firestoreModule } from '../firestore/load';
import { describeJob, JOBS, parseJob, type JobRegistry } from '../jobs';
import type { Logger } from '../logger';
import type { MessagesFor } from '../messages';
import { notificationKey, PermanentDeliveryError, type EnabledChannel } from '../notify';

/**
 * How long a sender holds a channel before another delivery may try it: the channel's own
 * timeout (10 s) plus a margin. A worker killed mid-send is resent after at most this long,
 * with the same idempotency key.
 */
export const CHANNEL_CLAIM_MS = 15_000;

export interface DeliverDeps {
  db: Firestore;
  jobs: JobRegistry;
  channels: readonly EnabledChannel[];
  now: () => Date;
  /** The catalogue per language the notification text is written from (the bot's strings included). */
  messages: MessagesFor;
}

/**
 * Delivers a finished job's notification on each channel that fits it: enabled by the
 * configuration, listed by the job type, and with a recipient where the channel needs one.
 * Each channel is claimed in a transaction before sending and marked sent after, so concurrent
 * deliveries send once; a crash mid-send resends after the claim expires, with the same key.
 */
export async function deliverNotifications(
  deps: DeliverDeps,
  jobId: string,
  log: Logger,
): Promise<{ kind: 'done' | 'retry' | 'ignored'; reason: string }> {
  const { db, now } = deps;
  // Imported here, not at the top: FieldValue is needed only once a job has finished.
  const { FieldValue } = firestoreModule();
  const jobRef = db.collection(JOBS).doc(jobId);
  const job = parseJob(deps.jobs, await jobRef.get());
  if (!job) return { kind: 'ignored', reason: 'job vanished' };
  if (job.notQueued || (job.status !== 'succeeded' && job.status !== 'failed')) {
    return { kind: 'done', reason: 'nothing to notify' };
  }
  const definition = deps.jobs.get(job.type);
  const listed = (name: string) =>
    definition?.notifies === 'all' || (definition?.notifies ?? []).some((n) => n === name);
  const fitting = deps.channels.filter(
    ({ channel }) =>
      listed(channel.name) && (!channel.needsRecipient || job.notify[channel.name]?.to),
  );
  const t = deps.messages(job.language);
  const text = describeJob(deps.jobs, jobId, job, t);
  let pending = false;
  let delivered = 0;

  for (const { channel, send } of fitting) {
    const field = `notify.${channel.name}`;
    const claim = await db.runTransaction(async (tx) => {
      const current = parseJob(deps.jobs, await tx.get(jobRef));
      const state = current?.notify[channel.name];
      if (state?.sentAt) return 'sent' as const;
      if (state?.failedAt) return 'failed' as const;
      if (state?.claimedUntil && state.claimedUntil.getTime() > now().getTime())
        return 'busy' as const;
      tx.update(jobRef, {
        [`${field}.claimedUntil`]: new Date(now().getTime() + CHANNEL_CLAIM_MS),
        [`${field}.attempts`]: (state?.attempts ?? 0) + 1,
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
      await send({
        jobId,
        type: job.type,
        status: job.status,
        result: job.result ?? null,
        session: job.session,
        language: job.language,
        text,
        subject: t.jobNotifySubject({ jobId }),
        to: job.notify[channel.name]?.to,
        key: notificationKey(jobId, channel.name),
      });
      await jobRef.update({
        [`${field}.sentAt`]: now(),
        [`${field}.claimedUntil`]: FieldValue.delete(),
        [`${field}.lastError`]: FieldValue.delete(),
      });
      delivered++;
      log.info('notification sent', { channel: channel.name });
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      await jobRef.update({
        [`${field}.claimedUntil`]: FieldValue.delete(),
        [`${field}.lastError`]: errorMessage(err).slice(0, 300),
        ...(permanent ? { [`${field}.failedAt`]: now() } : {}),
      });
      if (permanent) {
        log.error('notification refused for good: not retried', {
          channel: channel.name,
          error: errorMessage(err),
        });
      } else {
        pending = true;
        log.warn('notification failed: will retry', {
          channel: channel.name,
          error: errorMessage(err),
        });
      }
    }
  }
  if (pending) return { kind: 'retry', reason: 'notifications pending' };
  if (delivered > 0 && !job.notifiedAt) await jobRef.update({ notifiedAt: now() });
  return { kind: 'done', reason: job.status };
}
