import * as z from 'zod';
import type { AnyJobDefinition, JobRequestOf } from './define';
import { jobDocSchema, type JobDocOf } from './doc';
import type { Register } from '../register';

/**
 * The bot's job types, declared once by the module that lists them:
 *
 * ```ts
 * export const jobs = createJobRegistry([reservation, watchOrder]);
 * declare module '@dialogflow-functions/core' {
 *   interface Register { jobs: typeof jobs }
 * }
 * ```
 *
 * Every type below derives from that list: `ctx.defer()` accepts only registered requests.
 */
export type { Register } from '../register';

type Definitions<R> = R extends { jobs: JobRegistry<infer D> } ? D : AnyJobDefinition;

/** The registered job definitions (a union). */
export type RegisteredJob = Definitions<Register>;
/** `{ type, request }` of a registered job type: what a handler defers. */
export type JobRequest = JobRequestOf<RegisteredJob>;
/** The registered job types. */
export type JobType = RegisteredJob['type'];
/** `jobs/{jobId}` of a registered job type, as parsed when read. */
export type JobDoc = JobDocOf<RegisteredJob>;

export const JOB_SCHEMA_VERSION = 1;

/** The runtime side of the list: lookups, the task body and the job record schemas. */
export interface JobRegistry<D extends AnyJobDefinition = AnyJobDefinition> {
  readonly definitions: readonly D[];
  readonly types: readonly D['type'][];
  /** The definition of a type, or `undefined` for a type this deployment does not know. */
  get(type: string): D | undefined;
  /** What a Cloud Task carries to the worker: a pointer to the job record, versioned. */
  readonly taskBody: z.ZodType<TaskBody<D['type']>>;
  /** `jobs/{id}` as stored: a discriminated union on `type`; Firestore Timestamps become Dates. */
  readonly jobDoc: z.ZodType<JobDocOf<D>>;
}

/** A Cloud Task's JSON body. `wake` numbers the job's scheduled re-runs (absent: the first). */
export interface TaskBody<Type extends string = string> {
  v: typeof JOB_SCHEMA_VERSION;
  jobId: string;
  type: Type;
  wake?: number;
}

export const JOB_ID = /^[a-z0-9-]{6,64}$/;

/** Builds the registry from the job definitions; their `type`s must be unique. */
export function createJobRegistry<const D extends AnyJobDefinition>(
  definitions: readonly D[],
): JobRegistry<D> {
  const byType = new Map<string, D>();
  for (const d of definitions) {
    if (byType.has(d.type)) throw new Error(`job type ${d.type} is registered twice`);
    byType.set(d.type, d);
  }
  const types = definitions.map((d) => d.type);
  const [first, ...rest] = definitions.map((d) => jobDocSchema(d));
  if (!first) throw new Error('a job registry needs at least one job type');
  return {
    definitions,
    types,
    get: (type) => byType.get(type),
    taskBody: z.strictObject({
      v: z.literal(JOB_SCHEMA_VERSION),
      jobId: z.string().regex(JOB_ID),
      type: z.enum(types as [D['type'], ...D['type'][]]),
      wake: z.number().int().min(0).max(1_000_000).optional(),
    }) as unknown as z.ZodType<TaskBody<D['type']>>,
    jobDoc: (rest.length === 0
      ? first
      : z.discriminatedUnion('type', [first, ...rest] as never)) as unknown as z.ZodType<
      JobDocOf<D>
    >,
  };
}
