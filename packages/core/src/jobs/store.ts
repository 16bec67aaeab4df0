import type { DocumentSnapshot } from '@google-cloud/firestore';
import type { JobRegistry } from './registry';

export const JOBS = 'jobs';
export const SESSIONS = 'sessions';

/** A stored job record that does not parse: bad data, never silently cast. */
export class JobShapeError extends Error {
  override readonly name = 'JobShapeError';
  constructor(
    readonly jobId: string,
    detail: string,
  ) {
    super(`jobs/${jobId} does not have the shape of a known job: ${detail}`);
  }
}

/**
 * Parses `jobs/{id}` with the registry's schemas: `undefined` when it does not exist,
 * {@link JobShapeError} when it is not a job this deployment knows.
 */
export function parseJob<R extends JobRegistry>(
  jobs: R,
  snapshot: DocumentSnapshot,
): (R extends JobRegistry<infer D> ? import('./doc').JobDocOf<D> : never) | undefined {
  if (!snapshot.exists) return undefined;
  const parsed = jobs.jobDoc.safeParse(snapshot.data());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JobShapeError(
      snapshot.id,
      `${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data as never;
}
