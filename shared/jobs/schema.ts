import { createHash } from 'node:crypto';
import { z } from 'zod';

/*
 * Jobs: slow work the webhook hands to the worker. The task body names the job; the job's
 * record in Firestore (`jobs/{jobId}`) is the truth both functions share.
 */

export const JOB_SCHEMA_VERSION = 1;

/** The jobs the worker knows, by `type` (a discriminated union: add a member per job type). */
export const ReservationRequest = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  time: z.string().regex(/^\d{2}:\d{2}$/),
  partySize: z.number().int().min(1).max(50),
  name: z.string().min(1).max(100),
});
export type ReservationRequest = z.infer<typeof ReservationRequest>;

export const JobRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('reservation'), request: ReservationRequest }),
]);
export type JobRequest = z.infer<typeof JobRequest>;
export type JobType = JobRequest['type'];

/** What a Cloud Task carries to the worker: a pointer to the job record, versioned. */
export const TaskBody = z.strictObject({
  v: z.literal(JOB_SCHEMA_VERSION),
  jobId: z.string().regex(/^[a-z0-9-]{6,64}$/),
  type: z.enum(['reservation']),
});
export type TaskBody = z.infer<typeof TaskBody>;

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** Results per job type. */
export type ReservationResult =
  | {
      outcome: 'confirmed';
      code: string;
      date: string;
      time: string;
      partySize: number;
      name: string;
    }
  | { outcome: 'full'; date: string; time: string; partySize: number; name: string };

/** Per-channel delivery record: delivered at most once, retried until delivered. */
export interface ChannelState {
  sentAt?: Date;
  /** A sender holds the channel until then (concurrent duplicate deliveries send once). */
  claimedUntil?: Date;
  attempts?: number;
  lastError?: string;
  /** Given up (the channel said no for good). */
  failedAt?: Date;
}

/** `jobs/{jobId}` */
export interface JobDoc {
  v: number;
  type: JobType;
  request: JobRequest['request'];
  status: JobStatus;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  /** The Dialogflow session path (null for requests without one). */
  session: string | null;
  sessionKey: string | null;
  language: 'en' | 'zh-TW';
  /** Who to tell, and how far each channel got. */
  notify: {
    line?: { userId: string; retryKey: string } & ChannelState;
    slack?: ChannelState;
    webhook?: ChannelState;
  };
  taskName?: string;
  result?: ReservationResult;
  error?: string;
  notifiedAt?: Date;
  runningSince?: Date;
}

/**
 * The job id for a turn: a hash of the Dialogflow response id and the job type, so
 * Dialogflow's retries of the same request map to the same job (and the same task name).
 * Short enough to read out; 60 bits of the hash.
 */
export function jobIdFor(responseId: string, type: JobType): string {
  const digest = createHash('sha256').update(`${type}\u0000${responseId}`).digest();
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
  let bits = 0n;
  for (const byte of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let i = 0; i < 12; i++) {
    id = alphabet[Number(bits & 31n)] + id;
    bits >>= 5n;
  }
  return `${type.slice(0, 1)}-${id}`;
}
