import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  confirmationCode,
  RESERVATIONS,
  reservation,
  reservationBooking,
  ReservationResult,
  SLOTS,
  slotId,
  type ReservationRequest,
} from '../src/jobs/reservation';
import { bookSeats, SEATS, seatsBooked, type SeatBooking } from '../src/jobs/seats';
import { createLogger } from '@dialogflow-functions/core/logger';
import {
  firestoreHost,
  resetTestFirestore,
  testFirestore,
} from '@dialogflow-functions/testing/firestore';
import { testConfig } from './helpers/servers';
import { daysFromNow } from './helpers/stack';

/*
 * The hot slot: many parties booking one slot at once, through the reservation job's effect
 * against the Firestore emulator. Capacity exact, a party all or nothing, a job booked once
 * however often it runs, and a process killed mid-booking holds no seat.
 */

const DATE = daysFromNow(30);
const TIME = '19:30';
const slotRef = () => testFirestore().collection(SLOTS).doc(slotId(DATE, TIME));
const log = createLogger({ sink: () => undefined });

async function book(
  jobId: string,
  partySize: number,
  capacity: number,
): Promise<{ result: ReservationResult }> {
  const outcome = await reservation.run({
    jobId,
    request: { date: DATE, time: TIME, partySize, name: `P ${jobId}` },
    attempt: 1,
    wakeups: 0,
    createdAt: new Date(),
    db: testFirestore(),
    config: testConfig({ RESERVATION_SLOT_CAPACITY: String(capacity) }),
    log,
    now: () => new Date(),
  });
  if (!('result' in outcome)) throw new Error('a reservation never runs later');
  return outcome;
}

/**
 * Every taken seat belongs to a confirmed reservation that lists it; the totals agree; the slot
 * has one document per seat index (`first` of them counted by an older counter instead).
 */
async function checkSeats(capacity: number, first = 0, everySeatCreated = true) {
  const seats = await slotRef().collection(SEATS).get();
  const reservations = await testFirestore().collection(RESERVATIONS).get();
  const confirmed = new Map<string, { partySize: number; seats: string[] }>();
  const full: number[] = [];
  for (const r of reservations.docs) {
    const result = ReservationResult.parse(r.get('result'));
    if (result.outcome === 'confirmed') {
      confirmed.set(r.id, { partySize: result.partySize, seats: r.get('seats') as string[] });
    } else full.push(result.partySize);
  }
  const taken = seats.docs.filter((s) => s.get('jobId') !== null);
  for (const seat of taken) {
    const owner = confirmed.get(String(seat.get('jobId')));
    expect(owner?.seats, `seat ${seat.id}`).toContain(seat.id);
  }
  // Every seat index exists once, free or taken (unless its slot's seats were never all
  // created); none outside [first, capacity).
  const indices = seats.docs.map((s) => Number(s.id)).sort((a, b) => a - b);
  if (everySeatCreated) {
    expect(indices).toEqual(Array.from({ length: capacity - first }, (_, i) => first + i));
  }
  for (const i of indices) expect(i >= first && i < capacity, `seat ${i}`).toBe(true);
  const bookedSeats = first + [...confirmed.values()].reduce((s, r) => s + r.partySize, 0);
  for (const r of confirmed.values()) expect(r.seats).toHaveLength(r.partySize);
  expect(first + taken.length).toBe(bookedSeats);
  expect(await seatsBooked(slotRef())).toBe(bookedSeats);
  expect(bookedSeats).toBeLessThanOrEqual(capacity);
  // "Full" only for a party bigger than what is left, even at the end.
  for (const size of full) expect(size).toBeGreaterThan(capacity - bookedSeats);
  return { bookedSeats, confirmed: confirmed.size, full: full.length };
}

describe('hot slot: seat documents', () => {
  beforeEach(() => resetTestFirestore());

  it('many concurrent parties on one slot never overbook, and fill it', async () => {
    const capacity = 60;
    const parties = Array.from({ length: 90 }, (_, i) => ({ id: `r-hot${i}`, size: 1 + (i % 4) }));
    const results = await Promise.all(parties.map((p) => book(p.id, p.size, capacity)));
    const totals = await checkSeats(capacity);
    const confirmedSizes = results
      .filter((r) => r.result.outcome === 'confirmed')
      .reduce((s, r) => s + r.result.partySize, 0);
    expect(confirmedSizes).toBe(totals.bookedSeats);
    // Demand (225 seats) is far above capacity: the slot ends full (no party of 1 refused
    // while a seat was left).
    expect(totals.full).toBeGreaterThan(0);
    expect(totals.bookedSeats).toBeGreaterThan(capacity - 4);
    expect(totals.confirmed + totals.full).toBe(parties.length);
    // The slot document holds its capacity and that its seats exist, no per-booking counter.
    const slot = await slotRef().get();
    expect(slot.get('capacity')).toBe(capacity);
    expect(slot.get('seats')).toBe('free');
    expect(slot.get('booked')).toBeUndefined();
  });

  it('a job run many times, at once and again later, books once with one result', async () => {
    const capacity = 20;
    await Promise.all(['r-other1', 'r-other2'].map((id) => book(id, 3, capacity)));
    const runs = await Promise.all(Array.from({ length: 8 }, () => book('r-retry1', 4, capacity)));
    const later = await book('r-retry1', 4, capacity);
    const codes = new Set([...runs, later].map((r) => JSON.stringify(r.result)));
    expect(codes.size).toBe(1);
    expect(later.result.outcome).toBe('confirmed');
    const totals = await checkSeats(capacity);
    expect(totals.bookedSeats).toBe(3 + 3 + 4);
    const mine = await slotRef().collection(SEATS).where('jobId', '==', 'r-retry1').get();
    expect(mine.size).toBe(4);
  });

  it('"full" is stored once too: a retry of a full job says full even after seats free up elsewhere', async () => {
    const capacity = 5;
    expect((await book('r-big', 4, capacity)).result.outcome).toBe('confirmed');
    const refused = await book('r-late', 2, capacity);
    expect(refused.result.outcome).toBe('full');
    expect((await book('r-late', 2, capacity)).result).toEqual(refused.result);
    expect((await book('r-one', 1, capacity)).result.outcome).toBe('confirmed');
    // Its seats were taken by creating their documents (the first booking never made them).
    expect((await checkSeats(capacity, 0, false)).bookedSeats).toBeGreaterThanOrEqual(5);
  });

  it('the seats exist up front, free: the first booking creates all of them with the slot', async () => {
    const capacity = 12;
    expect((await book('r-first', 3, capacity)).result.outcome).toBe('confirmed');
    const seats = await slotRef().collection(SEATS).get();
    expect(seats.size).toBe(capacity);
    expect(seats.docs.filter((s) => s.get('jobId') === null)).toHaveLength(capacity - 3);
    const slot = await slotRef().get();
    expect(slot.get('seats')).toBe('free');
    // One batch: every seat was created at the same moment.
    const created = new Set(seats.docs.map((seat) => seat.createTime.toMillis()));
    expect(created.size).toBe(1);
    await checkSeats(capacity);
  });

  it('parties of one on the last seats: exactly capacity confirmed, never "full" while a seat is left', async () => {
    const capacity = 12;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => book(`r-one${i}`, 1, capacity)),
    );
    expect(results.filter((r) => r.result.outcome === 'confirmed')).toHaveLength(capacity);
    expect(results.filter((r) => r.result.outcome === 'full')).toHaveLength(30 - capacity);
    expect((await checkSeats(capacity)).bookedSeats).toBe(capacity);
  });

  it('two parties that read the same free seats: the update precondition lets one take them, the other takes others', async () => {
    const capacity = 8;
    await book('r-open', 1, capacity); // the slot and its seats exist
    let waiting = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((r) => (release = r));
    const runs = await Promise.all(
      ['r-sameA', 'r-sameB'].map((jobId) =>
        bookSeats(
          seatBooking(jobId, 3, capacity, {
            // Both start at the first index and pick the first free seats: the same three.
            random: () => 0,
            // Neither commits before both have read the seats free.
            beforeCommit: async (round) => {
              if (round > 1) return;
              if (++waiting === 2) release();
              await bothRead;
            },
          }),
        ),
      ),
    );
    expect(runs.map((r) => r.result.outcome)).toEqual(['confirmed', 'confirmed']);
    expect(runs.map((r) => r.stats.conflicts).sort()).toEqual([0, 1]);
    const totals = await checkSeats(capacity);
    expect(totals.bookedSeats).toBe(1 + 3 + 3);
  });

  it('a slot whose seats were made one by one as taken (the previous booking) gets its free seats, taken ones kept', async () => {
    const capacity = 10;
    // As the previous booking left it: the slot's capacity and only the taken seats' documents.
    await slotRef().create({ capacity, seats: true });
    await slotRef().collection(SEATS).doc('00003').create({ jobId: 'r-before' });
    await slotRef().collection(SEATS).doc('00007').create({ jobId: 'r-before' });
    const before = { date: DATE, time: TIME, partySize: 2, name: 'Earlier' };
    await testFirestore()
      .collection(RESERVATIONS)
      .doc('r-before')
      .create({
        jobId: 'r-before',
        ...before,
        seats: ['00003', '00007'],
        result: { outcome: 'confirmed', code: confirmationCode('r-before'), ...before },
      });
    const results = await Promise.all(
      [4, 4, 1, 3].map((size, i) => book(`r-after-old${i}`, size, capacity)),
    );
    const confirmedSeats = results
      .filter((r) => r.result.outcome === 'confirmed')
      .reduce((s, r) => s + r.result.partySize, 0);
    expect(confirmedSeats).toBeGreaterThanOrEqual(capacity - 2 - 3 + 1); // at most one party left out
    const totals = await checkSeats(capacity);
    expect(totals.bookedSeats).toBe(2 + confirmedSeats);
    const old = await slotRef().collection(SEATS).where('jobId', '==', 'r-before').get();
    expect(old.docs.map((d) => d.id)).toEqual(['00003', '00007']);
  });

  it('a slot counted by the old counter keeps its first seats taken and books the rest exactly', async () => {
    const capacity = 10;
    await slotRef().create({ capacity, booked: 6 });
    expect((await book('r-count1', 3, capacity)).result.outcome).toBe('confirmed');
    expect((await book('r-count2', 2, capacity)).result.outcome).toBe('full');
    expect((await book('r-count3', 1, capacity)).result.outcome).toBe('confirmed');
    expect((await checkSeats(capacity, 6)).bookedSeats).toBe(capacity);
  });

  it('a first booking killed between the slot and its seats: the next bookings take seats by creating them, exactly', async () => {
    const capacity = 6;
    // As a first booking killed after creating the slot document leaves it: no seat yet.
    await slotRef().create({ capacity, seats: 'creating' });
    // They wait for its seats for the grace (a short one here, CREATION_GRACE_MS by default),
    // reading the slot meanwhile, then give up on the dead booking.
    const results = await Promise.all(
      [2, 2, 1, 3].map((size, i) =>
        bookSeats(seatBooking(`r-orphan${i}`, size, capacity, { creationGraceMs: 300 })),
      ),
    );
    // 8 seats asked for 6: whichever order they came in, at most one party is left out.
    expect(results.filter((r) => r.result.outcome === 'full').length).toBeLessThanOrEqual(1);
    // Its seats were taken by creating their documents (the first booking never made them).
    expect((await checkSeats(capacity, 0, false)).bookedSeats).toBeGreaterThanOrEqual(5);
  });

  it('a process killed -9 mid-rush holds no seat: the slot keeps booking, retries book once', async () => {
    const capacity = 200;
    const request = (i: number): ReservationRequest => ({
      date: DATE,
      time: TIME,
      partySize: 1 + (i % 3),
      name: `K ${i}`,
    });
    const killedJobs = Array.from({ length: 40 }, (_, i) => ({
      jobId: `r-killed${i}`,
      request: request(i),
    }));
    const child = spawn(
      process.execPath,
      [
        '--conditions=dff-source',
        '--import',
        'tsx',
        join(__dirname, 'helpers', 'booking-child.ts'),
        JSON.stringify(killedJobs),
      ],
      {
        env: {
          ...process.env,
          FIRESTORE_EMULATOR_HOST: firestoreHost(),
          RESERVATION_SLOT_CAPACITY: String(capacity),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.on('line', (line) => line === 'started' && resolve());
      child.once('exit', () => reject(new Error('the booking process exited before starting')));
    });
    // Let some batches land, then kill it in the middle of its bookings.
    await waitForSeats(3);
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    // Whatever the process had done when it died, every seat taken belongs to a whole booking.
    const atKill = await checkSeats(capacity);

    // Other parties book the same slot at once: nothing the dead process did is in their way.
    const others = await Promise.all(
      Array.from({ length: 10 }, (_, i) => book(`r-after${i}`, 1, capacity)),
    );
    expect(others.every((r) => r.result.outcome === 'confirmed')).toBe(true);

    // Cloud Tasks retries the dead process's jobs: each books once (or finds its booking).
    const retried = await Promise.all(
      killedJobs.map((j) => book(j.jobId, j.request.partySize, capacity)),
    );
    const totals = await checkSeats(capacity);
    expect(totals.confirmed + totals.full).toBe(killedJobs.length + others.length);
    expect(retried.filter((r) => r.result.outcome === 'confirmed').length).toBeGreaterThanOrEqual(
      atKill.confirmed,
    );
  });
});

/** The reservation job's booking, with the knobs a test sets (random, beforeCommit, grace). */
function seatBooking(
  jobId: string,
  partySize: number,
  capacity: number,
  knobs: Pick<SeatBooking<ReservationResult>, 'random' | 'beforeCommit' | 'creationGraceMs'>,
): SeatBooking<ReservationResult> {
  const request = { date: DATE, time: TIME, partySize, name: `S ${jobId}` };
  const db = testFirestore();
  const now = () => new Date();
  return { ...reservationBooking({ db, jobId, request, capacity, now }), ...knobs };
}

async function waitForSeats(n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const count = await seatsBooked(slotRef());
    if (count >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${n} seats were booked by the child process`);
}
