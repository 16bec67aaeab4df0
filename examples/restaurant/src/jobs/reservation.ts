import { createHash } from 'node:crypto';
import * as z from 'zod';
import { defineJob, type Refusal, type RuleContext } from '@dialogflow-functions/core/jobs';
import type { Messages } from '@dialogflow-functions/core/messages';
import { bookSeats, MAX_SEATS_PER_BOOKING, type SeatBooking } from './seats';

/*
 * The reservation job: books a table against the slot's capacity, exactly once however often
 * Cloud Tasks delivers it, and tells the user the confirmation (or that the slot is full).
 */

export const SLOTS = 'slots';
export const RESERVATIONS = 'reservations';

/** The restaurant's time zone: "today" and "past" are judged there. */
export const RESTAURANT_TIME_ZONE = 'Asia/Taipei';
/** Seatings every 30 minutes from 11:00 to 21:30. */
export const FIRST_SEATING = '11:00';
export const LAST_SEATING = '21:30';
const SLOT_MINUTES = 30;

export const ReservationRequest = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  time: z.string().regex(/^\d{2}:\d{2}$/),
  partySize: z.number().int().min(1).max(100_000),
  name: z.string().min(1).max(100),
});
export type ReservationRequest = z.infer<typeof ReservationRequest>;

const booking = { date: z.string(), time: z.string(), partySize: z.number(), name: z.string() };
export const ReservationResult = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('confirmed'), code: z.string(), ...booking }),
  z.strictObject({ outcome: z.literal('full'), ...booking }),
]);
export type ReservationResult = z.infer<typeof ReservationResult>;

/** `slots/{date}_{HHMM}`: a date+time slot (its capacity; its seats in `seats/`). */
export function slotId(date: string, time: string): string {
  return `${date}_${time.replace(':', '')}`;
}

/** A confirmation code derived from the job: the same job always gets the same code. */
export function confirmationCode(jobId: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const digest = createHash('sha256').update(`confirmation:${jobId}`).digest();
  return Array.from(digest.subarray(0, 6), (b) => alphabet[b % alphabet.length]).join('');
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The restaurant's calendar and clock. Made once: a DateTimeFormat is costly to build (its time
 * zone and locale data), and every reservation check reads the clock.
 */
let restaurantClock: Intl.DateTimeFormat | undefined;

/** Today's date and the time of day in the restaurant's time zone. */
export function restaurantNow(now: Date): { date: string; time: string } {
  restaurantClock ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: RESTAURANT_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(
    restaurantClock.formatToParts(now).map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
  };
}

/** Is the time one of the seatings? */
export function onSlotGrid(time: string): boolean {
  const m = minutes(time);
  return (
    /^\d{2}:\d{2}$/.test(time) &&
    m >= minutes(FIRST_SEATING) &&
    m <= minutes(LAST_SEATING) &&
    (m - minutes(FIRST_SEATING)) % SLOT_MINUTES === 0
  );
}

/** The party-size rule alone (the webhook checks it as soon as the size is known). */
export function checkPartySize(partySize: number, capacity: number): Refusal | undefined {
  if (!Number.isInteger(partySize) || partySize < 1) return { code: 'party-invalid' };
  // One booking is one batch of seat documents (seats.ts): at most MAX_SEATS_PER_BOOKING.
  const max = Math.min(capacity, MAX_SEATS_PER_BOOKING);
  if (partySize > max) return { code: 'party-too-large', values: { max } };
  return undefined;
}

/** The booking rules: a date not in the past, a time on the grid, a party a slot can hold. */
export function checkReservation(
  request: Pick<ReservationRequest, 'date' | 'time' | 'partySize'>,
  rules: RuleContext,
): Refusal | undefined {
  const today = restaurantNow(rules.now);
  const validDate =
    /^\d{4}-\d{2}-\d{2}$/.test(request.date) &&
    !Number.isNaN(Date.parse(`${request.date}T00:00:00Z`)) &&
    new Date(`${request.date}T00:00:00Z`).toISOString().startsWith(request.date);
  if (!validDate) return { code: 'date-invalid', values: { date: request.date } };
  if (
    request.date < today.date ||
    (request.date === today.date && minutes(request.time) <= minutes(today.time))
  ) {
    return { code: 'past', values: { date: request.date, time: request.time } };
  }
  if (!onSlotGrid(request.time)) {
    return {
      code: 'off-grid',
      values: { time: request.time, first: FIRST_SEATING, last: LAST_SEATING },
    };
  }
  return checkPartySize(request.partySize, rules.config.reservation.slotCapacity);
}

/** A refused reservation in the user's language. */
export function explainReservation(refusal: Refusal, t: Messages): string {
  const v = refusal.values ?? {};
  switch (refusal.code) {
    case 'past':
      return t.reservationPast({ date: String(v.date), time: String(v.time) });
    case 'off-grid':
      return t.reservationOffGrid({
        time: String(v.time),
        first: String(v.first),
        last: String(v.last),
      });
    case 'party-too-large':
      return t.reservationPartyTooLarge({ max: Number(v.max) });
    case 'party-invalid':
      return t.reservationPartyInvalid;
    default:
      return t.reservationDateInvalid;
  }
}

/**
 * What a reservation books (seats.ts): the job's slot and `reservations/{jobId}` record, its
 * stored result read back on a re-run. The job runs it; the hot-slot tests run it with their knobs.
 */
export function reservationBooking(o: {
  db: SeatBooking<ReservationResult>['db'];
  jobId: string;
  request: ReservationRequest;
  capacity: number;
  now: () => Date;
}): SeatBooking<ReservationResult> {
  const { db, jobId, request, now } = o;
  const { date, time, partySize, name } = request;
  return {
    db,
    slotRef: db.collection(SLOTS).doc(slotId(date, time)),
    reservationRef: db.collection(RESERVATIONS).doc(jobId),
    partySize,
    defaultCapacity: o.capacity,
    previous: (snap) => {
      const parsed = ReservationResult.safeParse(snap.get('result'));
      return parsed.success ? parsed.data : undefined;
    },
    record: (seats) => ({
      jobId,
      ...request,
      ...(seats ? { seats } : {}),
      result: seats
        ? { outcome: 'confirmed', code: confirmationCode(jobId), date, time, partySize, name }
        : { outcome: 'full', date, time, partySize, name },
      createdAt: now(),
    }),
  };
}

export const reservation = defineJob({
  type: 'reservation',
  request: ReservationRequest,
  result: ReservationResult,
  validate: checkReservation,
  explain: explainReservation,

  /**
   * Books the seats one document per seat, all of the party's in one batch with the job's
   * `reservations/{jobId}` (see seats.ts): however often it runs, concurrently or after a crash,
   * the seats are taken once and the result is the same, and no document is written by every
   * booking of the slot.
   */
  async run({ db, jobId, request, config, now, log }) {
    const { result, stats } = await bookSeats(
      reservationBooking({ db, jobId, request, capacity: config.reservation.slotCapacity, now }),
    );
    log.info('reservation booked', { outcome: result.outcome, ...stats });
    return { result };
  },

  describe(view, t) {
    switch (view.status) {
      case 'queued':
        return t.jobStatusQueued({ jobId: view.jobId });
      case 'running':
        return t.jobStatusRunning({ jobId: view.jobId });
      case 'succeeded':
        return view.result.outcome === 'confirmed'
          ? t.reservationConfirmed(view.result)
          : t.reservationFull(view.result);
      case 'failed':
        return view.refusal
          ? t.jobRefused({ jobId: view.jobId, reason: explainReservation(view.refusal, t) })
          : t.jobFailed({ jobId: view.jobId });
    }
  },
  notifies: 'all',
});
