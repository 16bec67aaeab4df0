import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { JOBS, toJobDoc, type ReservationRequest, type ReservationResult } from '../../shared/jobs';

export const SLOTS = 'slots';
export const RESERVATIONS = 'reservations';

/** `slots/{date}_{HHMM}`: seats booked in one date+time slot. */
export function slotId(date: string, time: string): string {
  return `${date}_${time.replace(':', '')}`;
}

/** A confirmation code derived from the job: the same job always gets the same code. */
export function confirmationCode(jobId: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const digest = createHash('sha256').update(`confirmation:${jobId}`).digest();
  return Array.from(digest.subarray(0, 6), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Books the reservation against the slot's capacity and marks the job succeeded, in one
 * transaction keyed by the job id (`reservations/{jobId}`): however often it runs, concurrently
 * or after a crash, the seats are taken once and the result is the same.
 */
export async function bookReservation(
  db: Firestore,
  jobId: string,
  request: ReservationRequest,
  capacity: number,
  now: () => Date,
): Promise<ReservationResult> {
  const jobRef = db.collection(JOBS).doc(jobId);
  const slotRef = db.collection(SLOTS).doc(slotId(request.date, request.time));
  const reservationRef = db.collection(RESERVATIONS).doc(jobId);
  return db.runTransaction(async (tx) => {
    const [jobSnap, slotSnap, reservationSnap] = await tx.getAll(jobRef, slotRef, reservationRef);
    const job = toJobDoc(jobSnap?.data());
    if (job?.status === 'succeeded' && job.result) return job.result;
    let result: ReservationResult;
    const previous = reservationSnap?.get('result') as ReservationResult | undefined;
    if (previous) {
      result = previous;
    } else {
      const booked = Number(slotSnap?.get('booked') ?? 0);
      const slotCapacity = Number(slotSnap?.get('capacity') ?? capacity);
      const { date, time, partySize, name } = request;
      if (booked + partySize > slotCapacity) {
        result = { outcome: 'full', date, time, partySize, name };
      } else {
        result = {
          outcome: 'confirmed',
          code: confirmationCode(jobId),
          date,
          time,
          partySize,
          name,
        };
        tx.set(
          slotRef,
          { date, time, capacity: slotCapacity, booked: booked + partySize, updatedAt: now() },
          { merge: true },
        );
      }
      tx.create(reservationRef, { jobId, ...request, result, createdAt: now() });
    }
    tx.update(jobRef, { status: 'succeeded', result, updatedAt: now() });
    return result;
  });
}
