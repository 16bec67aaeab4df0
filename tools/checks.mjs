#!/usr/bin/env node
/**
 * The static checks and the build, side by side: one task per core, the longest chain first.
 *
 *   node tools/checks.mjs          typecheck, oxlint, oxfmt (formatting), the import rules (depcruise),
 *                                  the client types, the build, then the API reports against it
 *   node tools/checks.mjs lint     oxlint, oxfmt, depcruise, the API reports, the client types
 *                                  (`npm run lint`)
 *   node tools/checks.mjs build    the build, and beside it the type check, oxlint and oxfmt
 *                                  (`npm test`'s first step)
 *   node tools/checks.mjs rest     the API reports against a build already made, depcruise and the
 *                                  client types (`npm test` runs them beside the quiet suites and
 *                                  the load test, at a low priority: tools/test.mjs)
 *
 * Each task's output is printed whole when it ends (no interleaving), with its time. Every task
 * runs to its end even when another fails, so one run names every failure; exit 1 if any failed.
 * The tasks are the package.json scripts and the linters' binaries (neither needs a cache).
 * SIGHUP, SIGINT and SIGTERM stop the running tasks (by process group) before this exits.
 */
import { availableParallelism, getPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, stopChildrenOnSignals } from './children.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const bin = (name) => join(BIN, name);

/**
 * @typedef {{ name: string, steps: string[][], after?: string[] }} Task
 * A task's steps run one after another; a task starts once every task it comes `after` passed.
 */

const npm = (script) => ['npm', 'run', '--silent', script];

/** @type {Task[]} in the order they start: the build chain is the longest. */
const LINT = [
  { name: 'api:check', steps: [npm('api:check')] },
  // oxfmt (Prettier's formatting, native): every file in 0.3 CPU-s, where Prettier took 8.3.
  { name: 'format', steps: [[bin('oxfmt'), '--check']] },
  // oxlint (.oxlintrc.json: ESLint's and typescript-eslint's recommended rules and ours): the whole
  // repository in 0.2 CPU-s, where ESLint took 9 on a fresh clone.
  { name: 'oxlint', steps: [[bin('oxlint')]] },
  { name: 'deps', steps: [npm('deps')] },
  // Core's written-out SessionsClient types against the official clients' declarations, which
  // the type check's program does without (packages/core/test/types).
  { name: 'client types', steps: [npm('typecheck:clients')] },
];

/** @type {Task[]} */
const ALL = [
  { name: 'build', steps: [npm('build')] },
  // The API reports read the build's declarations (api:check without its own tsc -b).
  { name: 'API reports', steps: [[process.execPath, 'tools/api-report.mjs']], after: ['build'] },
  { name: 'typecheck', steps: [npm('typecheck')] },
  ...LINT.filter((t) => t.name !== 'api:check'),
];

/**
 * What `npm test` runs beside its suites, at a low priority (`rest`): the API reports (they read
 * the build's declarations), and the import rules and the client types (7 CPU-s that made the
 * build phase 3 s longer: its two cores are busy with the build and the type check).
 */
const BESIDE_SUITES = ['API reports', 'deps', 'client types'];
const MODES = {
  all: ALL,
  lint: LINT,
  // The build on one core; on the other the type check (tsgo: seconds), then the lint and the
  // formatting, in the time the build leaves it.
  build: ALL.filter((t) => !BESIDE_SUITES.includes(t.name)),
  rest: ALL.filter((t) => BESIDE_SUITES.includes(t.name)).map((t) => ({ ...t, after: undefined })),
};

const mode = process.argv[2] ?? 'all';
if (!Object.hasOwn(MODES, mode)) {
  console.error(`usage: node tools/checks.mjs [lint|build|rest]  (got ${mode})`);
  process.exit(2);
}
const tasks = MODES[mode];
const slots = Math.max(2, availableParallelism());
const niceness = getPriority();

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
let stopping = false;
stopChildrenOnSignals(running, () => (stopping = true));

/** Runs one command; resolves with its exit code and its output (stdout and stderr in order). */
function run(argv) {
  return runChild(argv, {
    cwd: ROOT,
    running,
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
    // Started at a low priority (`npm test` runs the checks beside the tests): so are its tasks,
    // each in a session of its own.
    nice: niceness,
  });
}

/** @type {Map<string, 'passed' | 'failed'>} */
const results = new Map();

async function runTask(task) {
  const started = Date.now();
  let output = '';
  let ok = true;
  for (const step of task.steps) {
    if (stopping) {
      ok = false;
      break;
    }
    const { code, output: stepOutput } = await run(step);
    output += stepOutput;
    if (code !== 0) {
      ok = false;
      output += `(${step.map((a) => a.replace(ROOT + '/', '')).join(' ')} exited ${code})\n`;
      break;
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.set(task.name, ok ? 'passed' : 'failed');
  console.log(`\n── ${task.name}: ${ok ? 'passed' : 'FAILED'} in ${seconds} s`);
  if (output.trim()) console.log(output.trimEnd());
}

const started = Date.now();
const pending = [...tasks];
const active = new Set();
while ((pending.length > 0 && !stopping) || active.size > 0) {
  const ready = pending.filter((t) => (t.after ?? []).every((name) => results.has(name)));
  while (active.size < slots && ready.length > 0 && !stopping) {
    const task = ready.shift();
    pending.splice(pending.indexOf(task), 1);
    const blocked = (task.after ?? []).filter((name) => results.get(name) !== 'passed');
    if (blocked.length > 0) {
      results.set(task.name, 'failed');
      console.log(`\n── ${task.name}: not run (${blocked.join(', ')} failed)`);
      continue;
    }
    const promise = runTask(task).then(() => active.delete(promise));
    active.add(promise);
  }
  if (active.size > 0) await Promise.race(active);
  else if (pending.length > 0 && ready.length === 0) break; // unreachable: every `after` exists
}
for (const task of pending) {
  results.set(task.name, 'failed');
  console.log(`\n── ${task.name}: not run (stopped)`);
}

const failed = [...results].filter(([, r]) => r === 'failed').map(([name]) => name);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed.length > 0 || stopping) {
  console.log(`\nchecks: ${failed.length} failed (${failed.join(', ')}) in ${seconds} s`);
  process.exitCode = process.exitCode || 1;
} else {
  console.log(`\nchecks: ${results.size} passed in ${seconds} s`);
}
