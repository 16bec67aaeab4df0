import type { Config } from '../config';
import type { CloudTasksClient } from '../tasks';
import { JOB_SCHEMA_VERSION, type TaskBody } from './registry';

export const ALREADY_EXISTS = 6;

/** `projects/P/locations/L/queues/Q` of the configuration. */
export function queuePath(config: Pick<Config, 'projectId' | 'tasks'>): string {
  return `projects/${config.projectId}/locations/${config.tasks.location}/queues/${config.tasks.queue}`;
}

/**
 * The task name of a job's run: the first is the job id, a scheduled re-run `<id>-w<n>`, a
 * recovery task (the sweep's) `<…>-<recovery>`. Names make each task's creation idempotent.
 */
export function jobTaskName(
  config: Pick<Config, 'projectId' | 'tasks'>,
  jobId: string,
  wake = 0,
  recovery?: string,
): string {
  const base = wake === 0 ? jobId : `${jobId}-w${wake}`;
  return `${queuePath(config)}/tasks/${recovery ? `${base}-${recovery}` : base}`;
}

/**
 * Creates the Cloud Task that runs a job: POST to WORKER_URL with the JSON task body, an OIDC
 * token for TASKS_SERVICE_ACCOUNT when set, at `scheduleTime` when given. Resolves `true` when
 * created, `false` when a task of that name already exists (an earlier try created it).
 */
export async function createJobTask(
  client: CloudTasksClient,
  config: Pick<Config, 'projectId' | 'tasks' | 'worker'>,
  job: { jobId: string; type: string; wake?: number; scheduleTime?: Date; recovery?: string },
  timeoutMs: number,
): Promise<boolean> {
  const body: TaskBody = {
    v: JOB_SCHEMA_VERSION,
    jobId: job.jobId,
    type: job.type,
    ...(job.wake ? { wake: job.wake } : {}),
  };
  const serviceAccount = config.tasks.serviceAccount;
  try {
    await client.createTask(
      {
        parent: queuePath(config),
        task: {
          name: jobTaskName(config, job.jobId, job.wake, job.recovery),
          ...(job.scheduleTime
            ? {
                scheduleTime: {
                  seconds: Math.floor(job.scheduleTime.getTime() / 1000),
                  nanos: (job.scheduleTime.getTime() % 1000) * 1e6,
                },
              }
            : {}),
          httpRequest: {
            url: config.tasks.workerUrl,
            // Stryker disable next-line StringLiteral: POST is also Cloud Tasks' default
            httpMethod: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(body)),
            ...(serviceAccount
              ? {
                  oidcToken: {
                    serviceAccountEmail: serviceAccount,
                    audience: config.worker.oidcAudience ?? config.tasks.workerUrl,
                  },
                }
              : {}),
          },
        },
      },
      { timeout: Math.max(1, timeoutMs), maxRetries: 0 },
    );
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
    throw err;
  }
}
