import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/*
 * Every workspace's tests, in one run. Workspace packages resolve to their TypeScript sources
 * (the `dff-source` export condition), so a test sees the code as it is, without a build; the
 * tests that run the built functions (functions-framework on examples/restaurant) need
 * `npm run build` first, which `npm test` does.
 */

const ALL = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'];

/** Suites that need no Firestore emulator: `npm run test:unit` runs them in seconds. */
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
  'test/workflows.test.ts',
  'test/shell-scripts.test.ts',
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
  'examples/restaurant/test/stand-in-nlu.test.ts',
  'examples/restaurant/test/stand-in-why.test.ts',
  'packages/dev/test/agent-evaluate.test.ts',
  'packages/dev/test/agent-exports.test.ts',
  'packages/dev/test/detect-unanswered.test.ts',
  'examples/restaurant/test/chat.test.ts',
  'packages/create/test/create.test.ts',
];

const conditions = ['dff-source', 'node', 'require', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['dff-source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    // The project dff commands and the local stack work on: the example bot.
    env: { DFF_PROJECT_DIR: join(__dirname, 'examples', 'restaurant') },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ALL,
          exclude: [...UNIT, '**/node_modules/**'],
          // One Firestore emulator for the run, reset between tests.
          globalSetup: ['packages/testing/src/global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
