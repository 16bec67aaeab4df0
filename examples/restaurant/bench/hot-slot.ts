/*
 * `npm run bench -- --hot-slot` (`dff bench --hot-slot` runs the project's own bench/hot-slot.ts):
 * a rush of bookings on ONE slot, the old booking (the slot's counter in a transaction,
 * bench/hot-slot/legacy-reservation.ts) against the current one (a document per seat,
 * src/jobs/seats.ts), in the same run on the same emulator.
 *
 * For each design: a slot of `capacity` seats, `jobs` reservation jobs (parties of 1 to 4)
 * recorded as a confirming webhook leaves them, then delivered all at once to `workers` worker
 * processes (the real worker under functions-framework) by a dispatcher that behaves like
 * Cloud Tasks: at-least-once, a non-2xx answer or a broken connection is retried with backoff on
 * another instance. A second rush of each design kills -9 one worker once a quarter of the
 * seats are booked (or after 5 s) and measures the longest time the slot booked nothing.
 * Reports, never asserts. Every process it starts it stops by PID.
 * Then the same slot end to end through the local stack `npm start` runs (hot-slot/end-to-end.ts):
 * `--hot-slot-e2e-jobs` (160) booking turns on one slot against as many over 16 slots, and the
 * ratio of their drain rates.
 * Options: --hot-slot-jobs N (400), --hot-slot-seconds S (60), --hot-slot-only RUSH (e.g.
 * seats-kill, or e2e), --hot-slot-e2e-jobs N (160), --hot-slot-e2e-rounds PAIRS (2); the JSON
 * goes to .data/bench-hot-slot.json in the project.
 */
import { request, type ClientRequest } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Firestore, type DocumentReference } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { JOBS, JOB_SCHEMA_VERSION } from '@dialogflow-functions/core/jobs';
import { startFirestoreEmulator } from '@dialogflow-functions/testing/firestore-emulator';
import {
  freePort,
  nodeArgsFor,
  spawnService,
  waitForPort,
  type Service,
} from '@dialogflow-functions/testing/processes';
import { RESERVATIONS, SLOTS, slotId } from '../src/jobs/reservation';
import { seatsBooked } from '../src/jobs/seats';
import { runEndToEnd, type EndToEndResult } from './hot-slot/end-to-end';
import { seeded } from './hot-slot/seeded';

export interface HotSlotOptions {
  jobs: number;
  capacity: number;
  workers: number;
  /** Longest a rush may take before it is cut off (the old design may never fill the slot). */
  boundS: number;
  out: string;
  /** Only these rushes (debugging): e.g. `seats-kill`, or `e2e` (the end-to-end drains). */
  only?: string;
  /** End to end through the local stack: bookings per rush, one/sixteen pairs. */
  e2eJobs: number;
  e2eRounds: number;
}

type Design = 'legacy' | 'seats';
const PROJECT = 'demo-local';
const SLOT_TIME = '19:00';

interface RushResult {
  design: Design;
  kill: boolean;
  jobs: number;
  /** Jobs acknowledged (2xx) within the bound. */
  finished: number;
  confirmed: number;
  full: number;
  seatsBooked: number;
  capacity: number;
  overbooked: number;
  /** Seconds from the first delivery to the last confirmed booking (or the bound). */
  fillS: number;
  filled: boolean;
  bookingsPerS: number;
  /** Transactions aborted by contention (old) or batches that lost a seat to another party (new). */
  aborted: number;
  /** Deliveries answered non-2xx or cut (Cloud Tasks would retry them). */
  retries: number;
  /** Attempts of the job's effect that failed (ABORTED after the client's own retries…). */
  failedAttempts: number;
  p50: number;
  p99: number;
  /** Kill runs: when the worker died (s after the start) and the longest gap with no booking. */
  killAtS?: number;
  longestGapS?: number;
  /** Kill runs: from the last booking to the end (0 when the run ended with the slot full). */
  tailS?: number;
  /** Documents read and written by the bookings, per booking (new design's own count). */
  readsPerBooking?: number;
  writesPerBooking?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deliveries under way: cut when a rush reaches its bound. */
const open = new Set<ClientRequest>();

/** One POST on its own connection; resolves the status (0: the connection broke). */
function deliver(port: number, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req: ClientRequest = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: false,
        timeout: 600_000,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    open.add(req);
    req.on('close', () => open.delete(req));
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** One rush on an emulator of its own (an abandoned transaction of the old design lingers). */
async function rush(o: HotSlotOptions, design: Design, kill: boolean): Promise<RushResult> {
  const emulatorPort = await freePort();
  const emulator = await startFirestoreEmulator({ port: emulatorPort, timeoutMs: 90_000 });
  const host = `127.0.0.1:${emulatorPort}`;
  const db = new Firestore({ projectId: PROJECT, ...emulatorSettings(host) });
  try {
    return await rushOn(o, host, db, design, kill);
  } finally {
    await db.terminate();
    await emulator.stop();
  }
}

async function rushOn(
  o: HotSlotOptions,
  host: string,
  db: Firestore,
  design: Design,
  kill: boolean,
): Promise<RushResult> {
  const date = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const random = seeded(22);
  const parties = Array.from({ length: o.jobs }, () => 1 + Math.floor(random() * 4));

  // The workers.
  const logs: Record<string, unknown>[] = [];
  const workers: { service: Service; port: number; alive: boolean }[] = [];
  for (let i = 0; i < o.workers; i++) {
    const port = await freePort();
    const service = spawnService({
      name: `worker-${i}`,
      command: process.execPath,
      args: nodeArgsFor(join(__dirname, 'hot-slot', 'worker.ts')),
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOT_SLOT_DESIGN: design,
        GOOGLE_CLOUD_PROJECT: PROJECT,
        FIRESTORE_EMULATOR_HOST: host,
        RESERVATION_SLOT_CAPACITY: String(o.capacity),
        WEATHER_API_BASE_URL: 'http://127.0.0.1:9',
        LINE_API_BASE_URL: 'http://127.0.0.1:9',
      },
      onLine: (line) => {
        if (!line.startsWith('{')) return;
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log entry
        }
      },
    });
    workers.push({ service, port, alive: true });
  }
  try {
    for (const w of workers) await waitForPort('127.0.0.1', w.port, 60_000, w.service);

    // The job records, as a webhook that confirmed them leaves them.
    const now = new Date();
    const ids = parties.map(
      (_, i) => `r-hot${design}${kill ? 'k' : ''}${String(i).padStart(4, '0')}`,
    );
    for (let i = 0; i < ids.length; i += 400) {
      const batch = db.batch();
      for (const [j, id] of ids.slice(i, i + 400).entries()) {
        batch.set(db.collection(JOBS).doc(id), {
          v: JOB_SCHEMA_VERSION,
          type: 'reservation',
          request: { date, time: SLOT_TIME, partySize: parties[i + j]!, name: `Guest ${i + j}` },
          status: 'queued',
          attempts: 0,
          wakeups: 0,
          createdAt: now,
          updatedAt: now,
          // Far enough that the records' commit (slow on a loaded machine) lands before it: a
          // record created after its acceptBy was never confirmed (verdict.ts).
          acceptBy: new Date(now.getTime() + 600_000),
          confirmRequired: true,
          confirmedAt: now,
          session: null,
          sessionKey: null,
          language: 'en',
          notify: {},
        });
      }
      await batch.commit();
    }

    // Warm-up: each worker answers one task (for no job: acknowledged without work), so its
    // Firestore client is up before the clock starts, as on an instance that has served traffic.
    await Promise.all(
      workers.map((w) =>
        deliver(w.port, JSON.stringify({ v: 1, jobId: 'r-warmup', type: 'reservation' }), {
          'x-cloudtasks-queuename': 'fulfillment-jobs',
          'x-cloudtasks-taskname': 'r-warmup',
        }),
      ),
    );

    // The rush: every job delivered at once, retried like Cloud Tasks until 2xx or the bound.
    const started = Date.now();
    const stopAt = started + o.boundS * 1000;
    let retries = 0;
    let ignored = 0;
    const latencies: number[] = [];
    let killAt: number | undefined;
    const dispatch = async (id: string, i: number): Promise<void> => {
      for (let n = 0; Date.now() < stopAt; n++) {
        const alive = workers.filter((w) => w.alive);
        const w = alive[(i + n) % alive.length]!;
        const status = await deliver(
          w.port,
          JSON.stringify({ v: 1, jobId: id, type: 'reservation' }),
          {
            'x-cloudtasks-queuename': 'fulfillment-jobs',
            'x-cloudtasks-taskname': id,
            'x-cloudtasks-taskretrycount': String(n),
            'x-cloudtasks-taskexecutioncount': String(n),
          },
        );
        if (status >= 200 && status < 300) {
          if (status === 200) ignored++; // acknowledged without work: a broken run
          latencies.push(Date.now() - started);
          return;
        }
        retries++;
        await sleep(Math.min(100 * 2 ** n, 2000) * (0.5 + Math.random() / 2));
      }
    };
    const killer = kill
      ? (async () => {
          const slotRef = db.collection(SLOTS).doc(slotId(date, SLOT_TIME));
          while (Date.now() < stopAt && Date.now() - started < 5000) {
            if ((await booked(design, slotRef)) >= o.capacity / 4) break;
            await sleep(50);
          }
          const victim = workers[0]!;
          victim.alive = false;
          victim.service.kill();
          killAt = Date.now();
        })()
      : Promise.resolve();
    const cut = setTimeout(() => {
      for (const req of open) req.destroy();
    }, stopAt - Date.now());
    await Promise.all([...ids.map(dispatch), killer]);
    clearTimeout(cut);
    // Stopped now, so nothing still running books after the bound.
    await Promise.all(workers.map((w) => w.service.stop(3000)));

    if (ignored > 0)
      console.log(`    ${ignored} task(s) acknowledged without work (see worker logs)`);
    // What got booked, from the stored reservations (Firestore's commit times).
    const snaps = await db.collection(RESERVATIONS).get();
    const confirmedAt: number[] = [];
    let confirmed = 0;
    let full = 0;
    let seatSum = 0;
    for (const d of snaps.docs) {
      if (d.createTime.toMillis() > stopAt) continue; // after the bound: not counted
      if (d.get('result.outcome') === 'confirmed') {
        confirmed++;
        seatSum += Number(d.get('partySize'));
        confirmedAt.push(d.createTime.toMillis());
      } else full++;
    }
    confirmedAt.sort((a, b) => a - b);
    const slotRef = db.collection(SLOTS).doc(slotId(date, SLOT_TIME));
    const seats = await booked(design, slotRef);
    if (seats !== seatSum) {
      console.log(`  ${design}: the slot says ${seats} seats, the reservations ${seatSum}`);
    }
    const allDone = latencies.length === ids.length;
    const lastBooking = confirmedAt.at(-1) ?? started;
    // Full: every seat taken, or every job done (the parties left did not fit).
    const filled = allDone || seatSum === o.capacity;
    const fillMs = filled ? Math.max(1, lastBooking - started) : o.boundS * 1000;
    const end = allDone ? lastBooking : stopAt;
    // After the kill: the longest wait between bookings up to the last one, and the tail from
    // the last booking to the end of the run (a slot still short of full that stopped booking
    // shows there, so it is reported too).
    let longestGap: number | undefined;
    let tail: number | undefined;
    if (killAt !== undefined) {
      const after = [killAt, ...confirmedAt.filter((t) => t > killAt!)];
      longestGap = Math.max(0, ...after.slice(1).map((t, i) => t - after[i]!));
      tail = Math.max(0, end - after.at(-1)!);
    }
    const booking = logs.filter((l) => l.message === 'reservation booked');
    if (o.only !== undefined) {
      // Debugging one rush: what the workers said, most frequent first.
      const said = new Map<string, number>();
      for (const l of logs) {
        const key = `${String(l.message)}${l.error ? ` (${String(l.error).slice(0, 90)})` : ''}`;
        said.set(key, (said.get(key) ?? 0) + 1);
      }
      console.log(
        `    worker log lines: ${[...said]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([m, n]) => `${n}× ${m}`)
          .join('; ')}`,
      );
    }
    const sum = (k: string) => booking.reduce((s, l) => s + Number(l[k] ?? 0), 0);
    const failedAttempts = logs.filter(
      (l) => l.message === 'job attempt failed: will retry',
    ).length;
    return {
      design,
      kill,
      jobs: ids.length,
      finished: latencies.length,
      confirmed,
      full,
      seatsBooked: Math.max(seats, seatSum),
      capacity: o.capacity,
      overbooked: Math.max(0, Math.max(seats, seatSum) - o.capacity),
      fillS: fillMs / 1000,
      filled,
      bookingsPerS: confirmed / (fillMs / 1000),
      aborted: sum('conflicts'),
      retries,
      failedAttempts,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      ...(killAt !== undefined
        ? {
            killAtS: (killAt - started) / 1000,
            longestGapS: (longestGap ?? 0) / 1000,
            tailS: (tail ?? 0) / 1000,
          }
        : {}),
      ...(design === 'seats' && booking.length > 0
        ? {
            readsPerBooking: sum('reads') / booking.length,
            writesPerBooking: sum('writes') / booking.length,
          }
        : {}),
    };
  } finally {
    await Promise.all(workers.map((w) => w.service.stop(3000)));
  }
}

/** Seats booked in the slot, as each design counts them. */
async function booked(design: Design, slotRef: DocumentReference): Promise<number> {
  if (design === 'seats') return seatsBooked(slotRef);
  return Number((await slotRef.get()).get('booked') ?? 0);
}

/** Runs both designs, with and without a kill, and prints the table. */
export async function runHotSlotBench(o: HotSlotOptions): Promise<void> {
  console.log(
    `\nHot slot: one slot of ${o.capacity} seats, ${o.jobs} jobs (parties of 1–4) in flight at once, ${o.workers} worker processes, bound ${o.boundS} s per rush, a fresh Firestore emulator per rush`,
  );
  const results: RushResult[] = [];
  for (const kill of [false, true]) {
    for (const design of ['legacy', 'seats'] as const) {
      if (o.only !== undefined && o.only !== `${design}${kill ? '-kill' : ''}`) continue;
      console.log(`  ${design}${kill ? ', a worker killed -9 mid-rush' : ''}…`);
      const r = await rush(o, design, kill);
      results.push(r);
      console.log(
        `    ${r.finished}/${r.jobs} jobs done, ${r.confirmed} confirmed, ${r.seatsBooked}/${r.capacity} seats, ${r.fillS.toFixed(1)} s`,
      );
    }
  }
  if (!o.only) printTable(results);
  else if (results.length > 0) console.log(JSON.stringify(results, null, 1));
  let endToEnd: EndToEndResult | undefined;
  if (!o.only || o.only === 'e2e') {
    console.log(
      `\nEnd to end (the stack npm start runs: Firestore emulator, Cloud Tasks emulator with queue.json, built worker and webhook): ${o.e2eJobs} booking turns posted at once on one slot of ${o.capacity} seats against ${o.e2eJobs} over 16 slots, ${o.e2eRounds} pairs (ABBA)…`,
    );
    endToEnd = await runEndToEnd({
      jobs: o.e2eJobs,
      capacity: o.capacity,
      rounds: o.e2eRounds,
      boundS: Math.max(o.boundS, 300),
    });
    printEndToEnd(endToEnd);
  }
  mkdirSync(join(o.out, '..'), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify({ options: o, results, endToEnd }, null, 2)}\n`);
  console.log(`\nJSON: ${o.out}`);
}

/** The kill run's cell: the longest gap, and what the run ended with. */
function gapCell(r: RushResult): string {
  const f = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(1));
  const booked = r.confirmed > 0;
  return `${booked ? `${f(r.longestGapS)} s` : `no booking at all (${f(r.tailS)} s after the kill)`}, killed at ${f(r.killAtS)} s; ${r.seatsBooked}/${r.capacity} seats, ${r.finished}/${r.jobs} jobs${
    booked && !r.filled ? `; then ${f(r.tailS)} s to the end with no booking` : ''
  }`;
}

function printTable(results: RushResult[]): void {
  const by = (design: Design, kill: boolean) =>
    results.find((r) => r.design === design && r.kill === kill)!;
  const old = by('legacy', false);
  const cur = by('seats', false);
  const oldK = by('legacy', true);
  const curK = by('seats', true);
  const f = (n: number | undefined, d = 1) =>
    n === undefined || Number.isNaN(n) ? '–' : n.toFixed(d);
  const s = (n: number) => (Number.isNaN(n) ? '–' : `${Math.round(n)} ms`);
  const rows: string[][] = [
    ['measure', 'old (slot counter, transaction)', 'new (seat documents, batch)', 'new / old'],
    ['---', '---:', '---:', '---:'],
    [
      'bookings/s until the slot is full',
      `${f(old.bookingsPerS, 2)}${old.filled ? '' : ` (not done after ${old.fillS} s)`}`,
      `${f(cur.bookingsPerS, 2)}${cur.filled ? '' : ` (not done after ${cur.fillS} s)`}`,
      `${f(cur.bookingsPerS / old.bookingsPerS, 1)}×`,
    ],
    ['jobs done / in flight', `${old.finished} / ${old.jobs}`, `${cur.finished} / ${cur.jobs}`, ''],
    [
      'seats booked / capacity (overbooked)',
      `${old.seatsBooked} / ${old.capacity} (${old.overbooked})`,
      `${cur.seatsBooked} / ${cur.capacity} (${cur.overbooked})`,
      '',
    ],
    ['confirmed / full', `${old.confirmed} / ${old.full}`, `${cur.confirmed} / ${cur.full}`, ''],
    [
      'aborted transactions retried by the client (old) / batches that lost a seat race (new)',
      String(old.aborted),
      String(cur.aborted),
      '',
    ],
    [
      'job attempts failed (old: ABORTED after the client gave up) / task redeliveries',
      `${old.failedAttempts} / ${old.retries}`,
      `${cur.failedAttempts} / ${cur.retries}`,
      '',
    ],
    ['job latency p50', s(old.p50), s(cur.p50), `${f(old.p50 / cur.p50, 1)}× faster`],
    ['job latency p99', s(old.p99), s(cur.p99), `${f(old.p99 / cur.p99, 1)}× faster`],
    ['kill -9 a worker mid-rush: longest gap with no booking', gapCell(oldK), gapCell(curK), ''],
    [
      'kill run: bookings/s, overbooked',
      `${f(oldK.bookingsPerS, 2)}, ${oldK.overbooked}`,
      `${f(curK.bookingsPerS, 2)}, ${curK.overbooked}`,
      '',
    ],
    [
      'reads / writes per booking (new design, counted)',
      '2 / 2 (+ retries)',
      `${f(cur.readsPerBooking)} / ${f(cur.writesPerBooking)}`,
      '',
    ],
  ];
  console.log('');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  const goal = cur.bookingsPerS >= 10 * old.bookingsPerS;
  console.log(
    `\nGoal ≥ 10× bookings/s: ${goal ? 'met' : 'NOT met'}; 0 overbooked: ${
      results.every((r) => r.overbooked === 0) ? 'met' : 'NOT met'
    }; gap after a kill ≤ 10 s (new): ${
      curK.confirmed > 0 && (curK.longestGapS ?? Infinity) <= 10 ? 'met' : 'NOT met'
    }`,
  );
}

/** The one-vs-sixteen rows: drain times, and the goal (one slot ≥ 0.8× the spread rate). */
function printEndToEnd(e: EndToEndResult): void {
  const times = (slots: 1 | 16) =>
    e.drains
      .filter((d) => d.slots === slots)
      .map(
        (d) =>
          `${d.drainS.toFixed(1)} s${d.drained ? '' : ' (not drained)'} (${d.toldQueued} told queued, ${d.confirmed} confirmed)`,
      )
      .join('; ');
  const ratios = e.ratios.map((r) => `${r.toFixed(2)}×`).join(', ');
  console.log('');
  console.log('| end to end (npm start stack) | drain time |');
  console.log('| --- | ---: |');
  console.log(`| ${e.drains[0]?.posted ?? 0} bookings on one slot | ${times(1)} |`);
  console.log(`| the same over 16 slots | ${times(16)} |`);
  console.log(`| one slot's drain rate / sixteen's, per pair | ${ratios} |`);
  console.log(
    `| one slot's drain rate / sixteen's, all pairs (summed times) | ${e.ratio.toFixed(2)}× |`,
  );
  console.log(
    `\nGoal one slot ≥ 0.8× as fast as sixteen: ${e.ratio >= 0.8 ? 'met' : 'NOT met'} (${e.ratio.toFixed(2)}×; load average at each drain: ${e.load})`,
  );
}

/** `dff bench --hot-slot [--hot-slot-jobs N] [--hot-slot-seconds S] [--hot-slot-only RUSH]`. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'hot-slot': { type: 'boolean', default: true },
      'hot-slot-jobs': { type: 'string', default: '400' },
      'hot-slot-seconds': { type: 'string', default: '60' },
      'hot-slot-only': { type: 'string' },
      'hot-slot-e2e-jobs': { type: 'string', default: '160' },
      'hot-slot-e2e-rounds': { type: 'string', default: '2' },
    },
  });
  await runHotSlotBench({
    jobs: Number(values['hot-slot-jobs']),
    capacity: 200,
    workers: 4,
    boundS: Number(values['hot-slot-seconds']),
    out: join(process.env.DFF_PROJECT_DIR ?? join(__dirname, '..'), '.data', 'bench-hot-slot.json'),
    only: values['hot-slot-only'],
    e2eJobs: Number(values['hot-slot-e2e-jobs']),
    e2eRounds: Number(values['hot-slot-e2e-rounds']),
  });
}
