/*
 * The hot slot end to end (part of `npm run bench -- --hot-slot`, alone with
 * `--hot-slot-only e2e`): the local stack `npm start` runs (Google's Firestore emulator, the
 * Cloud Tasks emulator with the queue of queue.json, the built worker and webhook under
 * functions-framework, the notification and SMTP sinks), and booking turns posted to the
 * webhook (16 at a time; one told "not queued" is asked again): `jobs` bookings on ONE slot against the same number spread over 16 slots, each
 * drained until every job told "queued" has finished (Firestore's update times of the job
 * records). Rounds alternate one/sixteen, sixteen/one (ABBA) after a warm-up rush, so the
 * machine's load drifts over both. Reports, never asserts.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { parseConfig } from '@dialogflow-functions/core/config';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { JOBS, jobIdFor } from '@dialogflow-functions/core/jobs';
import { createTasksClient } from '@dialogflow-functions/core/tasks';
import { newestSource, runBuild } from '@dialogflow-functions/dev/lib/build';
import { MAIN } from '@dialogflow-functions/dev/lib/bundle';
import { outcomeOf } from '@dialogflow-functions/dev/lib/load/traffic';
import { startNotifySink, sinkChannelsEnv } from '@dialogflow-functions/dev/lib/notify-sink';
import { ensureQueue } from '@dialogflow-functions/dev/lib/queue';
import { startSmtpSink } from '@dialogflow-functions/dev/lib/smtp-sink';
import { startFirestoreEmulator } from '@dialogflow-functions/testing/firestore-emulator';
import {
  freePort,
  spawnFunction,
  spawnTasksEmulator,
  waitForPort,
  type Service,
} from '@dialogflow-functions/testing/processes';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { restaurantEnv } from '../../src/env';
import { messagesFor } from '../../src/messages';
import { seeded } from './seeded';

const PROJECT = 'demo-local';
const SOURCE = join(__dirname, '..', '..');
/** The 16 slots of the spread rush: 11:00 to 18:30. */
const SPREAD_TIMES = Array.from({ length: 16 }, (_, i) => {
  const m = 11 * 60 + 30 * i;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
});

export interface EndToEndOptions {
  jobs: number;
  capacity: number;
  /** One/sixteen pairs (each pair in alternating order). */
  rounds: number;
  boundS: number;
}

export interface DrainResult {
  slots: 1 | 16;
  posted: number;
  toldQueued: number;
  finished: number;
  confirmed: number;
  full: number;
  /** From the first post to the last told-queued job's final update (s); the bound if not all. */
  drainS: number;
  drained: boolean;
}

export interface EndToEndResult {
  drains: DrainResult[];
  /** Drain rate of one slot / of sixteen, per pair (sixteen's time / one's time). */
  ratios: number[];
  /** The same over every pair: sixteen's summed drain times / one slot's. */
  ratio: number;
  load: string;
}

/** Booking turns in flight at once while a rush is posted. */
const POSTING = 16;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ensureBuilt(): Promise<void> {
  const entry = join(SOURCE, 'dist', MAIN);
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  if (newestSource(SOURCE) <= built) return;
  console.log('  dist/ is older than the sources: building');
  const result = await runBuild();
  if (!result.ok) throw new Error(`the build failed:\n${result.lines.join('\n')}`);
}

/** Runs the end-to-end rushes on one stack; every process it starts it stops by PID. */
export async function runEndToEnd(o: EndToEndOptions): Promise<EndToEndResult> {
  await ensureBuilt();
  const services: Service[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    const firestorePort = await freePort();
    services.push(await startFirestoreEmulator({ port: firestorePort, timeoutMs: 90_000 }));
    const tasksPort = await freePort();
    const tasks = spawnTasksEmulator(tasksPort, undefined, ['--quiet']);
    services.push(tasks);
    await waitForPort('127.0.0.1', tasksPort, 30_000, tasks);
    const sink = await startNotifySink();
    closers.push(() => sink.close());
    const smtp = await startSmtpSink();
    closers.push(() => smtp.close());
    const [webhookPort, workerPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      GOOGLE_CLOUD_PROJECT: PROJECT,
      FIRESTORE_EMULATOR_HOST: `127.0.0.1:${firestorePort}`,
      CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${tasksPort}`,
      WORKER_URL: `http://127.0.0.1:${workerPort}/`,
      RESERVATION_SLOT_CAPACITY: String(o.capacity),
      WEATHER_API_BASE_URL: 'http://127.0.0.1:9',
      ...sinkChannelsEnv(sink.url, smtp.url),
    };
    // The queue exactly as npm start makes it (queue.json: its rate limits and retries).
    const client = await createTasksClient(env.CLOUD_TASKS_EMULATOR_HOST);
    await ensureQueue(client, parseConfig(env, 'worker', restaurantEnv));
    await client.close();
    for (const [target, port] of [
      ['worker', workerPort],
      ['webhook', webhookPort],
    ] as const) {
      const fn = spawnFunction({ target, port, env, source: SOURCE });
      services.push(fn);
      await waitForPort('127.0.0.1', port, 60_000, fn);
    }
    const db = new Firestore({
      projectId: PROJECT,
      ...emulatorSettings(env.FIRESTORE_EMULATOR_HOST!),
    });
    closers.push(() => db.terminate());
    const webhook = `http://127.0.0.1:${webhookPort}/`;

    let day = 40;
    const drain = (slots: 1 | 16, jobs: number) =>
      rushThrough(webhook, db, { slots, jobs, date: dateIn(day++), boundS: o.boundS });
    // Warm-up: the functions' and emulators' first requests, on slots no rush uses.
    const warm = await drain(16, 32);
    console.log(
      `    warm-up: ${warm.finished}/${warm.toldQueued} jobs in ${warm.drainS.toFixed(1)} s`,
    );
    const drains: DrainResult[] = [];
    const ratios: number[] = [];
    const loads: string[] = [];
    for (let round = 0; round < o.rounds; round++) {
      const order: (1 | 16)[] = round % 2 === 0 ? [1, 16] : [16, 1];
      const pair: Partial<Record<1 | 16, DrainResult>> = {};
      for (const slots of order) {
        const r = await drain(slots, o.jobs);
        pair[slots] = r;
        drains.push(r);
        loads.push(loadAverage());
        console.log(
          `    ${slots === 1 ? 'one slot' : '16 slots'}: ${r.toldQueued}/${r.posted} told queued, ${r.finished} finished (${r.confirmed} confirmed, ${r.full} full) in ${r.drainS.toFixed(1)} s${r.drained ? '' : ' (NOT drained: the bound)'}; load ${loads.at(-1)}`,
        );
      }
      ratios.push(pair[16]!.drainS / pair[1]!.drainS);
    }
    const sum = (slots: 1 | 16) =>
      drains.filter((d) => d.slots === slots).reduce((t, d) => t + d.drainS, 0);
    return { drains, ratios, ratio: sum(16) / sum(1), load: loads.join(' | ') };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    for (const s of services.reverse()) await s.stop(3000);
  }
}

function dateIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function loadAverage(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only for the report
  return (require('node:os') as typeof import('node:os')).loadavg()[0]!.toFixed(1);
}

/**
 * One rush: `jobs` booking turns posted at once to the webhook (one slot, or spread over 16),
 * then waits until every job told "queued" has finished.
 */
async function rushThrough(
  webhook: string,
  db: Firestore,
  r: { slots: 1 | 16; jobs: number; date: string; boundS: number },
): Promise<DrainResult> {
  const random = seeded(22);
  const parties = Array.from({ length: r.jobs }, () => 1 + Math.floor(random() * 4));
  const started = Date.now();
  const stamp = started.toString(36);
  // Posted POSTING at a time (the webhook's own burst is another bench: --burst-defer); a turn
  // told "not queued" is asked again, as its user would, so every rush has all its bookings.
  const told: (string | undefined)[] = [];
  let next = 0;
  const post = async (n: number, attempt: number): Promise<string | undefined> => {
    const responseId = `e2e-${stamp}-${r.slots}-${n}-${attempt}`;
    const jobId = jobIdFor(responseId, 'reservation');
    const time = r.slots === 1 ? '19:00' : SPREAD_TIMES[n % 16]!;
    try {
      const res = await fetch(webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          esRequest({
            name: 'make_reservation',
            parameters: { date: r.date, time, party_size: parties[n]!, name: `E ${n}` },
            sessionId: `e2e-${stamp}-${n}`,
            responseId,
          }),
        ),
        signal: AbortSignal.timeout(15_000),
      });
      if (outcomeOf('es', await res.json(), jobId, messagesFor) === 'queued') return jobId;
    } catch {
      // no answer: asked again below
    }
    return attempt < 3 ? post(n, attempt + 1) : undefined;
  };
  await Promise.all(
    Array.from({ length: POSTING }, async () => {
      for (let n = next++; n < r.jobs; n = next++) told[n] = await post(n, 0);
    }),
  );
  const queued = told.filter((id): id is string => id !== undefined);
  const stopAt = started + r.boundS * 1000;
  const refs = queued.map((id) => db.collection(JOBS).doc(id));
  let snaps = refs.length ? await db.getAll(...refs) : [];
  const done = () => snaps.filter((s) => ['succeeded', 'failed'].includes(String(s.get('status'))));
  while (done().length < queued.length && Date.now() < stopAt) {
    await sleep(250);
    snaps = await db.getAll(...refs);
  }
  const finished = done();
  const last = Math.max(started, ...finished.map((s) => s.updateTime!.toMillis()));
  const drained = finished.length === queued.length;
  return {
    slots: r.slots,
    posted: r.jobs,
    toldQueued: queued.length,
    finished: finished.length,
    confirmed: finished.filter((s) => s.get('result.outcome') === 'confirmed').length,
    full: finished.filter((s) => s.get('result.outcome') === 'full').length,
    drainS: (drained ? last - started : r.boundS * 1000) / 1000,
    drained,
  };
}
