import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import type { Messages } from '../messages';
import type { JobDoc, ReservationResult } from './schema';

export const JOBS = 'jobs';
export const SESSIONS = 'sessions';

/** Firestore Timestamps (and nested ones) → Date, so callers see plain JobDoc values. */
export function toJobDoc(data: DocumentData | undefined): JobDoc | undefined {
  if (!data) return undefined;
  return convertDates(data) as JobDoc;
}

function convertDates(value: unknown): unknown {
  if (value && typeof value === 'object') {
    if (typeof (value as Timestamp).toDate === 'function' && 'seconds' in value) {
      return (value as Timestamp).toDate();
    }
    if (Array.isArray(value)) return value.map(convertDates);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = convertDates(v);
    return out;
  }
  return value;
}

export async function readJob(db: Firestore, jobId: string): Promise<JobDoc | undefined> {
  return toJobDoc((await db.collection(JOBS).doc(jobId).get()).data());
}

/** The user-facing sentence for a finished job, in the catalogue's language. */
export function describeOutcome(
  job: Pick<JobDoc, 'status' | 'result'>,
  jobId: string,
  t: Messages,
): string {
  if (job.status === 'failed' || !job.result) return t.jobFailed({ jobId });
  const r: ReservationResult = job.result;
  return r.outcome === 'confirmed' ? t.reservationConfirmed(r) : t.reservationFull(r);
}
