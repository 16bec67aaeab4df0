/*
 * `npm run bench -- --burst-defer [--turns 50] [--runs 3] [--hog 1] [--baseline DIR]` (the restaurant's own
 * bench/burst-defer.ts, which `dff bench --burst-defer` runs): a burst of booking turns
 * posted at once to a FRESHLY STARTED webhook while other processes keep the CPU busy (the
 * shape of a rush in production: new instances start exactly then). Counts what each turn was
 * told (queued / not queued / could not confirm / other) and where each deferral's time went,
 * from the webhook's own log lines (`budgetMs`: the turn's time left when the deferral started;
 * `dbMs`, `recordMs`, `tasksClientMs`, `taskMs`, `confirmMs`: ms since it started, at the end of
 * each step). Needs `npm run build` (it runs the restaurant's built webhook under
 * functions-framework in production mode, as deployed). `--baseline DIR`: another build of the
 * project (a copy of its package.json and dist/ inside the project, so its packages resolve),
 * run in alternation with this one. Reports, never asserts.
 * Everything it starts (emulators, webhook, CPU hogs) it stops by PID.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Firestore } from '@google-cloud/firestore';
import { join, resolve } from 'node:path';
import { parseConfig } from '@dialogflow-functions/core/config';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { jobIdFor } from '@dialogflow-functions/core/jobs';
import { createTasksClient } from '@dialogflow-functions/core/tasks';
import { outcomeOf, textOf } from '@dialogflow-functions/dev/lib/load/traffic';
import { ensureQueue } from '@dialogflow-functions/dev/lib/queue';
import { startFirestoreEmulator } from '@dialogflow-functions/testing/firestore-emulator';
import {
  freePort,
  spawnFunction,
  spawnService,
  spawnTasksEmulator,
  waitForPort,
  type Service,
} from '@dialogflow-functions/testing/processes';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { restaurantEnv } from '../src/env';
import { messagesFor } from '../src/messages';

const PROJECT = 'demo-local';
/** The restaurant's folder: functions-framework serves its built package (dist/). */
const SOURCE = join(__dirname, '..');

type Told = 'queued' | 'not queued' | 'could not confirm' | 'other';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      'burst-defer': { type: 'boolean', default: true },
      turns: { type: 'string', default: '50' },
      runs: { type: 'string', default: '3' },
      hog: { type: 'string', default: '1' },
      /** Another build of the project (a folder with its package.json and dist/): A/B runs. */
      baseline: { type: 'string' },
    },
  });
  const sources: { label: string; dir: string }[] = [{ label: 'this build', dir: SOURCE }];
  if (args.baseline) sources.push({ label: 'baseline', dir: resolve(args.baseline) });
  const TURNS = Number(args.turns);
  const RUNS = Number(args.runs);
  const HOGS = Number(args.hog);
  const services: Service[] = [];
  try {
    const firestorePort = await freePort();
    services.push(await startFirestoreEmulator({ port: firestorePort, timeoutMs: 90_000 }));
    const tasksPort = await freePort();
    const tasks = spawnTasksEmulator(tasksPort, undefined, ['--quiet']);
    services.push(tasks);
    await waitForPort('127.0.0.1', tasksPort, 30_000, tasks);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      WEBHOOK_AUTH: 'none',
      WORKER_AUTH: 'iam',
      GOOGLE_CLOUD_PROJECT: PROJECT,
      FIRESTORE_EMULATOR_HOST: `127.0.0.1:${firestorePort}`,
      CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${tasksPort}`,
      // Tasks are created, never delivered: nothing listens there.
      WORKER_URL: 'http://127.0.0.1:9/',
      WEATHER_API_BASE_URL: 'http://127.0.0.1:9',
    };
    const client = await createTasksClient(env.CLOUD_TASKS_EMULATOR_HOST);
    await ensureQueue(client, parseConfig(env, 'worker', restaurantEnv));
    await client.pauseQueue({
      name: `projects/${PROJECT}/locations/asia-east1/queues/fulfillment-jobs`,
    });
    // Production's Firestore and Cloud Tasks are never cold: warm both emulators first (their
    // JVM and code paths), so the runs measure the fresh webhook, not a fresh emulator.
    const db = new Firestore({
      projectId: PROJECT,
      ...emulatorSettings(env.FIRESTORE_EMULATOR_HOST!),
    });
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const ref = db.collection('warmup').doc(`w${round}-${i}`);
          await ref.create({ at: new Date() });
          await ref.update(
            { confirmedAt: new Date() },
            { lastUpdateTime: (await ref.get()).updateTime! },
          );
        }),
      );
    }
    await db.terminate();
    await client.close();

    for (let i = 0; i < HOGS; i++) {
      services.push(
        spawnService({
          name: `hog-${i}`,
          command: process.execPath,
          args: ['-e', 'for (;;) {}'],
        }),
      );
    }
    const date = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    console.log(
      `Burst: ${TURNS} booking turns at once to a freshly started webhook, ${HOGS} CPU hog process(es), ${RUNS} runs${sources.length > 1 ? ` of each build (${sources.map((x) => x.dir).join(' / ')}), alternating` : ''}`,
    );
    for (let run = 1; run <= RUNS * sources.length; run++) {
      // A/B: the builds alternate, ABBA, so the machine's drift falls on both.
      const round = Math.floor((run - 1) / sources.length);
      const slot = (run - 1) % sources.length;
      const source = sources[round % 2 === 0 ? slot : sources.length - 1 - slot]!;
      const logs: Record<string, unknown>[] = [];
      const port = await freePort();
      const webhook = spawnFunction({
        target: 'webhook',
        port,
        env,
        source: source.dir,
        onLine: (line) => {
          if (line.startsWith('{')) {
            try {
              logs.push(JSON.parse(line) as Record<string, unknown>);
            } catch {
              // not a log entry
            }
          }
        },
      });
      try {
        await waitForPort('127.0.0.1', port, 30_000, webhook);
        const posted = performance.now();
        const answeredMs: number[] = [];
        const told = await Promise.all(
          Array.from({ length: TURNS }, async (_, n): Promise<Told> => {
            const responseId = `burst-${run}-${n}-${Date.now().toString(36)}`;
            const body = esRequest({
              name: 'make_reservation',
              parameters: { date, time: '19:00', party_size: 2, name: `B ${n}` },
              sessionId: `burst-${run}-${n}`,
              responseId,
            });
            try {
              const res = await fetch(`http://127.0.0.1:${port}/`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(body),
                signal: AbortSignal.timeout(15_000),
              });
              const json = (await res.json()) as unknown;
              answeredMs[n] = performance.now() - posted;
              const jobId = jobIdFor(responseId, 'reservation');
              const outcome = outcomeOf('es', json, jobId, messagesFor);
              if (outcome === 'queued') return 'queued';
              if (outcome === 'not-queued') return 'not queued';
              const text = textOf('es', json);
              return text.includes(jobId) ? 'could not confirm' : 'other';
            } catch {
              return 'other';
            }
          }),
        );
        const count = (t: Told) => told.filter((x) => x === t).length;
        // Dialogflow ES waits 5 s for the webhook from its own send: a later answer is not heard.
        const inTime = told.filter((t, n) => t === 'queued' && (answeredMs[n] ?? Infinity) <= 5000);
        const ms = answeredMs.filter((x) => x !== undefined).sort((a, b) => a - b);
        console.log(
          `run ${run}${sources.length > 1 ? ` (${source.label})` : ''}: ${count('queued')}/${TURNS} told queued (${inTime.length} within 5 s of the post), ${count('not queued')} not queued, ${count('could not confirm')} could not confirm, ${count('other')} other; answered in p50 ${Math.round(ms[Math.floor(ms.length / 2)] ?? NaN)} ms, max ${Math.round(ms.at(-1) ?? NaN)} ms (from the post); load ${loadavg()[0]!.toFixed(1)}`,
        );
        const deferrals = logs.filter(
          (l) => typeof l.message === 'string' && ('recordMs' in l || 'dbMs' in l),
        );
        const median = (k: string) => {
          const xs = deferrals
            .map((l) => Number(l[k]))
            .filter((x) => !Number.isNaN(x))
            .sort((a, b) => a - b);
          return xs.length ? `${xs[Math.floor(xs.length / 2)]} ms (max ${xs.at(-1)})` : '–';
        };
        console.log(
          `  where the time went (median ms since the deferral started, at the end of each step): budget left at the start ${median('budgetMs')}, firestore client ${median('dbMs')}, record ${median('recordMs')}, tasks client ${median('tasksClientMs')}, task ${median('taskMs')}, confirmation ${median('confirmMs')}`,
        );
        const warm = logs.find((l) => String(l.message).startsWith('clients '));
        if (warm) {
          console.log(
            `  at start: ${String(warm.message)} (Firestore ${String(warm.firestoreMs ?? '–')} ms, Cloud Tasks ${String(warm.tasksMs ?? '–')} ms)`,
          );
        }
        // The deferrals that did not confirm: the last step each finished before its budget ran out.
        const steps = ['dbMs', 'recordMs', 'tasksClientMs', 'taskMs', 'confirmMs'];
        const stuck = new Map<string, number>();
        for (const l of deferrals.filter((d) => !('confirmMs' in d))) {
          const last = steps.filter((k) => k in l).at(-1) ?? 'start';
          stuck.set(last, (stuck.get(last) ?? 0) + 1);
        }
        if (stuck.size > 0) {
          console.log(
            `  not confirmed, by the last step done: ${[...stuck].map(([k, n]) => `${k.replace(/Ms$/, '')} ${n}`).join(', ')}`,
          );
        }
      } finally {
        await webhook.stop(3000);
      }
    }
  } finally {
    for (const s of services.reverse()) await s.stop(3000);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
