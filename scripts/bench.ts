/*
 * `npm run bench`: cold start and warm latency of the webhook, reported as ratios against a
 * baseline measured in the same run (a bare functions-framework function), so the numbers
 * compare across machines. Everything runs on loopback; the Firestore emulator is started
 * unless FIRESTORE_EMULATOR_HOST is set.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureFirestoreEmulator } from './lib/firestore-emulator';
import {
  freePort,
  functionsFrameworkMain,
  ROOT,
  spawnService,
  waitForPort,
  type Service,
} from './lib/processes';
import { esRequest } from './lib/requests';
import { seedEmulator } from '../demo/seed-data';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    requests: { type: 'string', default: '200' },
  },
});
const RUNS = Number(values.runs);
const REQUESTS = Number(values.requests);

interface Variant {
  label: string;
  target: 'webhook' | 'hello';
  body: Record<string, unknown>;
  /** Preload the Firestore library before the function loads: what an eager client costs. */
  eager?: boolean;
}

function spawnTarget(v: Variant, port: number, env: NodeJS.ProcessEnv): Service {
  const source = v.target === 'hello' ? join(ROOT, 'scripts', 'bench', 'hello') : ROOT;
  return spawnService({
    name: v.label,
    command: process.execPath,
    args: [
      ...(v.eager ? ['--require', '@google-cloud/firestore'] : []),
      functionsFrameworkMain(),
      `--target=${v.target}`,
      `--source=${source}`,
      `--port=${port}`,
    ],
    env: { ...env, NODE_ENV: 'production', WEBHOOK_AUTH: 'none', WORKER_AUTH: 'iam' },
  });
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
}

/** Spawn → listening → first reply, in ms. */
async function coldStart(v: Variant, env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const service = spawnTarget(v, port, env);
  try {
    await waitForPortFast(port, service);
    await postJson(`http://127.0.0.1:${port}/`, v.body);
    return performance.now() - started;
  } finally {
    await service.stop();
  }
}

async function waitForPortFast(port: number, service: Service): Promise<void> {
  // Poll every 5 ms: the measurement should not be dominated by the poll interval.
  const until = Date.now() + 30_000;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited`);
    try {
      await waitForPort('127.0.0.1', port, 0);
      return;
    } catch {
      if (Date.now() > until) throw new Error(`${service.name} did not listen`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function warm(v: Variant, env: NodeJS.ProcessEnv): Promise<number[]> {
  const port = await freePort();
  const service = spawnTarget(v, port, env);
  try {
    await waitForPort('127.0.0.1', port, 30_000, service);
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; i < 20; i++) await postJson(url, v.body); // warm-up
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      await postJson(url, v.body);
      times.push(performance.now() - t);
    }
    return times;
  } finally {
    await service.stop();
  }
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}
const fmt = (n: number) => n.toFixed(1).padStart(8);

async function main(): Promise<void> {
  const { host, service: emulator } = await ensureFirestoreEmulator({
    host: process.env.FIRESTORE_EMULATOR_HOST,
  });
  try {
    await seedEmulator(host, 'demo-local');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      FIRESTORE_EMULATOR_HOST: host,
      GOOGLE_CLOUD_PROJECT: 'demo-local',
      WEATHER_API_BASE_URL: 'http://127.0.0.1:9',
    };
    const welcome = esRequest({ name: 'Default Welcome Intent' });
    const order = esRequest({ name: 'check_order', parameters: { order_id: 1001 } });
    const variants: Variant[] = [
      { label: 'baseline: bare function', target: 'hello', body: welcome },
      { label: 'welcome, lazy Firestore', target: 'webhook', body: welcome },
      { label: 'welcome, eager Firestore', target: 'webhook', body: welcome, eager: true },
      { label: 'check_order, lazy Firestore', target: 'webhook', body: order },
      { label: 'check_order, eager Firestore', target: 'webhook', body: order, eager: true },
    ];

    console.log(`Cold start: spawn → first reply, median of ${RUNS} runs (interleaved)`);
    const cold = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const v of variants) cold.get(v.label)!.push(await coldStart(v, env));
    }
    const base = median(cold.get(variants[0]!.label)!);
    console.log(`  ${'variant'.padEnd(32)} ${'ms'.padStart(8)}  × baseline`);
    for (const v of variants) {
      const m = median(cold.get(v.label)!);
      console.log(`  ${v.label.padEnd(32)} ${fmt(m)}  ${(m / base).toFixed(2)}`);
    }

    console.log(`\nWarm latency: ${REQUESTS} sequential requests after 20 warm-up ones`);
    const warmVariants = variants.filter((v) => !v.eager);
    const warmTimes = new Map<string, number[]>();
    for (const v of warmVariants) warmTimes.set(v.label, await warm(v, env));
    const wBase = median(warmTimes.get(variants[0]!.label)!);
    console.log(
      `  ${'variant'.padEnd(32)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  p50 × baseline`,
    );
    for (const v of warmVariants) {
      const t = warmTimes.get(v.label)!;
      console.log(
        `  ${v.label.padEnd(32)} ${fmt(median(t))} ${fmt(quantile(t, 0.95))}  ${(median(t) / wBase).toFixed(2)}`,
      );
    }
  } finally {
    await emulator?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
