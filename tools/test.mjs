#!/usr/bin/env node
/**
 * `npm test`: everything CI runs, packed onto the machine's cores.
 *
 *   1. the build, and beside it, on the other core, the type check (tsgo: seconds), then oxlint
 *      and oxfmt in the time the build leaves that core (`tools/checks.mjs build`);
 *   2. the vitest `integration` project (the suites that need the build and the Firestore
 *      emulator), alone: its files keep both cores busy (with other steps beside them, even at a
 *      low priority, they took 169 s instead of 138 on 2 cores; under SCHED_IDLE 5-10 s more);
 *   3. the `quiet` project (the suites that race real deadlines, two files at a time), then the
 *      load-and-fault run (`npm run test:load`). Beside them at the lowest CPU priority (nice 19,
 *      and its session's group too: see children.mjs): from the start of 3, `tools/checks.mjs
 *      rest` (the API reports against 1's build, depcruise, the client types; no deadline of
 *      their own) and the `scripts` project (deploy.sh and the other shell scripts against
 *      stand-ins: no clock in their verdicts), in the CPU the quiet files leave (they mostly
 *      wait on frozen or hanging backends: a core idle for their 20 s); beside the load test,
 *      whose minute of traffic leaves about half a core idle, the `unit` project (some of its suites race Dialogflow's
 *      own deadlines through the stand-in: started beside the quiet files as well, one missed
 *      its 6 s). The scheduler gives the suites and the load test the CPU whenever they want it,
 *      so their deadlines and latencies are measured as before.
 *
 * Each step's verdict is the same as run alone. The steps beside the load test print their
 * output whole once it has ended (no interleaving). A failed step 1 skips the rest, a failed
 * `integration` or `quiet` the load test, as `a && b` would; the steps beside them run and are
 * reported whenever 1 passed. Exit 1 if anything failed. SIGHUP, SIGINT and SIGTERM stop every child
 * (each runs in a process group of its own) before this exits (129, 130, 143).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, stopChildrenOnSignals } from './children.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(ROOT, 'node_modules', '.bin', 'vitest');
const LOW_PRIORITY = 19;

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
let stopping = false;
stopChildrenOnSignals(running, () => (stopping = true));

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
/** @type {{ name: string, verdict: 'passed' | 'FAILED' | 'not run', time?: string }[]} */
const results = [];

/**
 * One named step; its verdict recorded (`not run` once the run is being stopped). `quiet`: its
 * output is kept and returned rather than passed through; `nice`: at the lowest CPU priority.
 * Resolves with whether it passed and, for a quiet step, its output.
 */
async function step(name, argv, options = {}) {
  if (stopping) {
    results.push({ name, verdict: 'not run' });
    return { ok: false, output: '' };
  }
  const at = Date.now();
  const { quiet = false, nice = false } = options;
  const { code, output } = await runChild(argv, {
    cwd: ROOT,
    running,
    quiet,
    nice: nice ? LOW_PRIORITY : 0,
  });
  const ok = code === 0 && !stopping;
  results.push({ name, verdict: ok ? 'passed' : 'FAILED', time: seconds(at) });
  return {
    ok,
    output: `\n── ${name}: ${ok ? 'passed' : 'FAILED'} in ${seconds(at)} (beside the suites)\n${output.trimEnd()}`,
  };
}

const node = process.execPath;
if ((await step('build, type check and lint', [node, 'tools/checks.mjs', 'build'])).ok) {
  const integrationPassed = (
    await step('vitest integration', [VITEST, 'run', '--project', 'integration'])
  ).ok;
  // Two workers: each loads the suites' modules once, and a third cost more CPU (34 against 30
  // CPU-s) than it saved time on 2 cores. At nice 19 beside the load test a suite gets only the
  // CPU the load test leaves: two `dff` CLI runs of agent-format.test took 35 s once (0.8 s each
  // alone), so a test's time limit is 2 minutes there (a limit on the whole test, not a verdict).
  const unit = [VITEST, 'run', '--project', 'unit', '--maxWorkers=2', '--testTimeout=120000'];
  // From here on, at the lowest priority, in the CPU the quiet suites leave: the checks that
  // need the build (no deadline of their own).
  const checks = step('API reports, deps, client types', [node, 'tools/checks.mjs', 'rest'], {
    quiet: true,
    nice: true,
  });
  // And the shell scripts' suites (no clock in their verdicts: vitest.config.mts, SCRIPTS).
  const scripts = step(
    'vitest scripts',
    [VITEST, 'run', '--project', 'scripts', '--maxWorkers=1', '--testTimeout=120000'],
    { quiet: true, nice: true },
  );
  const quietPassed = (await step('vitest quiet', [VITEST, 'run', '--project', 'quiet'])).ok;
  // The unit suites only beside the load test: some race Dialogflow's own deadlines (the
  // stand-in's 5 s webhook call, `dff detect`'s 6 s), and started beside the quiet suites as
  // well, with the checks, one missed its 6 s at nice 19 (the starved stand-in).
  const beside = Promise.all([
    checks,
    scripts,
    step('vitest unit', unit, { quiet: true, nice: true }),
  ]);
  if (integrationPassed && quietPassed) {
    await step('load test', ['npm', 'run', '--silent', 'test:load']);
  } else results.push({ name: 'load test', verdict: 'not run' });
  // Printed once the load test has printed its own: whole, not in the middle of its lines.
  for (const { output } of await beside) if (output.trim()) console.log(output);
}

const failed = results.filter((r) => r.verdict !== 'passed');
console.log(
  `\nnpm test: ${results.map((r) => `${r.name} ${r.verdict}${r.time ? ` (${r.time})` : ''}`).join(', ')}`,
);
console.log(
  failed.length > 0 || stopping
    ? `FAILED: ${failed.map((r) => `${r.name} ${r.verdict}`).join(', ') || 'stopped'} (${seconds(started)} in all)`
    : `everything passed in ${seconds(started)}`,
);
if (failed.length > 0 || stopping) process.exitCode = process.exitCode || 1;
