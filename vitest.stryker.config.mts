import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/*
 * The tests Stryker runs against each mutant of the core's conversation, jobs, deadline and
 * auth modules (`npm run test:mutation`, see stryker.config.mjs): those that exercise these
 * modules in the test process. Not part of `npm test`.
 */

const conditions = ['dff-source', 'node', 'require', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['dff-source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    env: { DFF_PROJECT_DIR: join(__dirname, 'examples', 'restaurant') },
    include: [
      'packages/core/test/context.test.ts',
      'packages/core/test/params.test.ts',
      'packages/core/test/router.test.ts',
      'packages/core/test/verdict.test.ts',
      'packages/core/test/deadline.test.ts',
      'packages/core/test/lag.test.ts',
      'packages/core/test/auth.test.ts',
      'packages/core/test/jobs-core.test.ts',
      'packages/core/test/defer.test.ts',
      'packages/core/test/render-golden.test.ts',
      'packages/core/test/params-rules.test.ts',
      'packages/core/test/turn-rules.test.ts',
      'examples/restaurant/test/render.test.ts',
      'examples/restaurant/test/id-token-verifier.test.ts',
    ],
    // One Firestore emulator per Stryker test runner (the deferral's tests write to it).
    globalSetup: ['packages/testing/src/global-setup.ts'],
    fileParallelism: false,
  },
});
