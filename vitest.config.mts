import { defineConfig } from 'vitest/config';

const ALL = [
  'test/**/*.test.ts',
  'shared/**/*.test.ts',
  'functions/**/*.test.ts',
  'scripts/**/*.test.ts',
];

/** Suites that need no Firestore emulator: `npm run test:unit` runs them in seconds. */
const UNIT = [
  'test/config.test.ts',
  'test/params.test.ts',
  'test/router.test.ts',
  'test/proto-check.test.ts',
  'test/lazy.test.ts',
  'test/http-client.test.ts',
  'test/readme.test.ts',
  'test/job-type-compile.test.ts',
  'test/workflows.test.ts',
  'test/shell-scripts.test.ts',
  'test/render.test.ts',
  'test/context.test.ts',
  'test/messages.test.ts',
  'test/agent-format.test.ts',
  'test/dialogflow-stand-in.test.ts',
  'test/logger.test.ts',
  'test/verdict.test.ts',
  'test/smtp-sink.test.ts',
  'test/id-token-verifier.test.ts',
  'test/strict-webhook.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ALL,
          exclude: UNIT,
          // One Firestore emulator for the run (test/global-setup.ts), reset between tests.
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
