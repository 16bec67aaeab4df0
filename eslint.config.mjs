import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      '.data/',
      'test/.compile-fixtures/',
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
    // Dependencies point one way: any import cycle is an error (type-only imports included).
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Repository tooling run by node: the API report, the dependency rules.
    files: ['tools/**/*.mjs', '.dependency-cruiser.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', module: 'writable' },
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
    // The dev console's page script runs in the browser, as a classic script.
    files: ['scripts/dev-console/public/**/*.js'],
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
    files: ['functions/webhook/**/*.ts'],
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
    files: ['functions/worker/**/*.ts'],
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
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/functions/**'], message: 'shared/ never imports functions/' },
            { group: ['**/demo/**', '**/demo'], message: 'shared/ never imports the demo' },
          ],
        },
      ],
    },
  },
);
