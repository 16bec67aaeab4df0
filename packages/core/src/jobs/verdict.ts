/*
 * What the user was told about a deferred job, read from its record. The webhook tells
 * "queued" only after its confirmation (`confirmedAt`, Firestore's commit time) landed no later
 * than `acceptBy`, the moment it stopped waiting; it tells "not queued" otherwise, and marks the
 * record `notQueued` when it can. Every try of one Dialogflow turn, the worker, the sweep and
 * task_status read the same fields with the same rule, so they agree: a job never runs unless
 * some try could have said "queued", and a try never says "queued" unless the job will run.
 *
 * The `now` a record is judged by is the clock read *before* the record was read, never after
 * its answer came: see {@link readVerdict}.
 */

/** How long after `acceptBy` a record without a verdict is taken as not queued (clock skew). */
export const VERDICT_GRACE_MS = 2_000;

export type Verdict = 'queued' | 'not-queued' | 'pending';

/** The fields of a job record the verdict depends on. */
export interface VerdictFields {
  status: string;
  notQueued?: boolean | undefined;
  acceptBy?: Date | undefined;
  /** Set at creation by webhooks that confirm: without it, a record from before confirmations. */
  confirmRequired?: boolean | undefined;
  confirmedAt?: Date | undefined;
  attempts: number;
  wakeups: number;
}

/**
 * `queued`: the user was (or may have been) told it is queued, so it must run. `not-queued`:
 * never run, never shown as pending. `pending`: the deferring webhook has not decided yet.
 * `createTime` is the record's Firestore creation time: a record that landed after its webhook
 * stopped waiting was never confirmed.
 */
export function verdictOf(job: VerdictFields, now: Date, createTime?: Date | undefined): Verdict {
  if (job.notQueued) return 'not-queued';
  if (job.status !== 'queued' || job.attempts > 0 || job.wakeups > 0) return 'queued';
  const acceptBy = job.acceptBy?.getTime();
  if (acceptBy !== undefined && createTime && createTime.getTime() > acceptBy) return 'not-queued';
  // A record written before confirmations existed (an older webhook, still deployed while the
  // worker is updated): its webhook said "queued" once the record and the task were made.
  if (!job.confirmRequired || acceptBy === undefined) return 'queued';
  if (job.confirmedAt) return job.confirmedAt.getTime() <= acceptBy ? 'queued' : 'not-queued';
  return now.getTime() > acceptBy + VERDICT_GRACE_MS ? 'not-queued' : 'pending';
}

/**
 * Reads a record and judges it, the clock read before the read is sent. A record that shows no
 * confirmation proves "not queued" only if it was read past `acceptBy` (and the grace): a
 * confirmation landing by `acceptBy` would have been in it. The answer may be handled seconds
 * after the server read it (a busy event loop, a process stopped for a while); the clock read
 * then would take as expired a record whose confirmation was still to land in time, and say
 * "not queued" of a job a sibling try confirms and the worker runs (seen once in the load test,
 * under the Firestore freeze, most likely this way). The clock read before the read is never later
 * than the read, up to the skew between this host's clock and Firestore's, which the grace covers;
 * the deferral writes a not-queued verdict it judged before telling it (defer.ts), so its answer
 * does not hang on the skew either.
 */
export async function readVerdict<S>(
  now: () => Date,
  read: () => Promise<S>,
  judge: (snap: S, at: Date) => Verdict,
): Promise<{ snap: S; verdict: Verdict }> {
  const at = now();
  const snap = await read();
  return { snap, verdict: judge(snap, at) };
}

/** What {@link verdictOfRecord} reads of a stored record (a Firestore DocumentSnapshot). */
export interface RecordSnapshot {
  readonly exists: boolean;
  get(field: string): unknown;
  readonly createTime?: { toDate(): Date } | undefined;
}

/**
 * The verdict a stored job record carries, by its own fields and its creation time, judged at
 * `at` (a moment no later than the read: readVerdict); `pending` when there is no record yet.
 */
export function verdictOfRecord(snap: RecordSnapshot, at: Date): Verdict {
  return snap.exists
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
        at,
        // Stryker disable next-line OptionalChaining: a snapshot that exists has a createTime
        snap.createTime?.toDate(),
      )
    : 'pending';
}

/** A Firestore Timestamp (or Date) as a Date; anything else as undefined. */
export function dateOf(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (value && typeof (value as { toDate?: unknown }).toDate === 'function') {
    return (value as { toDate(): Date }).toDate();
  }
  return undefined;
}
