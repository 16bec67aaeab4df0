import type { Messages } from '../messages';
import type { JobView } from './define';
import type { JobDocOf } from './doc';
import type { AnyJobDefinition } from './define';
import type { JobRegistry } from './registry';

/** What a stored job looks like to the user, in the shape its type's `describe` reads. */
export function jobView(jobId: string, job: JobDocOf<AnyJobDefinition>): JobView<unknown, unknown> {
  const base = { jobId, request: job.request };
  if (job.status === 'succeeded' && job.result !== undefined) {
    return { ...base, status: 'succeeded', result: job.result };
  }
  if (job.status === 'queued' || job.status === 'running') {
    return { ...base, status: job.status, wakeups: job.wakeups };
  }
  return { ...base, status: 'failed', refusal: job.refusal };
}

/** The job's state in the catalogue's language, by its type's `describe`. */
export function describeJob(
  jobs: JobRegistry,
  jobId: string,
  job: JobDocOf<AnyJobDefinition>,
  t: Messages,
): string {
  if (job.notQueued) return t.jobNotQueued({ jobId });
  const definition = jobs.get(job.type);
  if (!definition) return t.jobFailed({ jobId });
  return definition.describe(jobView(jobId, job), t);
}
