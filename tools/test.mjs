#!/usr/bin/env node
/**
 * `npm test`: everything CI runs, packed onto the machine's cores.
 *
 *   1. the build and the type check, side by side (`tools/checks.mjs build`);
 *   2. the vitest projects that need the build and the Firestore emulator (`integration`, then
 *      `quiet`): they keep both cores busy but for the `quiet` files' waits on frozen or hanging
 *      backends. Beside them, under SCHED_IDLE (chrt; and nice 19, its session's group too: see
 *      children.mjs), the other checks (oxlint, oxfmt, depcruise, the API reports against 1's
 *      build: `tools/checks.mjs rest`): the kernel runs them only on a core the suites leave
 *      idle, and takes it back as soon as a suite's process wants it;
 *   3. the load-and-fault run (`npm run test:load`), and beside it, at the lowest CPU priority
 *      (nice 19), the `unit` project (and what is left of the checks). The load test's minute
 *      of traffic leaves about half a core idle; the unit suites need no service and no deadline
 *      of their own, and they run in that idle time: the scheduler gives the load test the CPU
 *      whenever it wants it, so its latencies are measured as before.

 * Each step's verdict is the same as run alone. The steps beside the load test print their
 * output whole once it has ended (no interleaving). A failed step 1 skips the rest, a failed
 * step 2 the load test, as `a && b` would; the checks and the unit suites run and are reported
 * whenever 1 passed. Exit 1 if anything failed. SIGHUP, SIGINT and SIGTERM stop every child
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
 * output is kept and returned rather than passed through (`beside`: what it ran beside, for its
 * heading); `nice`: at the lowest CPU priority; `idle`: that and SCHED_IDLE (children.mjs).
 * Resolves with whether it passed and, for a quiet step, its output.
 */
async function step(name, argv, options = {}) {
  if (stopping) {
    results.push({ name, verdict: 'not run' });
    return { ok: false, output: '' };
  }
  const at = Date.now();
  const { quiet = false, nice = false, idle = false } = options;
  const { code, output } = await runChild(argv, {
    cwd: ROOT,
    running,
    quiet,
    nice: nice || idle ? LOW_PRIORITY : 0,
    idle,
  });
  const ok = code === 0 && !stopping;
  results.push({ name, verdict: ok ? 'passed' : 'FAILED', time: seconds(at) });
  return {
    ok,
    output: `\n── ${name}: ${ok ? 'passed' : 'FAILED'} in ${seconds(at)} (beside the ${options.beside})\n${output.trimEnd()}`,
  };
}

const node = process.execPath;
if ((await step('build and type check', [node, 'tools/checks.mjs', 'build'])).ok) {
  const suites = [VITEST, 'run', '--project', 'integration', '--project', 'quiet'];
  const checks = step('checks', [node, 'tools/checks.mjs', 'rest'], {
    quiet: true,
    idle: true,
    beside: 'suites and the load test',
  });
  const suitesPassed = (await step('vitest integration and quiet', suites)).ok;
  // Two workers: each loads the suites' modules once, and a third cost more CPU (34 against 30
  // CPU-s) than it saved time on 2 cores.
  const unit = step('vitest unit', [VITEST, 'run', '--project', 'unit', '--maxWorkers=2'], {
    quiet: true,
    nice: true,
    beside: 'load test',
  });
  if (suitesPassed) await step('load test', ['npm', 'run', '--silent', 'test:load']);
  else results.push({ name: 'load test', verdict: 'not run' });
  const beside = Promise.all([checks, unit]);
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
