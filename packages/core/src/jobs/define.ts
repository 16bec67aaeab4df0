import type { Firestore } from '@google-cloud/firestore';
import type { z } from 'zod';
import type { BotConfig } from '../config';
import type { Logger } from '../logger';
import type { Messages } from '../messages';
import type { ChannelName } from '../notify';

/**
 * Why a job request is refused by its type's rules (a past date, a time off the grid…): a
 * code the job type explains in each language, and the values its sentence needs.
 */
export interface Refusal {
  code: string;
  values?: Record<string, string | number>;
}

/** What a job type's rules may look at besides the request. */
export interface RuleContext {
  now: Date;
  config: JobsConfig;
}

/** The settings job types read: the configuration, with the bot's own (`defineBot({ env })`). */
export type JobsConfig = BotConfig;

/** What a job's effect gets: the request (parsed with the type's schema) and the services. */
export interface JobRunContext<Request> {
  jobId: string;
  request: Request;
  /** 1 for the first attempt of this run (counted afresh for each scheduled re-run). */
  attempt: number;
  /** How many times the job already asked to run again later ({@link JobRunOutcome} `later`). */
  wakeups: number;
  createdAt: Date;
  db: Firestore;
  config: JobsConfig;
  log: Logger;
  now: () => Date;
}

/**
 * What an effect returns: its result (the job succeeds), or a time to run again (the worker
 * schedules its own Cloud Task then; the job stays pending). An effect never writes the job's
 * status itself: the worker does, in one place. An effect that throws is retried.
 */
export type JobRunOutcome<Result> = { result: Result } | { later: Date };

/** What a job looks like to the user, for `task_status` and notifications. */
export type JobView<Request, Result> = {
  jobId: string;
  request: Request;
} & (
  | { status: 'queued' | 'running'; wakeups: number }
  | { status: 'succeeded'; result: Result }
  | { status: 'failed'; refusal: Refusal | undefined }
);

/**
 * A job type: everything about it in one module. Every member is required, so a job type that
 * forgets a part does not compile.
 */
export interface JobDefinition<
  Type extends string = string,
  RequestSchema extends z.ZodType = z.ZodType,
  ResultSchema extends z.ZodType = z.ZodType,
> {
  /** The discriminant stored in `jobs/{id}.type` and sent in the task body. */
  readonly type: Type;
  /** The request the webhook defers; parsed again by the worker. */
  readonly request: RequestSchema;
  /** The result the effect returns; stored in `jobs/{id}.result`, parsed when read. */
  readonly result: ResultSchema;
  /**
   * The type's rules, checked by the webhook before deferring and again by the worker before
   * running (the worker trusts nothing): `undefined` when the request may run.
   */
  validate(request: z.infer<RequestSchema>, rules: RuleContext): Refusal | undefined;
  /** A refusal in the user's language. */
  explain(refusal: Refusal, t: Messages): string;
  /** The effect: exactly-once in outcome however often it runs (use idempotency keys). */
  run(ctx: JobRunContext<z.infer<RequestSchema>>): Promise<JobRunOutcome<z.infer<ResultSchema>>>;
  /** The job's state in the user's language (pending, done, failed). */
  describe(view: JobView<z.infer<RequestSchema>, z.infer<ResultSchema>>, t: Messages): string;
  /** The channels its finished job notifies on (each only where configured and fitting). */
  readonly notifies: 'all' | readonly (ChannelName | (string & {}))[];
}

/**
 * Declares a job type. The identity function keeps the literal `type` and the schemas' types,
 * so the registry derives the task body, the request union and the worker's dispatch.
 */
export function defineJob<
  const Type extends string,
  RequestSchema extends z.ZodType,
  ResultSchema extends z.ZodType,
>(
  definition: JobDefinition<Type, RequestSchema, ResultSchema>,
): JobDefinition<Type, RequestSchema, ResultSchema> {
  return definition;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobDefinition = JobDefinition<string, any, any>;

/** `{ type, request }` for one job definition. */
export type JobRequestOf<D> =
  D extends JobDefinition<infer T, infer R, z.ZodType> ? { type: T; request: z.infer<R> } : never;
