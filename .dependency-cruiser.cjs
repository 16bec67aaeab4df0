/**
 * Module boundaries, checked by `npm run lint` (`npm run deps`). Type-only imports count
 * (tsPreCompilationDeps): a cycle through `import type` is still a cycle.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Dependencies point one way: no import cycle, type-only imports included.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-by-name-only',
      severity: 'error',
      comment:
        'A package reaches another only through its package name (its exports map), never a relative path into it.',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/', pathNot: '^packages/$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'core-is-the-runtime',
      severity: 'error',
      comment:
        "Core's code never imports the test kit, the dev tooling or an example (they depend on core, not the other way).",
      from: { path: '^packages/core/src/' },
      to: { path: '^(packages/(testing|dev|create)/|examples/)' },
    },
    {
      name: 'examples-by-package-name',
      severity: 'error',
      comment:
        'An example is what a user writes: it reaches the packages only through their package names.',
      from: { path: '^examples/' },
      to: { path: '^packages/', dependencyTypes: ['local'] },
    },
    {
      name: 'no-reaching-into-examples',
      severity: 'error',
      comment: 'No package depends on an example.',
      from: { path: '^packages/' },
      to: { path: '^examples/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // Not what the tests write while they run (.data/, the restaurant copied into create's
    // templates by its pack): depcruise lists files before it reads them.
    exclude: {
      path: '(^|/)(node_modules|dist|\\.data|\\.compile-fixtures[^/]*)/|^packages/create/templates/restaurant/',
    },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['dff-source', 'types', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['types', 'main'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
