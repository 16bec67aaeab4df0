import { createJobRegistry, defineJob } from '@dialogflow-functions/core/jobs';
import {
  confirmationCode,
  reservation,
  RESERVATIONS,
  ReservationResult,
  SLOTS,
  slotId,
} from '../../src/jobs/reservation';
import { watchOrder } from '../../src/jobs/watch-order';

/*
 * The reservation booking as it was before the seat documents (kept for `npm run bench --
 * --hot-slot` only, to compare in the same run): one transaction per booking that reads and
 * writes the slot's counter `slots/{date}_{HHMM}.booked`, so every booking of a slot writes
 * that one document. Same request, result and notifications as the current job type.
 */
export const legacyReservation = defineJob({
  ...reservation,
  async run({ db, jobId, request, config, now, log }) {
    const slotRef = db.collection(SLOTS).doc(slotId(request.date, request.time));
    const reservationRef = db.collection(RESERVATIONS).doc(jobId);
    let txAttempts = 0;
    const result = await db.runTransaction(async (tx) => {
      txAttempts++;
      const [slotSnap, reservationSnap] = await tx.getAll(slotRef, reservationRef);
      const previous = ReservationResult.safeParse(reservationSnap?.get('result'));
      if (reservationSnap?.exists && previous.success) return previous.data;
      const booked = Number(slotSnap?.get('booked') ?? 0);
      const capacity = Number(slotSnap?.get('capacity') ?? config.reservation.slotCapacity);
      const { date, time, partySize, name } = request;
      let outcome: ReservationResult;
      if (booked + partySize > capacity) {
        outcome = { outcome: 'full', date, time, partySize, name };
      } else {
        outcome = {
          outcome: 'confirmed',
          code: confirmationCode(jobId),
          date,
          time,
          partySize,
          name,
        };
        tx.set(
          slotRef,
          { date, time, capacity, booked: booked + partySize, updatedAt: now() },
          { merge: true },
        );
      }
      tx.set(reservationRef, { jobId, ...request, result: outcome, createdAt: now() });
      return outcome;
    });
    // Transaction attempts beyond the first were aborted by contention (the client retried).
    log.info('reservation booked', {
      outcome: result.outcome,
      rounds: txAttempts,
      conflicts: txAttempts - 1,
    });
    return { result };
  },
});

/** The demo's job types with the old booking in place of the new. */
export const legacyJobs = createJobRegistry([legacyReservation, watchOrder]);
