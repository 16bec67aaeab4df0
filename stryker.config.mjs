// @ts-check
/**
 * Mutation testing of the core's conversation, jobs, deadline and auth modules:
 * `npm run test:mutation` (slow: not part of `npm test` or CI). The score per module is in
 * docs/mutation-testing.md. Runs in place (the workspace packages resolve to their sources
 * through symlinks a sandbox copy would not follow); Stryker restores every file when it ends.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.mts', related: false },
  inPlace: true,
  // Vitest does not type-check: no `// @ts-nocheck` in files Stryker does not mutate.
  disableTypeChecks: false,
  mutate: [
    'packages/core/src/conversation/**/*.ts',
    'packages/core/src/jobs/**/*.ts',
    'packages/core/src/deadline/**/*.ts',
    'packages/core/src/auth/**/*.ts',
    // Re-exports and types only: nothing to mutate.
    '!packages/core/src/{conversation,jobs,deadline}/index.ts',
    '!packages/core/src/conversation/context-types.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10_000,
  ignoreStatic: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
};
