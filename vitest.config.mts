import { join, relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/*
 * Every workspace's tests, in one run. Workspace packages resolve to their TypeScript sources
 * (the `dff-source` export condition), so a test sees the code as it is, without a build; the
 * tests that run the built functions (functions-framework on examples/restaurant) need
 * `npm run build` first, which `npm test` does.
 */

const ALL = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'];

/** Suites that need neither the Firestore emulator nor the build (`npm run test:unit`: seconds). */
const UNIT = [
  'examples/restaurant/test/config.test.ts',
  'packages/core/test/bot-config.test.ts',
  'packages/core/test/params.test.ts',
  'packages/core/test/router.test.ts',
  'packages/testing/test/proto-check.test.ts',
  'packages/core/test/lazy.test.ts',
  'examples/restaurant/test/http-client.test.ts',
  'test/readme.test.ts',
  'examples/restaurant/test/job-type-compile.test.ts',
  'examples/restaurant/test/render.test.ts',
  'packages/core/test/context.test.ts',
  'packages/core/test/messages.test.ts',
  'packages/dev/test/agent-format.test.ts',
  'examples/restaurant/test/dialogflow-stand-in.test.ts',
  'packages/core/test/logger.test.ts',
  'packages/core/test/verdict.test.ts',
  'packages/core/test/deadline.test.ts',
  'packages/core/test/lag.test.ts',
  'packages/core/test/auth.test.ts',
  'packages/core/test/params-rules.test.ts',
  'packages/core/test/turn-rules.test.ts',
  'packages/core/test/render-golden.test.ts',
  'packages/dev/test/smtp-sink.test.ts',
  'examples/restaurant/test/id-token-verifier.test.ts',
  'examples/restaurant/test/strict-webhook.test.ts',
  'examples/restaurant/test/stand-in-why.test.ts',
  'packages/dev/test/agent-evaluate.test.ts',
  'packages/dev/test/agent-exports.test.ts',
  'packages/dev/test/detect-unanswered.test.ts',
  'packages/dev/test/zh-dictionary.test.ts',
  'packages/create/test/create.test.ts',
  'packages/dev/test/workspace-build.test.ts',
];

/**
 * Suites of the shell scripts (deploy.sh and setup-ci.sh against a recording gcloud stand-in,
 * shellcheck, the CI workflows): no emulator, and no clock in any verdict, not even a budget of
 * the code under test; deploy.sh stages the built packages (`npm run build` first). `npm test`
 * runs them at the lowest CPU priority in the CPU the `quiet` suites leave (tools/test.mjs):
 * starved for seconds there, they still pass.
 */
const SCRIPTS = [
  'packages/dev/test/deploy.test.ts',
  'packages/dev/test/setup-ci.test.ts',
  'test/shell-scripts.test.ts',
  'test/workflows.test.ts',
];

/**
 * Suites whose verdicts hang on a real deadline of a second or two (the webhook's budget under
 * a slow or frozen backend, tries racing their deadline) or that need a core to themselves:
 * they run last, with nothing else running, at most two at a time (one per core: these files
 * mostly wait, on a frozen or hanging backend; their tests took 27.5-27.8 s in pairs against 25.8 s
 * one by one, and the project 20 s against 32 s), so a busy CPU cannot decide them (the `quiet`
 * project).
 */
const QUIET = [
  // Real sub-second budgets against a backend that is down or hangs (Firestore, the weather API,
  // MySQL stopped or its pool exhausted): a starved CPU would decide them instead.
  'examples/restaurant/test/backends-faults.test.ts',
  'examples/restaurant/test/inventory-faults.test.ts',
  // Freezes Firestore (SIGSTOP) and races the webhook's first write against it.
  'examples/restaurant/test/frozen-firestore.test.ts',
  // Starved of CPU by the parallel files on a busy 2-core machine (seen in two runs): the
  // chat function's and the webhook's deadlines in a chain of real services.
  'examples/restaurant/test/chat.test.ts',
  'examples/restaurant/test/dev-console.test.ts',
];

/**
 * The files that take longest (each starts whole processes: npm installs, a stack, deploy runs),
 * longest first. They start before the others of their project, so that none is left running
 * alone at the end of the run. Vitest orders a run's files by the durations it cached from the
 * last run, but a fresh clone (CI) has no cache and would start them in the globs' order.
 * Between them, the files that mostly wait (on real retries, backoffs and races: a few seconds
 * each on little CPU), so that their waits overlap the long files' CPU rather than leave a core
 * idle at the end of the run (idle CPU in the run alone: 10.7-11.7 core-seconds -> 8.1).
 */
const LONGEST_FIRST = [
  'packages/create/test/scaffold-minimal.test.ts',
  'examples/restaurant/test/stack.test.ts',
  'examples/restaurant/test/conversations.test.ts',
  'examples/restaurant/test/deploy-upload.test.ts',
  // Waiting files: interleaved from here on.
  'examples/restaurant/test/defer-race.test.ts',
  'packages/create/test/scaffold-restaurant.test.ts',
  'examples/restaurant/test/jobs.test.ts',
  'packages/create/test/start-stop.test.ts',
  'examples/restaurant/test/job-types.test.ts',
  'examples/restaurant/test/browser.test.ts',
  'packages/dev/test/tasks-emulator.test.ts',
  'packages/dev/test/add.test.ts',
  'examples/restaurant/test/backends.test.ts',
  // Long for their CPU (training processes, an emulator's start and stop): last, they left a
  // core idle at the end of the run.
  'packages/dev/test/stand-in-model-cache.test.ts',
  'packages/testing/test/firestore-emulator.test.ts',
];

/** Vitest's own order, then the files of LONGEST_FIRST moved to the front of their project. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const groups = new Map<string, TestSpecification[]>();
    for (const spec of await super.sort(files)) {
      const key = `${spec.project.config.sequence.groupOrder} ${spec.project.name}`;
      groups.set(key, [...(groups.get(key) ?? []), spec]);
    }
    const rank = (spec: TestSpecification) => {
      const at = LONGEST_FIRST.indexOf(relative(__dirname, spec.moduleId));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Array.prototype.sort is stable: unlisted files keep vitest's order.
    return [...groups.values()].flatMap((group) => group.sort((a, b) => rank(a) - rank(b)));
  }
}

const conditions = ['dff-source', 'node', 'require', 'default'];

/** What every project that talks to the Firestore emulator needs (one emulator for the run). */
const firestore = {
  // Files run in parallel: each worker has its own Firestore project (reset between tests),
  // data folder and port range (the setup file; docs/testing.md, "Parallel-safe tests").
  globalSetup: ['packages/testing/src/global-setup.ts'],
  setupFiles: ['packages/testing/src/setup.ts', 'test/support/fresh-firestore.ts'],
};

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['dff-source'] } },
  test: {
    testTimeout: 30_000,
    sequence: { sequencer: LongestFirst },
    // Most of a test's time is spent waiting on the processes it starts (emulators, functions,
    // npm): more files at once than cores (3 on 2 cores: more starved the CPU-bound unit suites
    // when the machine was busy). At most 6 (freeStackPort's ranges).
    maxWorkers: Number(process.env.DFF_TEST_WORKERS) || 3,
    hookTimeout: 90_000,
    // The project dff commands and the local stack work on: the example bot.
    env: { DFF_PROJECT_DIR: join(__dirname, 'examples', 'restaurant') },
    projects: [
      // The unit files share their workers' module graphs (no per-file isolation): they hold no
      // process-wide state between files, and a fresh graph per file cost ~20 % of their CPU.
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      { extends: true, test: { name: 'scripts', include: SCRIPTS, isolate: false } },
      {
        extends: true,
        test: {
          name: 'integration',
          // Like the unit files: a worker's files share one module graph (the Google clients,
          // gRPC and the test kit load once per worker, not once per file), and so the worker's
          // Firestore project and data folder: each file starts on an emptied project
          // (test/support/fresh-firestore.ts), and none leaves process-wide state behind (the
          // env they change they put back). 48 files: 160 s -> 140 s, 300 -> 263 CPU-s.
          isolate: false,
          include: ALL,
          exclude: [...UNIT, ...SCRIPTS, ...QUIET, '**/node_modules/**'],
          ...firestore,
        },
      },
      {
        extends: true,
        test: {
          name: 'quiet',
          include: QUIET,
          ...firestore,
          // One per core, nothing else (see QUIET).
          maxWorkers: 2,
          // As `integration` (same setup files): a worker's files share one module graph. Alone
          // on a quiet machine: 20 s -> 15 s.
          isolate: false,
          // After the others (groups run in order), alone.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
