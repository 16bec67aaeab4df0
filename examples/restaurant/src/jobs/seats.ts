import type {
  AggregateField,
  AggregateQuerySnapshot,
  CollectionReference,
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  QueryDocumentSnapshot,
  QuerySnapshot,
  Timestamp,
} from '@google-cloud/firestore';

/*
 * Seat-per-document booking with the seats created free up front (see docs/hot-slot.md). A
 * slot's seats are documents `slots/{slotId}/seats/{NNNNN}`, one per seat index in
 * [0, capacity), `{jobId: null}` while free. The slot's first booking creates them all (the
 * slot document first, `create`d alone: of concurrent first bookings one wins and the others
 * wait for its seats, or after CREATION_GRACE_MS take seats by creating them). A party then:
 * 1. in one round trip: the job's stored result and the slot, a count of the taken seats, and a
 *    few FREE seats (`jobId == null`) from a random index;
 * 2. is told "full" (stored like a booking) when the count leaves fewer seats than the party, or
 *    takes `partySize` of them, at random, in ONE batched write: an update of each seat
 *    (`{jobId}`) under a `lastUpdateTime` precondition (the seat is still as it was read: free)
 *    and the `create` of the job's `reservations/{jobId}`.
 * So:
 * - no document is written by every booking of a slot (the slot document is written twice, when
 *   it is created and when its seats are);
 * - capacity is exact: there are only `capacity` seat documents (each created once, with an
 *   "absent" precondition, never overwritten), and a seat is taken by an update that fails
 *   unless the seat is unchanged since it was read free;
 * - a party is all or nothing (the batch), and a job books once: `reservations/{jobId}` is
 *   created in the same batch, so a retry (or a concurrent delivery) finds it, or loses the race
 *   and then finds it;
 * - "full" only when fewer seats than the party are left, by a count of TAKEN seats: seats are
 *   never given back, so a count that shows too few free seats stays true (a seat not created
 *   yet counts as free);
 * - contenders spread over the slot (random starts, random picks) and read only free seats, so
 *   the last seats of a rush cost a few reads per party, not a listing of every taken seat;
 * - a worker killed mid-booking holds nothing: its batch committed (its job's retry finds the
 *   reservation) or it did not (no seat taken); a slot whose seats it was creating is booked
 *   by the next bookings after CREATION_GRACE_MS, by creating seats (the one wait a killed
 *   worker can cause, once per slot).
 */

export const SEATS = 'seats';

type CountSnapshot = AggregateQuerySnapshot<{ count: AggregateField<number> }>;
/** A batch holds at most 500 writes: the seats and the reservation. */
export const MAX_SEATS_PER_BOOKING = 499;
/** Seat documents created per batch when a slot's seats are created. */
const CREATE_CHUNK = 450;
/** How long other bookings wait for a slot's first booking to create its seats. */
export const CREATION_GRACE_MS = 10_000;
/** Rounds lost to other parties before the attempt gives up (the job is retried). */
const MAX_ROUNDS = 40;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

/** A seat's document id: the index, zero-padded so ids sort as numbers. */
export function seatId(index: number): string {
  return String(index).padStart(5, '0');
}

/** Free seats read per look: a few more than the party, so contenders pick different ones. */
export function freeSeatsToRead(partySize: number): number {
  return Math.min(MAX_SEATS_PER_BOOKING, 2 * partySize + 4);
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
  /**
   * How long to wait for a slot's first booking to create its seats before taking seats by
   * creating them (`CREATION_GRACE_MS` unless set: a test of the takeover sets less).
   */
  creationGraceMs?: number;
}

/** A seat to take: read free (its update time), or not created yet (none). */
interface Seat {
  ref: DocumentReference;
  updateTime?: Timestamp;
}

/** The slot as a booking sees it: its seat indices [first, capacity). */
interface Slot {
  capacity: number;
  /** Seats an older deployment's counter (`booked`) took: the first indices. */
  first: number;
  /** While its first booking creates its seats: when the slot document was created (ms). */
  creatingSince?: number;
}

const codeOf = (err: unknown) => (err as { code?: number }).code;

/**
 * Books `partySize` seats of the slot for the job, exactly once; see the file comment.
 * Resolves the job's result (confirmed or full) and what it cost.
 */
export async function bookSeats<Result>(
  b: SeatBooking<Result>,
): Promise<{ result: Result; stats: BookingStats }> {
  const random = b.random ?? Math.random;
  const creationGraceMs = b.creationGraceMs ?? CREATION_GRACE_MS;
  const stats: BookingStats = { rounds: 0, conflicts: 0, reads: 0, writes: 0 };
  const seats = b.slotRef.collection(SEATS);
  const want = freeSeatsToRead(b.partySize);

  // 1. At once: an earlier run's result, the slot (its capacity), how many seats are taken,
  // and free seats from a random index (the slot's usual size until it is read: a guess only
  // picks where to look).
  const guess: Slot = { capacity: b.defaultCapacity, first: 0 };
  const [[reservation, slotSnap], firstLook] = await Promise.all([
    b.db.getAll(b.reservationRef, b.slotRef),
    look(seats, guess, want, random, stats),
  ]);
  stats.reads += 2;
  const earlier = reservation?.exists ? b.previous(reservation) : undefined;
  if (earlier !== undefined) return { result: earlier, stats };
  const slot =
    slotOf(slotSnap) ?? (await createSlot(b.db, b.slotRef, seats, b.defaultCapacity, stats));
  const domain = slot.capacity - slot.first;
  const inSlot = (s: QueryDocumentSnapshot) =>
    Number(s.id) >= slot.first && Number(s.id) < slot.capacity;
  // The slot was just created: look again.
  let seen: Look | undefined = slotSnap?.exists ? firstLook : undefined;

  /** Stores the outcome unless another run of the job stored one first (then that one). */
  const finish = async (taken: Seat[] | undefined) => {
    const doc = b.record(taken?.map((s) => s.ref.id));
    const batch = b.db.batch();
    for (const seat of taken ?? []) {
      // A free seat read: taken only if unchanged since. A seat not created yet: created taken.
      if (seat.updateTime) {
        batch.update(seat.ref, { jobId: b.reservationRef.id }, { lastUpdateTime: seat.updateTime });
      } else batch.create(seat.ref, { jobId: b.reservationRef.id });
    }
    batch.create(b.reservationRef, doc);
    stats.rounds++;
    try {
      await b.beforeCommit?.(stats.rounds);
      await batch.commit();
      stats.writes += (taken?.length ?? 0) + 1;
      return doc.result;
    } catch (err) {
      const code = codeOf(err);
      // A seat changed since it was read (taken), or the reservation exists (another run).
      if (code !== FAILED_PRECONDITION && code !== ALREADY_EXISTS && code !== NOT_FOUND) throw err;
      const again = await b.reservationRef.get();
      stats.reads++;
      const stored = again.exists ? b.previous(again) : undefined;
      if (stored !== undefined) return stored;
      stats.conflicts++;
      return undefined; // another party took one of these seats first
    }
  };

  for (let n = 0; stats.rounds < MAX_ROUNDS && n < 2 * MAX_ROUNDS; n++) {
    seen ??= await look(seats, slot, want, random, stats);
    // 2. Full: fewer seats left than the party, by the count of taken seats (never given back,
    // so "full" stays true once seen; a seat not created yet counts as free).
    if (domain - seen.taken < b.partySize) {
      const result = await finish(undefined);
      if (result !== undefined) return { result, stats };
      seen = undefined;
      continue;
    }
    let free = seen.free.filter(inSlot);
    if (free.length < b.partySize) {
      // Too few free seats after the random index: the ones before it too.
      free = [...free, ...(await freeBefore(seats, seen.start, want - free.length, stats))];
      if (free.length < b.partySize) {
        // Seats left but too few free documents: seats not created yet. A slot made by an older
        // deployment: created now. A new slot's first booking is creating them: wait for it (a
        // few hundred first bookings creating the same 200 documents would only get in each
        // other's way), reading only the slot document meanwhile; if it takes too long (killed
        // half-way, or a slow Firestore), take seats by creating their documents instead, at
        // random indices ("absent" preconditions: a seat that exists, free or taken, fails the
        // batch), as the first booking's own batch does: one of the two wins each seat.
        if (slot.creatingSince === undefined) {
          await createMissingSeats(b.db, seats, slot, stats);
        } else if (Date.now() - slot.creatingSince < creationGraceMs) {
          await new Promise((r) => setTimeout(r, 100 + Math.floor(random() * 200)));
          const snap = await b.slotRef.get();
          stats.reads++;
          if (snap.get('seats') !== 'creating') delete slot.creatingSince;
        } else {
          // Candidates: the free seats seen, and the indices with no document yet (listed: ids
          // only), so that the last seats are found however few are left.
          const existing = await seatIds(seats, slot, stats);
          const candidates: Seat[] = [...free];
          for (let i = slot.first; i < slot.capacity; i++) {
            if (!existing.has(seatId(i))) candidates.push({ ref: seats.doc(seatId(i)) });
          }
          if (candidates.length >= b.partySize) {
            const result = await finish(pick(candidates, b.partySize, random));
            if (result !== undefined) return { result, stats };
          }
        }
        seen = undefined;
        continue;
      }
    }
    // 3. The party's seats, at random among the free ones seen, in one batch.
    const result = await finish(pick(free, b.partySize, random));
    if (result !== undefined) return { result, stats };
    seen = undefined; // lost a seat to another party: look again, from another random index
    await new Promise((r) => setTimeout(r, Math.floor(random() * 5 * stats.conflicts)));
  }
  throw new Error(`seats of ${b.slotRef.id} kept being taken by other parties: try again`);
}

/** The slot's seat indices from its document; `undefined` when it has none yet. */
function slotOf(snap: DocumentSnapshot | undefined): Slot | undefined {
  const capacity = Number(snap?.get('capacity'));
  if (!snap?.exists || !Number.isInteger(capacity)) return undefined;
  // Seats counted by an older deployment's counter (`booked`, no seat documents) are the
  // first indices: they stay taken, the new bookings use the rest.
  const first = Math.min(capacity, Math.max(0, Math.floor(Number(snap.get('booked') ?? 0)) || 0));
  return snap.get('seats') === 'creating'
    ? { capacity, first, creatingSince: snap.createTime?.toMillis() ?? Date.now() }
    : { capacity, first };
}

/** One look at the slot: how many seats are taken, and free seats from a random index. */
interface Look {
  taken: number;
  free: QueryDocumentSnapshot[];
  /** Where the free seats were looked for from. */
  start: DocumentReference;
}

/** The free-seats query: ids and update times only, in seat order. */
async function freeQuery(seats: CollectionReference) {
  const { FieldPath } = await import('@google-cloud/firestore'); // loaded with the client
  return seats.where('jobId', '==', null).orderBy(FieldPath.documentId()).select();
}

/**
 * The taken seats' count and up to `want` free seats from a random index on, in one round trip
 * (two queries at once).
 */
async function look(
  seats: CollectionReference,
  slot: Slot,
  want: number,
  random: () => number,
  stats: BookingStats,
): Promise<Look> {
  const domain = Math.max(1, slot.capacity - slot.first);
  const start = seats.doc(seatId(slot.first + Math.floor(random() * domain)));
  const [counted, after]: [CountSnapshot, QuerySnapshot] = await Promise.all([
    seats.where('jobId', '!=', null).count().get(),
    freeQuery(seats).then((q) => q.startAt(start).limit(want).get()),
  ]);
  stats.reads += 1 + Math.max(1, after.size);
  return { taken: counted.data().count, free: after.docs, start };
}

/** Up to `want` free seats before `start`. */
async function freeBefore(
  seats: CollectionReference,
  start: DocumentReference,
  want: number,
  stats: BookingStats,
): Promise<QueryDocumentSnapshot[]> {
  const before = await (await freeQuery(seats)).endBefore(start).limit(want).get();
  stats.reads += Math.max(1, before.size);
  return before.docs;
}

/**
 * The slot's first booking: the slot document (its capacity), `create`d alone, so of many
 * concurrent first bookings one wins at the price of one small write each; the winner then
 * creates every seat, free (one batch for up to 450), and marks the slot `seats: 'free'`. The
 * others find no free seat yet and wait for them (`CREATION_GRACE_MS` at most, then create the
 * missing ones themselves).
 */
async function createSlot(
  db: Firestore,
  slotRef: DocumentReference,
  seats: CollectionReference,
  capacity: number,
  stats: BookingStats,
): Promise<Slot> {
  const slot: Slot = { capacity, first: 0 };
  try {
    await slotRef.create({ capacity, seats: 'creating' });
    stats.writes++;
  } catch (err) {
    if (codeOf(err) !== ALREADY_EXISTS) throw err;
    const snap = await slotRef.get();
    stats.reads++;
    return slotOf(snap) ?? slot;
  }
  // Marked ready only when complete: otherwise the others take the rest by creating them.
  if (await createMissingSeats(db, seats, slot, stats)) {
    await slotRef.update({ seats: 'free' });
    stats.writes++;
  }
  return slot;
}

/**
 * Creates the slot's seat documents that do not exist yet, free (`create`: a seat that exists,
 * taken or not, is never overwritten). For slots whose seats were created one by one as they
 * were taken (the previous booking), or by a first booking killed half-way.
 */
async function createMissingSeats(
  db: Firestore,
  seats: CollectionReference,
  slot: Slot,
  stats: BookingStats,
): Promise<boolean> {
  const { FieldPath } = await import('@google-cloud/firestore'); // loaded with the client
  for (let from = slot.first; from < slot.capacity; from += CREATE_CHUNK) {
    const to = Math.min(slot.capacity, from + CREATE_CHUNK);
    for (let tries = 0; ; tries++) {
      const existing = await seats
        .where(FieldPath.documentId(), '>=', seats.doc(seatId(from)))
        .where(FieldPath.documentId(), '<', seats.doc(seatId(to)))
        .select()
        .get();
      stats.reads += Math.max(1, existing.size);
      const have = new Set(existing.docs.map((d) => d.id));
      const batch = db.batch();
      let n = 0;
      for (let i = from; i < to; i++) {
        if (have.has(seatId(i))) continue;
        batch.create(seats.doc(seatId(i)), { jobId: null });
        n++;
      }
      if (n === 0) break;
      try {
        await batch.commit();
        stats.writes += n;
        break;
      } catch (err) {
        // Other bookings created some of them meanwhile: look again, a few times; then leave
        // the rest to them.
        if (codeOf(err) !== ALREADY_EXISTS) throw err;
        if (tries >= 3) return false;
      }
    }
  }
  return true;
}

/** The ids of the slot's seat documents, free or taken (ids only: no fields are read). */
async function seatIds(
  seats: CollectionReference,
  slot: Slot,
  stats: BookingStats,
): Promise<Set<string>> {
  const { FieldPath } = await import('@google-cloud/firestore'); // loaded with the client
  const snap = await seats
    .where(FieldPath.documentId(), '>=', seats.doc(seatId(slot.first)))
    .where(FieldPath.documentId(), '<', seats.doc(seatId(slot.capacity)))
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

/** Seats booked in a slot: its taken seat documents plus an older deployment's counter. */
export async function seatsBooked(slotRef: DocumentReference): Promise<number> {
  const [slot, count] = await Promise.all([
    slotRef.get(),
    slotRef.collection(SEATS).where('jobId', '!=', null).count().get(),
  ]);
  return Math.floor(Number(slot.get('booked') ?? 0)) + count.data().count;
}
