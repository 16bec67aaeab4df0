import * as z from 'zod';
import { resolveLanguage } from '../messages';
import type { AnyJobDefinition, JobDefinition, Refusal } from './define';
import { dateOf } from './verdict';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** A Firestore Timestamp (or a Date) read back as a Date. */
const date = z.preprocess((v) => dateOf(v) ?? v, z.date());

/** One channel's delivery record for a job: delivered at most once per claim, retried until sent. */
export const ChannelState = z.looseObject({
  /** Who to tell on this channel (LINE user id, email address), when the channel needs it. */
  to: z.string().optional(),
  sentAt: date.optional(),
  /** A sender holds the channel until then, so concurrent deliveries of one task send once. */
  claimedUntil: date.optional(),
  attempts: z.number().int().min(0).optional(),
  lastError: z.string().optional(),
  /** Given up: the channel said no for good. */
  failedAt: date.optional(),
});
export type ChannelState = z.infer<typeof ChannelState>;

export const RefusalSchema = z.strictObject({
  code: z.string(),
  values: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/**
 * A job's states, named: declaration files (and the API report) then refer to it instead of
 * spelling out its members in an order that depends on the compiler's history.
 */
export type JobStatuses = {
  queued: 'queued';
  running: 'running';
  succeeded: 'succeeded';
  failed: 'failed';
};

/** The fields every job record has, whatever its type. */
const jobCommon = {
  v: z.number().int(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']) as z.ZodEnum<JobStatuses>,
  attempts: z.number().int().min(0),
  createdAt: date,
  updatedAt: date,
  /** The Dialogflow session path (null for requests without one). */
  session: z.string().nullable(),
  sessionKey: z.string().nullable(),
  language: z.string().transform((v) => resolveLanguage(v)),
  /** Who to tell, and how far each channel got. */
  notify: z.record(z.string(), ChannelState),
  taskName: z.string().optional(),
  error: z.string().optional(),
  /** The webhook told the user it was not queued: never run, shown or notified. */
  notQueued: z.boolean().optional(),
  /** When the deferring webhook stopped waiting (a record committed later was never confirmed). */
  acceptBy: date.optional(),
  /** Firestore's commit time of the webhook's confirmation: queued only if by `acceptBy`. */
  confirmedAt: date.optional(),
  /** Written by webhooks that confirm (see verdict.ts); absent on older records. */
  confirmRequired: z.boolean().optional(),
  refusal: RefusalSchema.optional(),
  notifiedAt: date.optional(),
  runningSince: date.optional(),
  /** How many times the job asked to run again later; its next run's time. */
  wakeups: z.number().int().min(0).default(0),
  nextRunAt: date.optional(),
};

type Common = z.infer<z.ZodObject<typeof jobCommon>>;

/** `jobs/{jobId}` for one job definition. */
export type JobDocOf<D> =
  D extends JobDefinition<infer T, infer Rq, infer Rs>
    ? Common & { type: T; request: z.infer<Rq>; result?: z.infer<Rs> }
    : never;

/** The record schema of one job type: common fields, its request and its result. */
export function jobDocSchema(definition: AnyJobDefinition) {
  return z.looseObject({
    ...jobCommon,
    type: z.literal(definition.type),
    request: definition.request,
    result: definition.result.optional(),
  });
}

export type { Refusal };
