import type { Firestore } from '@google-cloud/firestore';
import type { Config } from '../config';
import { errorMessage } from '../errors';
import { createJobTask, JOBS, JobShapeError, parseJob, verdictOf, type JobRegistry } from '../jobs';
import type { Logger } from '../logger';
import type { TasksClientFactory } from '../tasks';

/** A queued job untouched this long, or a running one, may have lost its task. */
export const STALE_QUEUED_MS = 2 * 60_000;
/** Longer than a task's dispatch deadline (10 min): an attempt still "running" after it died. */
export const STALE_RUNNING_MS = 15 * 60_000;
const BATCH = 200;

export interface SweepDeps {
  db: Firestore;
  jobs: JobRegistry;
  tasks: TasksClientFactory;
  config: Pick<Config, 'projectId' | 'tasks' | 'worker'>;
  log: Logger;
  now: () => Date;
}

export interface SweepReport {
  checked: number;
  /** Tasks re-created for jobs that had lost theirs. */
  requeued: number;
  /** Records that landed after the webhook had told the user "not queued": marked so. */
  abandoned: number;
}

/**
 * Finds jobs stuck between their record and their task (an instance that died after writing
 * the record, a task lost or exhausted) and gives each a task again, under a name derived from
 * its progress so repeated sweeps create it once. Jobs the deferring webhook never confirmed
 * to the user (see verdict.ts) are marked not queued instead.
 * Run by Cloud Scheduler (`POST <worker>/sweep`, every 5 minutes) and by `npm start`.
 */
export async function sweepJobs(deps: SweepDeps): Promise<SweepReport> {
  const { db, now } = deps;
  const report: SweepReport = { checked: 0, requeued: 0, abandoned: 0 };
  for (const status of ['queued', 'running'] as const) {
    const readAt = now(); // the clock before the read (readVerdict)
    const snaps = await db.collection(JOBS).where('status', '==', status).limit(BATCH).get();
    for (const snap of snaps.docs) {
      report.checked++;
      let job;
      try {
        job = parseJob(deps.jobs, snap);
      } catch (err) {
        if (err instanceof JobShapeError) {
          deps.log.error('sweep: job record of the wrong shape', { jobId: snap.id });
          continue;
        }
        throw err;
      }
      if (!job || job.notQueued) continue;
      const log = deps.log.child({ jobId: snap.id, jobType: job.type });
      const verdict = verdictOf(job, readAt, snap.createTime?.toDate());
      if (verdict === 'pending') continue;
      if (verdict === 'not-queued') {
        // Never confirmed to the user (recorded after its webhook gave up, or left without a
        // confirmation): recorded as not queued, so it never runs.
        // Decided again on a fresh read: the webhook may have confirmed it since the query.
        const abandoned = await db.runTransaction(async (tx) => {
          const freshAt = now();
          const current = await tx.get(snap.ref);
          const fresh = parseJob(deps.jobs, current);
          if (!fresh || verdictOf(fresh, freshAt, current.createTime?.toDate()) !== 'not-queued') {
            return false;
          }
          if (fresh.notQueued) return false;
          tx.update(snap.ref, {
            status: 'failed',
            notQueued: true,
            error: 'never confirmed by the webhook',
            updatedAt: now(),
          });
          return true;
        });
        if (!abandoned) continue;
        report.abandoned++;
        log.warn('sweep: a job its webhook never confirmed: marked not queued');
        continue;
      }
      const age = now().getTime() - job.updatedAt.getTime();
      if (status === 'queued' && job.nextRunAt && job.nextRunAt.getTime() > now().getTime())
        continue;
      if (age < (status === 'queued' ? STALE_QUEUED_MS : STALE_RUNNING_MS)) continue;
      try {
        const created = await createJobTask(
          await deps.tasks(),
          deps.config,
          {
            jobId: snap.id,
            type: job.type,
            wake: job.wakeups,
            recovery: `s${job.attempts}`,
          },
          10_000,
        );
        if (created) {
          report.requeued++;
          log.warn('sweep: job had lost its task: task created again', { status });
        }
      } catch (err) {
        log.error('sweep: could not create a task', { error: errorMessage(err) });
      }
    }
  }
  deps.log.info('sweep done', { ...report });
  return report;
}
