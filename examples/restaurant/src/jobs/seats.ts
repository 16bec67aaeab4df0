import type {
  AggregateQuerySnapshot,
  AggregateField,
  CollectionReference,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
} from '@google-cloud/firestore';

/*
 * Seat-per-document booking (see docs/hot-slot.md). A slot's seats are documents
 * `slots/{slotId}/seats/{NNNNN}`, one per seat index in [0, capacity). A party takes its seats
 * by creating their documents with an "absent" precondition, together with the job's
 * `reservations/{jobId}`, in ONE batched write: all or nothing, no transaction, no lock held
 * across round trips. So:
 * - no document is written by every booking of a slot (the slot document is written once, when
 *   the slot's first booking fixes its capacity, and only read after that);
 * - capacity is exact: there are only `capacity` seat indices, and a seat document can be
 *   created once;
 * - a party is all or nothing (the batch), and a job books once: `reservations/{jobId}` is
 *   created in the same batch, so a retry (or a concurrent delivery) finds it, or loses the race
 *   with ALREADY_EXISTS and then finds it;
 * - "full" only when fewer seats than the party are left: seats are never given back, so a
 *   count that shows too few free seats stays true;
 * - a worker killed mid-booking holds nothing: its batch committed (its job's retry finds the
 *   reservation) or it did not (no seat taken).
 */

export const SEATS = 'seats';

type AggregateQuerySnapshotOf = AggregateQuerySnapshot<{ count: AggregateField<number> }>;
/** A batch holds at most 500 writes: the seats and the reservation. */
export const MAX_SEATS_PER_BOOKING = 499;
/** Seat indices looked at in one window (before falling back to listing every taken seat). */
const WINDOW = 32;
/** Rounds lost to other parties before the attempt gives up (the job is retried). */
const MAX_ROUNDS = 40;
const ALREADY_EXISTS = 6;

/** A seat's document id: the index, zero-padded so ids sort as numbers. */
export function seatId(index: number): string {
  return String(index).padStart(5, '0');
}

/** What one booking did, for logs and the bench. */
export interface BookingStats {
  /** Batches tried (1 when no other party took a chosen seat first). */
  rounds: number;
  /** Batches refused because another party had taken one of the chosen seats. */
  conflicts: number;
  /** Documents read (billed reads: an aggregation or an empty query counts 1). */
  reads: number;
  /** Documents written. */
  writes: number;
}

export interface SeatBooking<Result> {
  db: Firestore;
  slotRef: DocumentReference;
  reservationRef: DocumentReference;
  partySize: number;
  /** The capacity a slot gets when its first booking creates it. */
  defaultCapacity: number;
  /** The stored result of an earlier run of the same job, if it parses. */
  previous(snap: DocumentSnapshot): Result | undefined;
  /** The reservation document for an outcome (`seats` undefined: full). */
  record(seats: string[] | undefined): { result: Result } & Record<string, unknown>;
  /** For tests and the bench: runs before each batch commit. */
  beforeCommit?: (round: number) => Promise<void>;
  random?: () => number;
}

/**
 * Books `partySize` seats of the slot for the job, exactly once; see the file comment.
 * Resolves the job's result (confirmed or full) and what it cost.
 */
export async function bookSeats<Result>(
  b: SeatBooking<Result>,
): Promise<{ result: Result; stats: BookingStats }> {
  const random = b.random ?? Math.random;
  const stats: BookingStats = { rounds: 0, conflicts: 0, reads: 0, writes: 0 };
  const seats = b.slotRef.collection(SEATS);

  // 1. An earlier run's result, and the slot's capacity (fixed by its first booking).
  const [reservation, slot] = await b.db.getAll(b.reservationRef, b.slotRef);
  stats.reads += 2;
  const earlier = reservation?.exists ? b.previous(reservation) : undefined;
  if (earlier !== undefined) return { result: earlier, stats };
  let capacity = Number(slot?.get('capacity'));
  if (!slot?.exists || !Number.isInteger(capacity)) {
    capacity = await fixCapacity(b, stats);
  }
  // Seats counted by an older deployment's counter (`booked`, no seat documents) are the
  // first indices: they stay taken, the new bookings use the rest.
  const first = Math.max(0, Math.floor(Number(slot?.get('booked') ?? 0)) || 0);
  const domain = Math.max(0, capacity - first);

  /** Stores the outcome unless another run of the job stored one first (then that one). */
  const finish = async (taken: string[] | undefined): Promise<Result | undefined> => {
    const doc = b.record(taken);
    const batch = b.db.batch();
    for (const id of taken ?? []) {
      batch.create(seats.doc(id), { jobId: b.reservationRef.id });
    }
    batch.create(b.reservationRef, doc);
    stats.rounds++;
    try {
      await b.beforeCommit?.(stats.rounds);
      await batch.commit();
      stats.writes += (taken?.length ?? 0) + 1;
      return doc.result;
    } catch (err) {
      if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
      const again = await b.reservationRef.get();
      stats.reads++;
      const stored = again.exists ? b.previous(again) : undefined;
      if (stored !== undefined) return stored;
      stats.conflicts++;
      return undefined; // another party took one of these seats first
    }
  };

  let listAll = false;
  for (let look = 0; stats.rounds < MAX_ROUNDS && look < 2 * MAX_ROUNDS; look++) {
    // 2. How many seats are taken (one billed read), so whether the party still fits; at the
    // same time, candidate seats: the free ones in a random window of indices (spreads
    // concurrent parties over the slot, reads at most WINDOW documents).
    const start = first + Math.floor(random() * Math.max(1, domain - WINDOW + 1));
    const windowed: boolean = !listAll && domain > WINDOW;
    const [counted, inWindow]: [AggregateQuerySnapshotOf, Set<string> | undefined] =
      await Promise.all([
        seats.count().get(),
        windowed ? takenIds(seats, seatId(start), seatId(start + WINDOW), stats) : undefined,
      ]);
    stats.reads++;
    const free: number = domain - counted.data().count;
    if (free < b.partySize) {
      const result = await finish(undefined);
      if (result !== undefined) return { result, stats };
      continue;
    }
    let candidates: number[] = [];
    if (inWindow) {
      for (let i = start; i < start + WINDOW; i++) if (!inWindow.has(seatId(i))) candidates.push(i);
    }
    // When the window cannot hold the party: every free seat.
    if (candidates.length < b.partySize) {
      const taken = await takenIds(seats, seatId(first), seatId(capacity), stats);
      candidates = [];
      for (let i = first; i < capacity; i++) if (!taken.has(seatId(i))) candidates.push(i);
      if (candidates.length < b.partySize) continue; // counted again: full is decided above
    }
    // 4. The party's seats, chosen at random among the candidates, in one batch.
    const chosen = pick(candidates, b.partySize, random).map(seatId);
    const result = await finish(chosen);
    if (result !== undefined) return { result, stats };
    // Lost a seat to another party: another random window, or every free seat once the slot is
    // nearly full (a window would rarely hold the party then).
    listAll = free - b.partySize < WINDOW / 2;
    await new Promise((r) => setTimeout(r, Math.floor(random() * 5 * stats.conflicts)));
  }
  throw new Error(`seats of ${b.slotRef.id} kept being taken by other parties: try again`);
}

/** Creates the slot document with the configured capacity, once; reads it back if it exists. */
async function fixCapacity(b: SeatBooking<unknown>, stats: BookingStats): Promise<number> {
  try {
    await b.slotRef.create({ capacity: b.defaultCapacity, seats: true });
    stats.writes++;
    return b.defaultCapacity;
  } catch (err) {
    if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
    const snap = await b.slotRef.get();
    stats.reads++;
    const capacity = Number(snap.get('capacity'));
    return Number.isInteger(capacity) ? capacity : b.defaultCapacity;
  }
}

/** Ids of the seat documents in [from, to) (ids only: no fields are read). */
async function takenIds(
  seats: CollectionReference,
  from: string,
  to: string,
  stats: BookingStats,
): Promise<Set<string>> {
  const { FieldPath } = await import('@google-cloud/firestore'); // loaded with the client
  const snap = await seats
    .where(FieldPath.documentId(), '>=', seats.doc(from))
    .where(FieldPath.documentId(), '<', seats.doc(to))
    .select()
    .get();
  stats.reads += Math.max(1, snap.size);
  return new Set(snap.docs.map((d) => d.id));
}

/** `n` distinct items of `from`, at random (partial Fisher–Yates). */
function pick<T>(from: T[], n: number, random: () => number): T[] {
  const a = [...from];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

/** Seats booked in a slot: its seat documents plus an older deployment's counter. */
export async function seatsBooked(slotRef: DocumentReference): Promise<number> {
  const [slot, count] = await Promise.all([slotRef.get(), slotRef.collection(SEATS).count().get()]);
  return Math.floor(Number(slot.get('booked') ?? 0)) + count.data().count;
}
