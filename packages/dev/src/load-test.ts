/*
 * `npm run test:load`: the bounded load-and-fault run. Starts its own stack on loopback (Google's
 * Firestore emulator, the Cloud Tasks emulator with a data dir, the built worker and webhook under
 * functions-framework in production mode, notification and SMTP sinks), sends mixed ES/CX
 * traffic from 50 concurrent users with Dialogflow-style duplicates while it breaks things (the
 * notifier fails then recovers, the worker is killed mid-job, the tasks emulator is killed and
 * restarted from its data dir, Firestore is frozen and thawed), lets the jobs settle, then checks
 * what users were told against what happened and prints the figures. Exit 1 when an invariant
 * fails (each one named), 2 when the stack could not start. Everything it starts it stops by PID.
 *
 *   npm run test:load [-- --seconds 60 --users 50 --settle 90]
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Firestore } from '@google-cloud/firestore';
import { loadBot, projectDir } from './project';
import { newestSource, runBuild } from './lib/build';
import { MAIN } from './lib/bundle';
import { parseConfig } from '@dialogflow-functions/core/config';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { JOBS, parseJob, queuePath, type JobDoc } from '@dialogflow-functions/core/jobs';
import { createMessages } from '@dialogflow-functions/core/messages';
import { createTasksClient } from '@dialogflow-functions/core/tasks';
import { startFirestoreEmulatorOnFreePort } from '@dialogflow-functions/testing/firestore-emulator';
import { judge, formatTable } from './lib/load/verdict';
import { checkReplies, sleep, startTraffic } from './lib/load/traffic';
import { seatsBooked, startRush, type Rush } from './lib/load/rush';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import { toDialogflowValue } from './lib/values';
import { sinkChannelsEnv, startNotifySink } from './lib/notify-sink';
import {
  freePort,
  spawnFunction,
  spawnTasksEmulator,
  waitForPort,
  type Service,
} from '@dialogflow-functions/testing/processes';
import { ensureQueue, queueSettings } from './lib/queue';
import { startSmtpSink } from './lib/smtp-sink';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    users: { type: 'string', default: '50' },
    settle: { type: 'string', default: '120' },
    verbose: { type: 'boolean', default: false },
    /** Write every reply (and the fault timeline) to this JSON file. */
    dump: { type: 'string' },
  },
});
const TRAFFIC_MS = Number(args.seconds) * 1000;
const USERS = Number(args.users);
const SETTLE_MS = Number(args.settle) * 1000;
const PROJECT = 'demo-local';
const CAPACITY = 20;
/** The hot slot's rush: bookings of one slot. */
const RUSH_BOOKINGS = 120;
/** Sent 10 at a time every 0.5 s (about 20 bookings/s for 6 s, over the worker's kill). */
const RUSH_WAVE = 10;
const DEADLINE_MS = 5000;
const WATCH_ORDERS = Array.from({ length: 12 }, (_, i) => `W-${String(i + 1).padStart(2, '0')}`);

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(6);
const say = (line: string) => console.log(`[load ${elapsed()}] ${line}`);

/** Everything started here, stopped in reverse order whatever happens. */
const services = new Map<string, Service>();
const closers: (() => Promise<void>)[] = [];
let frozenPid: number | undefined;
const logs = new Map<string, string[]>();
const keepLine = (name: string) => (line: string) => {
  const list = logs.get(name) ?? [];
  list.push(line);
  if (list.length > 5000) list.shift();
  logs.set(name, list);
  if (args.verbose) console.log(`[${name}] ${line}`);
};

let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    if (frozenPid !== undefined) {
      try {
        process.kill(frozenPid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    for (const s of [...services.values()].reverse()) await s.stop(3000);
    // Each bounded: a client still retrying against a stopped service must not hold the exit.
    for (const close of closers.reverse()) {
      await Promise.race([close().catch(() => undefined), sleep(3000)]);
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    say(`${sig}: stopping everything`);
    void cleanUp().then(() => process.exit(130));
  });
}
// A crash, or the output closed under the run (EPIPE: `npm run test:load | head`), stops
// everything too: no emulator is left running, nor left stopped by the freeze. Once, and
// without writing to an output that may be the one that failed.
let stopping = false;
const stopOnFailure = (why: string) => {
  if (stopping) return;
  stopping = true;
  try {
    process.stderr.write(`load test stopped: ${why}\n`);
  } catch {
    // stderr closed as well
  }
  void cleanUp().then(() => process.exit(2));
};
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: Error) => stopOnFailure(`its output failed (${err.message})`));
}
process.on('uncaughtException', (err) => stopOnFailure(err.stack ?? err.message));

interface Stack {
  db: Firestore;
  webhookUrl: string;
  workerUrl: string;
  workerPort: number;
  tasksPort: number;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  sink: Awaited<ReturnType<typeof startNotifySink>>;
  smtp: Awaited<ReturnType<typeof startSmtpSink>>;
}

/** The bot's job types (the load test drives a bot that defines them). */
function jobsOf() {
  const jobs = loadBot().jobs;
  if (!jobs) throw new Error('the load test needs a bot with job types (defineBot({ jobs }))');
  return jobs;
}

/**
 * Builds the project (as `dff build`) unless its last build (dist/main.js, written last) is
 * newer than every source it compiles.
 */
async function ensureBuilt(): Promise<void> {
  const entry = join(projectDir(), 'dist', MAIN);
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  if (newestSource() <= built) return;
  say('dist/ is older than the sources: building');
  const result = await runBuild();
  if (!result.ok) throw new Error(`the build failed:\n${result.lines.join('\n')}`);
}

async function startStack(): Promise<Stack> {
  await ensureBuilt();
  const { port: firestorePort, service: firestore } = await startFirestoreEmulatorOnFreePort({
    jar: process.env.FIRESTORE_EMULATOR_JAR,
    onLine: keepLine('firestore'),
    timeoutMs: 90_000,
  });
  services.set('firestore', firestore);
  const firestoreHost = `127.0.0.1:${firestorePort}`;
  const db = new Firestore({
    projectId: PROJECT,
    ...emulatorSettings(firestoreHost),
    ignoreUndefinedProperties: true,
  });
  closers.push(() => db.terminate());
  await loadBot().seed?.({ db, env: process.env, projectDir: projectDir() });
  const batch = db.batch();
  for (const id of WATCH_ORDERS)
    batch.set(db.collection('orders').doc(id), {
      status: 'processing',
      deliveryDate: '2026-12-24',
    });
  await batch.commit();

  const dataDir = mkdtempSync(join(tmpdir(), 'load-tasks-'));
  closers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const tasksPort = await freePort();
  await startTasks(tasksPort, dataDir);
  const tasksHost = `127.0.0.1:${tasksPort}`;

  const sink = await startNotifySink();
  closers.push(() => sink.close());
  const smtp = await startSmtpSink();
  closers.push(() => smtp.close());

  const [webhookPort, workerPort] = [await freePort(), await freePort()];
  const workerUrl = `http://127.0.0.1:${workerPort}/`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    WEBHOOK_AUTH: 'none',
    WORKER_AUTH: 'iam',
    GOOGLE_CLOUD_PROJECT: PROJECT,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    CLOUD_TASKS_EMULATOR_HOST: tasksHost,
    WORKER_URL: workerUrl,
    RESERVATION_SLOT_CAPACITY: String(CAPACITY),
    WATCH_ORDER_CHECK_SECONDS: '1',
    ...sinkChannelsEnv(sink.url, smtp.url),
  };

  // The queue as npm start makes it, with shorter retry backoff so a one-minute run settles
  // (production: scripts/queue.json, 1 s doubling to 300 s).
  const client = await createTasksClient(tasksHost);
  try {
    const config = parseConfig(env, 'worker');
    await ensureQueue(client, config);
    await client.updateQueue({
      queue: {
        name: queuePath(config),
        retryConfig: {
          maxAttempts: 200,
          minBackoff: { nanos: 500e6 },
          maxBackoff: { seconds: 4 },
          maxDoublings: 3,
        },
        rateLimits: queueSettings().rateLimits,
      },
    });
  } finally {
    await client.close();
  }

  await startFunction('worker', workerPort, env);
  await startFunction('webhook', webhookPort, env);
  return {
    db,
    webhookUrl: `http://127.0.0.1:${webhookPort}/`,
    workerUrl,
    workerPort,
    tasksPort,
    dataDir,
    env,
    sink,
    smtp,
  };
}

async function startTasks(port: number, dataDir: string): Promise<void> {
  const service = spawnTasksEmulator(port, keepLine('tasks'), ['--data-dir', dataDir, '--quiet']);
  services.set('tasks', service);
  await waitForPort('127.0.0.1', port, 30_000, service);
}

async function startFunction(
  target: 'webhook' | 'worker',
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const service = spawnFunction({
    target,
    port,
    env,
    source: projectDir(),
    onLine: keepLine(target),
  });
  services.set(target, service);
  await waitForPort('127.0.0.1', port, 30_000, service);
}

async function killHard(name: string): Promise<void> {
  const service = services.get(name)!;
  process.kill(service.child.pid!, 'SIGKILL');
  await service.exited;
}

/** The faults, at fractions of the traffic time. */
function faultPlan(stack: Stack) {
  const notifierDown = [0.12, 0.3];
  const at = (f: number) => Math.round(f * TRAFFIC_MS);
  return [
    // The worker's kill and the freeze come first: a transaction the killed worker (or the
    // freeze) cut off keeps its locks in the emulator until they expire, about 60 s later (the
    // emulator's timeouts are fixed), and the job waiting on them finishes only then. Early, that
    // wait runs under the traffic instead of after it.
    {
      at: at(0.02),
      what: 'worker SIGKILLed mid-job, restarted',
      run: async () => {
        // Mid-job: at the first moment a job is running (the rush is under way); after 5 s
        // without one, it is killed anyway and the line says so.
        const runningNow = stack.db.collection(JOBS).where('status', '==', 'running');
        let running = await runningNow.get();
        for (const until = Date.now() + 5000; running.empty && Date.now() < until;) {
          await sleep(20);
          running = await runningNow.get();
        }
        await killHard('worker');
        await startFunction('worker', stack.workerPort, stack.env);
        return running.empty
          ? 'no job was running: not mid-job'
          : `${running.size} job(s) running at the kill`;
      },
    },
    {
      at: at(0.06),
      what: 'Firestore frozen (SIGSTOP) for 4 s, then SIGCONT',
      run: async () => {
        frozenPid = services.get('firestore')!.child.pid!;
        process.kill(frozenPid, 'SIGSTOP');
        await sleep(4000);
        process.kill(frozenPid, 'SIGCONT');
        frozenPid = undefined;
      },
    },
    {
      at: at(notifierDown[0]!),
      what: 'notifier fails: LINE/Slack/webhook answer 503, SMTP 451',
      run: async () => {
        stack.sink.intercept = () => ({ status: 503, body: { message: 'unavailable' } });
        stack.smtp.failWith = 451;
      },
    },
    {
      at: at(notifierDown[1]!),
      what: 'notifier recovers',
      run: async () => {
        stack.sink.intercept = undefined;
        stack.smtp.failWith = undefined;
      },
    },
    {
      at: at(0.42),
      what: `orders ${WATCH_ORDERS.slice(0, 6).join(', ')} shipped`,
      run: () => ship(stack.db, WATCH_ORDERS.slice(0, 6)),
    },
    {
      at: at(0.5),
      what: 'tasks emulator SIGKILLed, restarted from its data dir 1 s later',
      run: async () => {
        await killHard('tasks');
        await sleep(1000);
        await startTasks(stack.tasksPort, stack.dataDir);
      },
    },
    {
      at: at(0.85),
      what: `orders ${WATCH_ORDERS.slice(6).join(', ')} shipped`,
      run: () => ship(stack.db, WATCH_ORDERS.slice(6)),
    },
  ];
}

async function ship(db: Firestore, ids: string[]): Promise<void> {
  const batch = db.batch();
  for (const id of ids) batch.update(db.collection('orders').doc(id), { status: 'shipped' });
  await batch.commit();
}

/**
 * One turn of each intent in each edition and two reservations seen through to their
 * notifications, before the clock starts: a deployed function has served traffic before the
 * load arrives (cold starts are `npm run bench`'s business). What the sinks got is cleared.
 */
async function warmUp(stack: Stack): Promise<void> {
  const date = new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10);
  const turns: [string, Record<string, unknown>][] = [
    ['welcome', {}],
    ['check_order', { order_id: '1001' }],
    ['check_inventory', { product: 'latte' }],
    ['watch_order', { order_id: '1003' }],
    ['task_status', {}],
    [
      'make_reservation',
      { date, time: '12:00', party_size: '2', name: 'Warm', email: 'w@example.com' },
    ],
  ];
  for (const edition of ['es', 'cx'] as const) {
    for (const [intent, params] of turns) {
      const parameters = Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k, toDialogflowValue(k, String(v), edition)]),
      );
      const name = intent === 'welcome' && edition === 'es' ? 'Default Welcome Intent' : intent;
      const body = (edition === 'es' ? esRequest : cxRequest)({ name, parameters, source: 'line' });
      const res = await fetch(stack.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`warm-up ${intent}: HTTP ${res.status}`);
    }
  }
  const until = Date.now() + 60_000;
  while ((await unsettled(stack.db)).length > 0 || stack.sink.delivered.length < 6) {
    if (Date.now() > until) throw new Error('the warm-up jobs did not finish within 60 s');
    await sleep(250);
  }
  stack.sink.received.length = 0;
  stack.sink.delivered.length = 0;
  stack.smtp.mails.length = 0;
}

/** Jobs that are not done yet: queued, running, or finished with notifications still due. */
async function unsettled(db: Firestore): Promise<string[]> {
  const snaps = await db.collection(JOBS).get();
  return snaps.docs
    .filter((d) => {
      if (d.get('notQueued') === true) return false;
      const status = d.get('status') as string;
      return status === 'queued' || status === 'running' || !d.get('notifiedAt');
    })
    .map((d) => `${d.id} ${String(d.get('status'))}`);
}

async function main(): Promise<number> {
  say(
    `starting the stack (${USERS} users, ${TRAFFIC_MS / 1000} s of traffic, settle bound ${SETTLE_MS / 1000} s)`,
  );
  let stack: Stack;
  try {
    stack = await startStack();
  } catch (err) {
    console.error(`The stack did not start: ${(err as Error).message}`);
    return 2;
  }
  say(`stack up: webhook ${stack.webhookUrl}, worker ${stack.workerUrl}`);

  await warmUp(stack);
  say('warmed up: both functions have served each intent and one job each');

  const dates = [3, 4, 5, 6].map((d) =>
    new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10),
  );
  const traffic = startTraffic({
    url: stack.webhookUrl,
    users: USERS,
    durationMs: TRAFFIC_MS,
    thinkMs: [300, 1200],
    duplicateShare: 0.3,
    reservationDates: dates,
    reservationTimes: ['18:00', '18:30', '19:00', '19:30'],
    watchOrders: WATCH_ORDERS,
    clientTimeoutMs: 15_000,
    messages: createMessages(loadBot().messages),
  });
  const trafficStart = Date.now();
  /** What happened when (ms after the traffic's start): steps end out of order, so kept with it. */
  const timeline: { at: number; line: string }[] = [];
  const timelineLines = () => timeline.sort((a, b) => a.at - b.at).map((t) => t.line);
  // The hot slot: a rush on one slot (not one the traffic books), under way when the worker is
  // killed (0.02).
  const rushSlot = { date: dates[0]!, time: '20:00' };
  let rush: Rush | undefined;
  const rushStarted = sleep(Math.round(0.01 * TRAFFIC_MS)).then(() => {
    rush = startRush({
      url: stack.webhookUrl,
      bookings: RUSH_BOOKINGS,
      ...rushSlot,
      wave: RUSH_WAVE,
      pauseMs: 500,
      clientTimeoutMs: 15_000,
      trafficStart,
      messages: createMessages(loadBot().messages),
    });
    const at = Date.now() - trafficStart;
    timeline.push({
      at,
      line: `t+${(at / 1000).toFixed(1)}s hot slot: ${RUSH_BOOKINGS} bookings of ${rushSlot.date} ${rushSlot.time} in waves of ${RUSH_WAVE} every 0.5 s`,
    });
  });
  const clientLag = monitorEventLoopDelay({ resolution: 20 });
  clientLag.enable();
  // Each fault at its own time (a slow restart does not push the next one back).
  await Promise.all(
    faultPlan(stack).map(async (step) => {
      await sleep(Math.max(0, trafficStart + step.at - Date.now()));
      const at = Date.now() - trafficStart;
      const t0 = (at / 1000).toFixed(1);
      const note = await step.run();
      const t1 = ((Date.now() - trafficStart) / 1000).toFixed(1);
      const line = `t+${t0}s${t1 !== t0 ? `..${t1}s` : ''} ${step.what}${note ? ` (${note})` : ''}`;
      timeline.push({ at, line });
      say(line);
    }),
  );
  await traffic.done;
  await rushStarted;
  await rush!.done;
  traffic.replies.push(...rush!.replies);
  for (const [id, job] of rush!.jobs) traffic.jobs.set(id, job);
  clientLag.disable();
  say(
    `traffic done: ${traffic.replies.length} requests in ${((Date.now() - trafficStart) / 1000).toFixed(1)} s`,
  );

  // Settle: the sweep as Cloud Scheduler calls it, until every job is done or the bound.
  const settleStart = Date.now();
  let left: string[] = [];
  let lastSweep = 0;
  let lastReport = Date.now();
  for (;;) {
    if (Date.now() - lastSweep > 10_000) {
      lastSweep = Date.now();
      const res = await fetch(`${stack.workerUrl}sweep`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(30_000),
      }).catch((err: unknown) => err as Error);
      if (res instanceof Error || !res.ok)
        say(`sweep failed: ${res instanceof Error ? res.message : `HTTP ${res.status}`}`);
    }
    left = await unsettled(stack.db);
    if (left.length === 0 || Date.now() - settleStart > SETTLE_MS) break;
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      say(`settling: ${left.length} job(s) left, e.g. ${left.slice(0, 3).join(', ')}`);
    }
    await sleep(1000);
  }
  const settleS = ((Date.now() - settleStart) / 1000).toFixed(1);
  say(
    left.length === 0
      ? `settled in ${settleS} s`
      : `${left.length} job(s) not settled after ${settleS} s: ${left.slice(0, 5).join(', ')}`,
  );

  // Evidence.
  checkReplies(traffic.replies);
  if (args.dump) {
    writeFileSync(
      args.dump,
      JSON.stringify({ replies: traffic.replies, timeline: timelineLines() }, null, 1),
    );
    for (const [name, lines] of logs) writeFileSync(`${args.dump}.${name}.log`, lines.join('\n'));
  }
  const stored = new Map<string, JobDoc>();
  for (const snap of (await stack.db.collection(JOBS).get()).docs) {
    const job = parseJob(jobsOf(), snap);
    if (job) stored.set(snap.id, job as JobDoc);
  }
  const reservations = new Map(
    (await stack.db.collection('reservations').get()).docs.map((d) => [
      d.id,
      {
        date: String(d.get('date')),
        time: String(d.get('time')),
        partySize: Number(d.get('partySize')),
        outcome: String(d.get('result.outcome')),
      },
    ]),
  );
  const slots = new Map(
    await Promise.all(
      (await stack.db.collection('slots').get()).docs.map(
        async (d) =>
          [
            d.id,
            { booked: await seatsBooked(d.ref), capacity: Number(d.get('capacity')) },
          ] as const,
      ),
    ),
  );
  const rushJobs = [...rush!.jobs.keys()];
  const rushTold = rush!.replies.filter((r) => r.outcome === 'queued').length;
  const rushResults = rushJobs.map((id) => reservations.get(id)?.outcome);
  const rushLine = `Hot slot ${rushSlot.date} ${rushSlot.time}: ${rushJobs.length} bookings, ${rushTold} told queued, ${
    rushResults.filter((o) => o === 'confirmed').length
  } confirmed, ${rushResults.filter((o) => o === 'full').length} full, ${
    slots.get(`${rushSlot.date}_${rushSlot.time.replace(':', '')}`)?.booked ?? 0
  } of ${CAPACITY} seats booked`;
  const verdict = judge({
    replies: traffic.replies,
    jobs: traffic.jobs,
    stored,
    reservations,
    slots,
    capacity: CAPACITY,
    delivered: stack.sink.delivered,
    mails: stack.smtp.mails,
    deadlineMs: DEADLINE_MS,
    registry: jobsOf(),
    messages: createMessages(loadBot().messages),
  });
  if (left.length > 0) {
    verdict.failures.unshift({
      invariant: `every job settles within ${SETTLE_MS / 1000} s of the end of traffic`,
      count: left.length,
      examples: left.slice(0, 5),
    });
  }

  const refused = stack.sink.received.length - stack.sink.delivered.length;
  console.log(`
Load test: ${USERS} concurrent users, ${TRAFFIC_MS / 1000} s of mixed ES/CX traffic, then settle (${settleS} s; bound ${SETTLE_MS / 1000} s)
Faults:
  ${timelineLines().join('\n  ')}
Client latency (ms): p50 ${verdict.latency.p50}, p95 ${verdict.latency.p95}, p99 ${verdict.latency.p99}, max ${verdict.latency.max} (this process's own event-loop lag: max ${Math.round(clientLag.max / 1e6)} ms)
${rushLine}
Notification requests refused during the outage: ${refused} (sink), ${stack.smtp.mails.length} mails received

${formatTable(verdict.rows)}
`);
  const errorLines = (name: string) =>
    (logs.get(name) ?? []).filter((l) => /"severity":"(ERROR|CRITICAL)"/.test(l));
  for (const name of ['webhook', 'worker']) {
    const errors = errorLines(name);
    if (errors.length > 0) {
      console.log(
        `${name}: ${errors.length} ERROR log line(s), e.g.\n  ${errors.slice(0, 3).join('\n  ')}`,
      );
    }
  }
  const total = ((Date.now() - started) / 1000).toFixed(0);
  if (verdict.failures.length === 0) {
    console.log(`PASS: every invariant held (${total} s in all).`);
    return 0;
  }
  console.log(`FAIL (${total} s in all):`);
  for (const f of verdict.failures) {
    console.log(`  ✗ ${f.invariant}: ${f.count}\n      ${f.examples.join('\n      ')}`);
  }
  return 1;
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 2;
  })
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  });
