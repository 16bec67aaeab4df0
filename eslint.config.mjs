import js from '@eslint/js';
import vitest from '@vitest/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/',
      '**/node_modules/',
      'coverage/',
      '**/.data/',
      '**/.compile-fixtures/',
      '.packs/',
      'packages/create/templates/**',
      '.cache/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    // Repository tooling run by node: the API report, the dependency rules, core's ES build.
    files: ['tools/**/*.mjs', '.dependency-cruiser.cjs', 'packages/core/scripts/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', module: 'writable' },
    },
  },
  {
    // An expect without a matcher checks nothing, and a test must assert something.
    // (The browser suites are modules that browser.test.ts runs.)
    files: ['**/*.test.ts', 'examples/restaurant/test/browser/*.ts'],
    plugins: { vitest },
    rules: {
      // vitest's expect takes a message as its second argument.
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      'vitest/expect-expect': [
        'error',
        // The project's own assertion helpers (they throw or call expect themselves).
        { assertFunctionNames: ['expect', 'expect.*', 'assert*'] },
      ],
    },
  },
  {
    // Plain CommonJS fixtures served by functions-framework as they are (scripts/bench/hello).
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // create-dialogflow-functions: plain Node scripts (no build), run as they are.
    files: ['packages/create/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The dev console's page script runs in the browser, as a classic script.
    files: ['packages/dev/src/dev-console/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'navigator',
          'location',
          'localStorage',
          'sessionStorage',
          'fetch',
          'EventSource',
          'URL',
          'URLSearchParams',
          'Intl',
          'crypto',
          'Node',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['packages/core/src/webhook/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/worker', '**/worker/**'], message: 'no function imports another' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/core/src/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/webhook', '**/webhook/**'], message: 'no function imports another' },
          ],
        },
      ],
    },
  },
  {
    // The framework never reaches the tooling, the test kit or a bot.
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@dialogflow-functions/testing',
                '@dialogflow-functions/testing/*',
                '@dialogflow-functions/dev',
                '@dialogflow-functions/dev/*',
                '@dialogflow-functions/example-*',
              ],
              message: 'core never imports the test kit, the tooling or a bot',
            },
          ],
        },
      ],
    },
  },
  {
    // A bot reaches the packages by their names only.
    files: ['examples/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/packages/**'], message: 'import the package by its name' }] },
      ],
    },
  },
  {
    // The emulator stands alone: it needs nothing of the rest.
    files: ['packages/cloud-tasks-emulator/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@dialogflow-functions/*'], message: 'cloud-tasks-emulator stands alone' },
          ],
        },
      ],
    },
  },
);
