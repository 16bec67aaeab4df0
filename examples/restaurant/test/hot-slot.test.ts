import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  RESERVATIONS,
  reservation,
  ReservationResult,
  SLOTS,
  slotId,
  type ReservationRequest,
} from '../src/jobs/reservation';
import { SEATS, seatsBooked } from '../src/jobs/seats';
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

/** Every seat document belongs to a confirmed reservation that lists it; the totals agree. */
async function checkSeats(capacity: number) {
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
  for (const seat of seats.docs) {
    const owner = confirmed.get(String(seat.get('jobId')));
    expect(owner?.seats, `seat ${seat.id}`).toContain(seat.id);
    expect(Number(seat.id)).toBeLessThan(capacity);
  }
  const bookedSeats = [...confirmed.values()].reduce((s, r) => s + r.partySize, 0);
  for (const r of confirmed.values()) expect(r.seats).toHaveLength(r.partySize);
  expect(seats.size).toBe(bookedSeats);
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
    // The slot document is written once (its capacity), never per booking.
    const slot = await slotRef().get();
    expect(slot.get('capacity')).toBe(capacity);
    expect(slot.get('booked')).toBeUndefined();
    expect(slot.updateTime?.isEqual(slot.createTime!)).toBe(true);
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
    expect((await checkSeats(capacity)).bookedSeats).toBe(5);
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

async function waitForSeats(n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const count = (await slotRef().collection(SEATS).count().get()).data().count;
    if (count >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${n} seats were booked by the child process`);
}
