/*
 * `npm run bench`: the webhook next to the bare framework, measured in one run so the ratios
 * compare across machines and cancel most of the machine's drift. It reports, never asserts.
 *
 * - warm throughput at 20 connections (autocannon), package and baseline alternating in
 *   one-second slices (ABBA order): welcome vs a bare function answering a fixed
 *   fulfillmentText, check_order vs a bare function doing one Firestore read with the official
 *   client in default settings; requests/s, server CPU per request, p50 and p99 latency, after
 *   `--warmup-slices` (10) slices each side that bring both to their steady cost (the JIT);
 *   `--only welcome` runs the welcome pair alone, `--cpu-prof DIR` profiles the warm servers;
 * - cold start (spawn → first answer), median of `--runs`, interleaved: welcome and check_order
 *   against both baselines.
 *
 * Every server runs under functions-framework with NODE_ENV=production; the package with a
 * webhook token configured (and sent). Only loopback; every child is stopped by its PID.
 * `BENCH_NODE=/path/to/node` runs the functions on another Node (Cloud Functions runs nodejs22).
 * The table goes to stdout, the numbers to `.data/bench.json` (`--out`).
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureFirestoreEmulator } from '@dialogflow-functions/testing/firestore-emulator';
import { freePort, functionsFrameworkMain } from '@dialogflow-functions/testing/processes';
import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { dataDir, DEV_ROOT, loadBot, projectDir } from './project';
import { esRequest } from '@dialogflow-functions/testing/requests';

/**
 * `dff bench --NAME [args]`, when the project has a bench of its own in `bench/NAME.ts` (the
 * restaurant's `--hot-slot`): that module's `main(args)` runs instead of this bench, with every
 * argument. dff knows nothing of what it measures.
 */
function projectBench(args: string[]): string | undefined {
  const name = args[0]?.startsWith('--') ? args[0].slice(2) : undefined;
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  const file = join(projectDir(), 'bench', `${name}.ts`);
  return existsSync(file) ? file : undefined;
}
const OWN_BENCH = projectBench(process.argv.slice(2));

const { values } = parseArgs({
  // A project's own bench parses its arguments itself.
  ...(OWN_BENCH ? { args: [] } : {}),
  options: {
    runs: { type: 'string', default: '7' },
    slices: { type: 'string', default: '10' },
    'warmup-slices': { type: 'string', default: '10' },
    'slice-ms': { type: 'string', default: '1000' },
    connections: { type: 'string', default: '20' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string', default: dataDir('bench.json') },
  },
});
const RUNS = Number(values.runs);
const SLICES = Number(values.slices);
const WARMUP_SLICES = Number(values['warmup-slices']);
const SLICE_S = Number(values['slice-ms']) / 1000;
const CONNECTIONS = Number(values.connections);
/** 'warm' | 'welcome' (the warm welcome pair only) | 'cold' | undefined (all). */
const ONLY = values.only;
/** A folder: the warm servers run with `--cpu-prof` and write their profiles there, one per kind. */
const CPU_PROF = values['cpu-prof'];
const NODE = process.env.BENCH_NODE || process.execPath;
const LOGS = dataDir('bench-logs');
const TOKEN = randomBytes(24).toString('hex');
const TOKEN_HEADER = 'x-webhook-token';

type Kind = 'package' | 'hello' | 'read';

interface Server {
  kind: Kind;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
  headers: Record<string, string>;
}

/** Spawns one function under functions-framework; its output goes to a file, as on a host. */
function startServer(
  kind: Kind,
  port: number,
  baseEnv: NodeJS.ProcessEnv,
  profileDir?: string,
): Server {
  const source =
    kind === 'package'
      ? projectDir()
      : join(DEV_ROOT, 'src', 'bench', kind === 'hello' ? 'hello' : 'read');
  const target = kind === 'package' ? 'webhook' : kind;
  const env: NodeJS.ProcessEnv = { ...baseEnv, NODE_ENV: 'production' };
  if (kind === 'package') env.WEBHOOK_TOKEN = TOKEN;
  mkdirSync(LOGS, { recursive: true });
  const out = openSync(join(LOGS, `${kind}.log`), 'a');
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, kind)}`, '--cpu-prof-interval=100']
    : [];
  const child = spawn(
    NODE,
    [
      ...profile,
      functionsFrameworkMain(),
      `--target=${target}`,
      '--signature-type=http',
      `--source=${source}`,
      `--port=${port}`,
    ],
    { cwd: projectDir(), env, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (kind === 'package') headers[TOKEN_HEADER] = TOKEN;
  return { kind, port, child, exited, headers };
}

/** SIGTERM by PID, SIGKILL after 5 s; resolves once the child has exited. */
async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await server.exited;
  clearTimeout(timer);
}

/** One POST on a fresh connection: status and body, or the connection error. */
function post(
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts until the server answers (connection refused while it starts): resolves the answer. */
async function firstAnswer(
  server: Server,
  body: string,
  timeoutMs = 30_000,
): Promise<{ status: number; text: string }> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`${server.kind} exited before answering`);
    try {
      return await post(server.port, body, server.headers);
    } catch (err) {
      if (performance.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

function expectAnswer(what: string, answer: { status: number; text: string }, needle: string) {
  if (answer.status !== 200 || !answer.text.includes(needle)) {
    throw new Error(`${what}: unexpected answer ${answer.status} ${answer.text.slice(0, 200)}`);
  }
}

interface Case {
  label: string;
  kind: Kind;
  body: string;
  /** Text the answer must contain (the run is worthless if the server answers something else). */
  expect: string;
}

/**
 * Spawn → first answer, in ms, and the CPU time (user + system) the server had used by then:
 * the wall time is what a caller waits, the CPU time what the start costs, which other work on
 * the machine barely moves (a busy shared machine stretches the wall time, not the CPU time).
 */
async function coldStart(c: Case, env: NodeJS.ProcessEnv): Promise<{ ms: number; cpuMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const server = startServer(c.kind, port, env);
  try {
    const answer = await firstAnswer(server, c.body);
    const ms = performance.now() - started;
    const cpu = cpuMs(server.child.pid);
    expectAnswer(c.label, answer, c.expect);
    return { ms, cpuMs: cpu };
  } finally {
    await stopServer(server);
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

interface SliceTotals {
  /** The server's CPU time during the slices: robust to other load on the machine. */
  cpuMs: number;
  requests: number;
  seconds: number;
  non2xx: number;
  errors: number;
  latencies: number[];
}

/** One autocannon slice against `server`; per-response latencies are kept for percentiles. */
function slice(server: Server, body: string, totals: SliceTotals | undefined): Promise<void> {
  const cpuBefore = cpuMs(server.child.pid);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}/`,
        method: 'POST',
        headers: server.headers,
        body,
        connections: CONNECTIONS,
        duration: SLICE_S,
      },
      (err, result) => {
        if (err) return reject(err);
        if (totals) {
          totals.cpuMs += cpuMs(server.child.pid) - cpuBefore;
          totals.requests += result.requests.total;
          totals.seconds += result.duration;
          totals.non2xx += result.non2xx;
          totals.errors += result.errors + result.timeouts;
        }
        resolve();
      },
    );
    if (totals) {
      instance.on('response', (_client, _status, _bytes, responseTime) => {
        totals.latencies.push(responseTime);
      });
    }
  });
}

interface WarmResult {
  rps: number;
  /** Server CPU time per request, in µs. */
  cpuUsPerRequest: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function summarize(t: SliceTotals): WarmResult {
  return {
    rps: t.requests / t.seconds,
    cpuUsPerRequest: (t.cpuMs * 1000) / t.requests,
    p50: quantile(t.latencies, 0.5),
    p99: quantile(t.latencies, 0.99),
    requests: t.requests,
    non2xx: t.non2xx,
    errors: t.errors,
  };
}

/** Package and baseline alternating in slices (ABBA so neither always goes first). */
async function warmPair(
  pkg: Server,
  base: Server,
  body: string,
): Promise<{
  package: WarmResult;
  baseline: WarmResult;
  /** The first two warm-up slices of each side: the cost while the JIT is still compiling. */
  warmup: { package: WarmResult; baseline: WarmResult };
}> {
  const a = emptyTotals();
  const b = emptyTotals();
  const warmA = emptyTotals();
  const warmB = emptyTotals();
  // Warm-up: JIT, connection pools, the Firestore channel. Node's optimising compiler takes the
  // package's turn (hundreds of functions, each optimised once hot, on compiler threads that a
  // loaded machine starves) 5–10 s of load to reach its steady cost, the bare function 2–3 s:
  // measured from the first slices, the package's JIT warm-up would be counted as its steady
  // cost. The warm-up's own figures are kept (`warmup` in the JSON, the first-seconds row).
  for (let i = 0; i < WARMUP_SLICES; i++) {
    await slice(pkg, body, i < 2 ? warmA : undefined);
    await slice(base, body, i < 2 ? warmB : undefined);
  }
  for (let i = 0; i < SLICES; i++) {
    if (i % 2 === 0) {
      await slice(pkg, body, a);
      await slice(base, body, b);
    } else {
      await slice(base, body, b);
      await slice(pkg, body, a);
    }
  }
  return {
    package: summarize(a),
    baseline: summarize(b),
    warmup: { package: summarize(warmA), baseline: summarize(warmB) },
  };
}

const emptyTotals = (): SliceTotals => ({
  cpuMs: 0,
  requests: 0,
  seconds: 0,
  non2xx: 0,
  errors: 0,
  latencies: [],
});

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const median = (xs: number[]) => quantile(xs, 0.5);

function machine() {
  const version = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: version,
    nodePath: NODE,
    platform: `${process.platform}-${process.arch}`,
  };
}

const load = () => loadavg().map((n) => Number(n.toFixed(2)));

interface Row {
  measure: string;
  baselineLabel: string;
  baseline: number;
  package: number;
  unit: string;
  ratio: number;
  goal: string;
  met: boolean;
}

async function main(): Promise<void> {
  const info = machine();
  const loadStart = load();
  console.log(
    `Machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node} (${info.platform})`,
  );
  console.log(`Load average at start: ${loadStart.join(', ')}`);

  const { host, service: emulator } = await ensureFirestoreEmulator({
    host: process.env.FIRESTORE_EMULATOR_HOST,
  });
  const servers: Server[] = [];
  try {
    const seedDb = new Firestore({ projectId: 'demo-local', ...emulatorSettings(host) });
    try {
      await loadBot().seed?.({ db: seedDb, env: process.env, projectDir: projectDir() });
    } finally {
      await seedDb.terminate();
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      FIRESTORE_EMULATOR_HOST: host,
      GOOGLE_CLOUD_PROJECT: 'demo-local',
      WEATHER_API_BASE_URL: 'http://127.0.0.1:9',
    };
    const welcome = JSON.stringify(
      esRequest({ name: 'Default Welcome Intent', sessionId: 'bench' }),
    );
    const order = JSON.stringify(
      esRequest({ name: 'check_order', parameters: { order_id: 1001 }, sessionId: 'bench' }),
    );
    const cases = {
      hello: { label: 'bare function', kind: 'hello', body: welcome, expect: 'hello' },
      welcome: { label: 'welcome', kind: 'package', body: welcome, expect: 'fulfillment' },
      read: { label: 'bare + one read', kind: 'read', body: order, expect: '1001' },
      order: { label: 'check_order', kind: 'package', body: order, expect: '1001' },
    } satisfies Record<string, Case>;

    const rows: Row[] = [];
    const json: Record<string, unknown> = { machine: info, loadStart };
    const row = (r: Omit<Row, 'ratio' | 'met'>, better: 'higher' | 'lower', limit: number) => {
      const ratio = r.package / r.baseline;
      rows.push({
        ...r,
        ratio,
        met: better === 'higher' ? ratio >= limit : ratio <= limit,
      });
    };

    if (ONLY !== 'cold') {
      console.log(
        `\nWarm: ${WARMUP_SLICES} warm-up then ${SLICES} measured slices of ${SLICE_S} s each side, ${CONNECTIONS} connections, alternating…`,
      );
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      const withOrder = ONLY !== 'welcome';
      const pkg = startServer('package', ports[0]!, env, CPU_PROF);
      const hello = startServer('hello', ports[1]!, env, CPU_PROF);
      servers.push(pkg, hello);
      const read = withOrder ? startServer('read', ports[2]!, env, CPU_PROF) : undefined;
      if (read) servers.push(read);
      expectAnswer('package welcome', await firstAnswer(pkg, welcome), 'fulfillment');
      expectAnswer('bare function', await firstAnswer(hello, welcome), 'hello');
      if (read) {
        expectAnswer('package check_order', await firstAnswer(pkg, order), '1001');
        expectAnswer('bare + one read', await firstAnswer(read, order), '1001');
      }

      const w = await warmPair(pkg, hello, welcome);
      const o = read ? await warmPair(pkg, read, order) : undefined;
      json.warm = { welcome: w, check_order: o };
      const pairs: [string, typeof w, string][] = [['welcome', w, 'bare function']];
      if (o) pairs.push(['check_order', o, 'bare + one read']);
      for (const [name, r, base] of pairs) {
        row(
          {
            measure: `warm ${name}, req/s`,
            baselineLabel: base,
            baseline: r.baseline.rps,
            package: r.package.rps,
            unit: 'req/s',
            goal: name === 'welcome' ? '≥ 0.90×' : '',
          },
          'higher',
          name === 'welcome' ? 0.9 : 0,
        );
        row(
          {
            measure: `warm ${name}, server CPU per request`,
            baselineLabel: base,
            baseline: r.baseline.cpuUsPerRequest,
            package: r.package.cpuUsPerRequest,
            unit: 'µs',
            goal: '',
          },
          'lower',
          Infinity,
        );
        row(
          {
            measure: `warm ${name}, server CPU per request, first ${Math.min(2, WARMUP_SLICES) * SLICE_S} s (JIT warm-up)`,
            baselineLabel: base,
            baseline: r.warmup.baseline.cpuUsPerRequest,
            package: r.warmup.package.cpuUsPerRequest,
            unit: 'µs',
            goal: '',
          },
          'lower',
          Infinity,
        );
        for (const p of ['p50', 'p99'] as const) {
          row(
            {
              measure: `warm ${name}, ${p}`,
              baselineLabel: base,
              baseline: r.baseline[p],
              package: r.package[p],
              unit: 'ms',
              goal: '',
            },
            'lower',
            Infinity,
          );
        }
        const bad = r.package.non2xx + r.package.errors + r.baseline.non2xx + r.baseline.errors;
        if (bad > 0) console.log(`  ${name}: ${bad} non-2xx answers or errors (see JSON)`);
      }
      while (servers.length > 0) await stopServer(servers.pop()!);
    }

    if (ONLY !== 'warm' && ONLY !== 'welcome') {
      // What `npm run gcp-build` does after tsc: fill the package's compile cache (Node ≥ 22.1).
      const coreDir = dirname(require.resolve('@dialogflow-functions/core/package.json'));
      const warmed = spawnSync(NODE, [join(coreDir, 'dist', 'compile-cache.js'), 'dist'], {
        cwd: projectDir(),
        encoding: 'utf8',
      });
      json.compileCache = warmed.stdout.trim();
      console.log(`\n${warmed.stdout.trim()}`);
      console.log(`Cold: spawn → first answer, ${RUNS} runs of each, interleaved…`);
      const order4 = [cases.hello, cases.welcome, cases.read, cases.order];
      const cold = new Map<string, number[]>(order4.map((c) => [c.label, []]));
      const coldCpu = new Map<string, number[]>(order4.map((c) => [c.label, []]));
      for (let r = 0; r < RUNS; r++) {
        for (const c of r % 2 === 0 ? order4 : [...order4].reverse()) {
          const run = await coldStart(c, env);
          cold.get(c.label)!.push(run.ms);
          coldCpu.get(c.label)!.push(run.cpuMs);
        }
      }
      const m = (c: Case) => median(cold.get(c.label)!);
      const mCpu = (c: Case) => median(coldCpu.get(c.label)!);
      json.cold = Object.fromEntries(
        order4.map((c) => [
          c.label,
          {
            runs: cold.get(c.label),
            median: m(c),
            cpuMsRuns: coldCpu.get(c.label),
            cpuMsMedian: mCpu(c),
          },
        ]),
      );
      row(
        {
          measure: 'cold welcome, median',
          baselineLabel: 'bare function',
          baseline: m(cases.hello),
          package: m(cases.welcome),
          unit: 'ms',
          goal: '≤ 1.20×',
        },
        'lower',
        1.2,
      );
      row(
        {
          measure: 'cold check_order, median',
          baselineLabel: 'bare function',
          baseline: m(cases.hello),
          package: m(cases.order),
          unit: 'ms',
          goal: '≤ 1.80×',
        },
        'lower',
        1.8,
      );
      row(
        {
          measure: 'cold check_order, median',
          baselineLabel: 'bare + one read',
          baseline: m(cases.read),
          package: m(cases.order),
          unit: 'ms',
          goal: '≤ 1.10×',
        },
        'lower',
        1.1,
      );
      for (const [c, base] of [
        [cases.welcome, cases.hello],
        [cases.order, cases.hello],
        [cases.order, cases.read],
      ] as const) {
        row(
          {
            measure: `cold ${c.label}, server CPU to first answer`,
            baselineLabel: base.label,
            baseline: mCpu(base),
            package: mCpu(c),
            unit: 'ms',
            goal: '',
          },
          'lower',
          Infinity,
        );
      }
    }

    const loadEnd = load();
    json.loadEnd = loadEnd;
    json.rows = rows;
    console.log(`\nLoad average at end: ${loadEnd.join(', ')}\n`);
    printTable(rows);
    mkdirSync(join(values.out, '..'), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nJSON: ${values.out}`);
  } finally {
    for (const s of servers) await stopServer(s);
    await emulator?.stop();
  }
}

function printTable(rows: Row[]): void {
  const num = (n: number, unit: string) =>
    unit === 'req/s' || unit === 'µs' ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
  const lines = [
    ['measure', 'compared with', 'baseline', 'package', 'ratio', 'goal'],
    ['---', '---', '---:', '---:', '---:', '---'],
    ...rows.map((r) => [
      r.measure,
      r.baselineLabel,
      `${num(r.baseline, r.unit)} ${r.unit}`,
      `${num(r.package, r.unit)} ${r.unit}`,
      `${r.ratio.toFixed(2)}×`,
      r.goal ? `${r.goal} ${r.met ? 'met' : 'NOT met'}` : '',
    ]),
  ];
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
}

async function runProjectBench(file: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the project's bench, via tsx
  const mod = require(file) as { main?: (args: string[]) => Promise<void> };
  if (typeof mod.main !== 'function') throw new Error(`${file} exports no main(args)`);
  await mod.main(process.argv.slice(2));
}

(OWN_BENCH ? runProjectBench(OWN_BENCH) : main()).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
