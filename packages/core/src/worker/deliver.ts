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
 * Every channel still owed is claimed in one transaction before sending (the job read once,
 * each claim for CHANNEL_CLAIM_MS), so concurrent deliveries send once; the claimed channels are
 * then sent at the same time (each within its own timeout, inside the claim) and each is marked
 * sent as soon as it is; a crash mid-send resends after the claim expires, with the same key.
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
  type Job = NonNullable<ReturnType<typeof parseJob<typeof deps.jobs>>>;
  type Fitting = (typeof deps.channels)[number];
  const outcome = await db.runTransaction(async (tx) => {
    const job: Job | undefined = parseJob(deps.jobs, await tx.get(jobRef));
    if (!job) return { kind: 'vanished' as const };
    if (job.notQueued || (job.status !== 'succeeded' && job.status !== 'failed')) {
      return { kind: 'nothing' as const };
    }
    const definition = deps.jobs.get(job.type);
    const listed = (name: string) =>
      definition?.notifies === 'all' || (definition?.notifies ?? []).some((n) => n === name);
    const fitting = deps.channels.filter(
      ({ channel }) =>
        listed(channel.name) && (!channel.needsRecipient || job.notify[channel.name]?.to),
    );
    const claimed: Fitting[] = [];
    let sent = 0;
    let busy = false;
    const claims: Record<string, unknown> = {};
    const claimedUntil = new Date(now().getTime() + CHANNEL_CLAIM_MS);
    for (const fit of fitting) {
      const name = fit.channel.name;
      const state = job.notify[name];
      if (state?.sentAt) sent++;
      else if (state?.failedAt) continue;
      else if (state?.claimedUntil && state.claimedUntil.getTime() > now().getTime()) busy = true;
      else {
        claims[`notify.${name}.claimedUntil`] = claimedUntil;
        claims[`notify.${name}.attempts`] = (state?.attempts ?? 0) + 1;
        claimed.push(fit);
      }
    }
    if (claimed.length > 0) tx.update(jobRef, claims);
    return { kind: 'claimed' as const, job, status: job.status, claimed, sent, busy };
  });
  if (outcome.kind === 'vanished') return { kind: 'ignored', reason: 'job vanished' };
  if (outcome.kind === 'nothing') return { kind: 'done', reason: 'nothing to notify' };

  const { job, status, claimed } = outcome;
  const t = deps.messages(job.language);
  const text = describeJob(deps.jobs, jobId, job, t);
  let pending = outcome.busy;
  let delivered = outcome.sent;
  // Every channel settles (its send and its record) before this answers: a record that could
  // not be written fails the delivery (Cloud Tasks retries it) only once none is still in flight.
  const settled = await Promise.allSettled(
    claimed.map(async ({ channel, send }) => {
      const field = `notify.${channel.name}`;
      try {
        await send({
          jobId,
          type: job.type,
          status,
          result: job.result ?? null,
          session: job.session,
          language: job.language,
          text,
          subject: t.jobNotifySubject({ jobId }),
          to: job.notify[channel.name]?.to,
          key: notificationKey(jobId, channel.name),
        });
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
        return;
      }
      await jobRef.update({
        [`${field}.sentAt`]: now(),
        [`${field}.claimedUntil`]: FieldValue.delete(),
        [`${field}.lastError`]: FieldValue.delete(),
      });
      delivered++;
      log.info('notification sent', { channel: channel.name });
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (pending) return { kind: 'retry', reason: 'notifications pending' };
  if (delivered > 0 && !job.notifiedAt) await jobRef.update({ notifiedAt: now() });
  return { kind: 'done', reason: status };
}
