'use strict';
/*
 * The generator: a new project from a template (minimal, or the restaurant example), for one or
 * both Dialogflow editions. Plain Node (no build): what `npm create dialogflow-functions` runs,
 * and what the repository's `npm run scaffold` runs with the packed tarballs instead of the
 * registry.
 */
const {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { basename, join, relative, resolve, sep } = require('node:path');

const ROOT = join(__dirname, '..');
const TEMPLATES = ['minimal', 'restaurant'];
const EDITIONS = ['es', 'cx', 'both'];

/** The framework's packages a project depends on (`cloud-tasks-emulator` comes with dev). */
const PACKAGES = {
  core: '@dialogflow-functions/core',
  testing: '@dialogflow-functions/testing',
  dev: '@dialogflow-functions/dev',
  tasks: 'cloud-tasks-emulator',
};

/** Where a project's `npm test` keeps its type check's state (incremental `tsc --noEmit`). */
const TYPECHECK_STATE = 'node_modules/.cache/tsc/typecheck.tsbuildinfo';

/** Versions of the other packages a project names (the same ranges the framework uses). */
const VERSIONS = {
  zod: '^4.6.7',
  mysql2: '^3.24.6',
  typescript: '~5.9',
  vitest: '~4.1',
  '@types/node': '^20.19.43',
};

/** What the restaurant template takes from examples/restaurant (copied into the package at pack time). */
const RESTAURANT_FILES = [
  'bot.ts',
  'index.ts',
  'src',
  'local',
  'agent',
  'conversations',
  'test/config.test.ts',
  'test/http-client.test.ts',
];

/** This package's version: the framework release it makes projects for. */
function frameworkVersion() {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
}

/** The restaurant's files: packed into templates/restaurant, else the repository's example. */
function restaurantDir() {
  const packed = join(ROOT, 'templates', 'restaurant');
  if (existsSync(join(packed, 'bot.ts'))) return packed;
  const repo = join(ROOT, '..', '..', 'examples', 'restaurant');
  if (existsSync(join(repo, 'bot.ts'))) return repo;
  throw new Error('the restaurant template is missing from this package');
}

/** A valid npm package name from the folder's name. */
function packageName(dir) {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'my-bot';
}

/** Template files named `_x` are dotfiles (npm pack would drop or rename a real `.gitignore`). */
function targetName(name) {
  return name.startsWith('_') ? `.${name.slice(1)}` : name;
}

const TEXT = /\.(ts|mts|js|json|md|ya?ml)$|^_?git|^_?gcloud/;

function copyTree(from, to, vars, skip = () => false) {
  for (const entry of readdirSync(from).sort()) {
    const src = join(from, entry);
    const dest = join(to, targetName(entry));
    if (skip(src)) continue;
    if (statSync(src).isDirectory()) {
      mkdirSync(dest, { recursive: true });
      copyTree(src, dest, vars, skip);
    } else if (TEXT.test(entry)) {
      const text = readFileSync(src, 'utf8').replace(/\{\{(\w+)\}\}/g, (m, key) =>
        Object.prototype.hasOwnProperty.call(vars, key) ? vars[key] : m,
      );
      writeFileSync(dest, text);
    } else {
      cpSync(src, dest);
    }
  }
}

function packageJson({ name, template, edition, packs }) {
  const version = frameworkVersion();
  const spec = (pkg) => (packs ? `file:${packs[pkg]}` : `^${version}`);
  const converse = edition === 'both' ? 'dff converse' : `dff converse --edition ${edition}`;
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    description: `A Dialogflow fulfillment bot on @dialogflow-functions/core (${template} template).`,
    // Written by `dff build`: loads the bundle of the function served (dist/bundle/<target>.js).
    main: 'dist/main.js',
    engines: { node: '>=20' },
    scripts: {
      start: 'exec dff start',
      dev: 'exec dff dev',
      // The type check keeps its state in node_modules/.cache: a second `npm test` checks only
      // what changed.
      test: `tsc --noEmit -p tsconfig.json --incremental --tsBuildInfoFile ${TYPECHECK_STATE} && vitest run && ${converse}`,
      build: 'dff build',
      'gcp-build':
        'dff build && node node_modules/@dialogflow-functions/core/dist/compile-cache.js dist',
      deploy: 'dff deploy',
      agent: 'dff agent',
      converse: 'dff converse',
      detect: 'dff detect',
      simulate: 'dff simulate',
    },
    dependencies: {
      [PACKAGES.core]: spec(PACKAGES.core),
      ...(template === 'restaurant' ? { mysql2: VERSIONS.mysql2 } : {}),
      zod: VERSIONS.zod,
    },
    devDependencies: {
      [PACKAGES.dev]: spec(PACKAGES.dev),
      [PACKAGES.testing]: spec(PACKAGES.testing),
      '@types/node': VERSIONS['@types/node'],
      typescript: VERSIONS.typescript,
      vitest: VERSIONS.vitest,
    },
  };
  if (packs) {
    // Unreleased packages: each from its tarball, the packages' own dependencies on each other
    // too (overrides follow the project's direct dependencies).
    pkg.devDependencies[PACKAGES.tasks] = spec(PACKAGES.tasks);
    pkg.overrides = Object.fromEntries(Object.values(PACKAGES).map((p) => [p, `$${p}`]));
  }
  return pkg;
}

/**
 * Writes a new project into `dir` (which must not exist or be empty).
 * `packs`: package name → tarball path, to depend on those (`file:`) instead of the registry.
 */
function create({ dir, template = 'minimal', edition = 'both', packs }) {
  if (!TEMPLATES.includes(template)) {
    throw new Error(`--template must be one of ${TEMPLATES.join(', ')} (got ${template})`);
  }
  if (!EDITIONS.includes(edition)) {
    throw new Error(`--edition must be one of ${EDITIONS.join(', ')} (got ${edition})`);
  }
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`${target} is not empty`);
  }
  if (packs) {
    for (const p of Object.values(PACKAGES)) {
      if (!packs[p] || !existsSync(packs[p])) throw new Error(`no tarball for ${p}`);
    }
  }
  mkdirSync(target, { recursive: true });
  const name = packageName(target);
  const vars = {
    name,
    template,
    editionName: { es: 'ES', cx: 'CX', both: 'ES and CX' }[edition],
  };
  copyTree(join(ROOT, 'templates', 'common'), target, vars);
  if (template === 'minimal') {
    copyTree(join(ROOT, 'templates', 'minimal'), target, vars);
  } else {
    const from = restaurantDir();
    for (const file of RESTAURANT_FILES) {
      const src = join(from, file);
      if (statSync(src).isDirectory()) {
        mkdirSync(join(target, file), { recursive: true });
        copyTree(src, join(target, file), vars, (p) => /(^|[\\/])(node_modules|dist)$/.test(p));
      } else {
        mkdirSync(join(target, file, '..'), { recursive: true });
        cpSync(src, join(target, file));
      }
    }
  }
  if (edition !== 'both') {
    rmSync(join(target, 'agent', edition === 'es' ? 'cx' : 'es'), { recursive: true, force: true });
  }
  writeFileSync(
    join(target, 'package.json'),
    `${JSON.stringify(packageJson({ name, template, edition, packs }), null, 2)}\n`,
  );
  return { dir: target, name, files: listFiles(target) };
}

/** Every file of a project, relative and posix (node_modules, dist and .data aside). */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d).sort()) {
      if (['node_modules', 'dist', '.data'].includes(entry)) continue;
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

module.exports = {
  create,
  listFiles,
  packageName,
  frameworkVersion,
  PACKAGES,
  VERSIONS,
  TEMPLATES,
  EDITIONS,
  RESTAURANT_FILES,
};
