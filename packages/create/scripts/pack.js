'use strict';
/*
 * `npm run pack` (at the repository's root): builds, then writes a tarball of every published
 * package to .packs/, and checks each is whole: README, LICENSE, CHANGELOG, and every file its
 * `exports`, `main`, `types` and `bin` name.
 *   --out DIR        another folder than .packs/
 *   --no-build       the packages are built already
 *   --version X.Y.Z  pack copies of the packages at this version (their dependencies on each
 *                    other too): what the upgrade test installs as the next release
 */
const { spawnSync } = require('node:child_process');
const {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = join(__dirname, '..', '..', '..');
/** The published packages, in dependency order. */
const PUBLISHED = ['cloud-tasks-emulator', 'core', 'testing', 'dev', 'create'];
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The tarball npm pack names for a package. */
function tarballName(name, version) {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** Every path a package.json promises (exports targets but the `dff-source` ones, main, types, bin). */
function promisedFiles(pkg) {
  const out = new Set();
  const add = (p) => typeof p === 'string' && !p.includes('*') && out.add(p.replace(/^\.\//, ''));
  const walk = (value, key) => {
    if (key === 'dff-source') return;
    if (typeof value === 'string') add(value);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(pkg.exports);
  add(pkg.main);
  add(pkg.types);
  walk(typeof pkg.bin === 'string' ? { bin: pkg.bin } : pkg.bin);
  return [...out];
}

/** What is wrong with a packed package (empty when nothing). */
function problems(pkg, files) {
  const have = new Set(files);
  const wrong = [];
  for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (!have.has(f)) wrong.push(`${f} is not in the tarball`);
  }
  for (const f of promisedFiles(pkg))
    if (!have.has(f)) wrong.push(`${f} (package.json) is not in the tarball`);
  if (pkg.license !== 'Apache-2.0') wrong.push(`license is ${pkg.license}, not Apache-2.0`);
  if (!/^0\.\d+\.\d+/.test(pkg.version)) wrong.push(`version ${pkg.version} is not 0.x`);
  for (const f of files) {
    if (f.startsWith('templates/')) continue; // a new project's own tests
    if (/(^|\/)(test|node_modules)\/|\.test\.[jt]s$|\.tsbuildinfo$/.test(f))
      wrong.push(`${f} should not be packed`);
  }
  return wrong;
}

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** A copy of a package at another version (its dependencies on the other packages follow). */
function bumpedCopy(dir, version, names, into) {
  const copy = join(into, readdirSync(into).length.toString());
  cpSync(dir, copy, { recursive: true, filter: (src) => !/[\\/]node_modules$/.test(src) });
  const file = join(copy, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  pkg.version = version;
  for (const deps of [pkg.dependencies, pkg.devDependencies]) {
    for (const name of Object.keys(deps ?? {})) if (names.includes(name)) deps[name] = version;
  }
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  return copy;
}

/**
 * Packs the published packages into `out`; returns name → tarball path. `version`: pack copies
 * at that version instead (the create package aside: a project does not depend on it).
 */
function packAll({ out = join(ROOT, '.packs'), build = true, version, log = console.log } = {}) {
  out = resolve(out);
  mkdirSync(out, { recursive: true });
  if (build) run(NPM, ['run', 'build'], ROOT);
  const dirs = PUBLISHED.map((p) => join(ROOT, 'packages', p));
  const names = dirs.map((d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name);
  const scratch = version ? mkdtempSync(join(tmpdir(), 'dff-bump-')) : undefined;
  const packs = {};
  const wrong = [];
  try {
    const from = [];
    for (const [i, dir] of dirs.entries()) {
      if (version && names[i] === 'create-dialogflow-functions') continue;
      from.push(version ? bumpedCopy(dir, version, names, scratch) : dir);
    }
    const pkgs = from.map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
    for (const pkg of pkgs) rmSync(join(out, tarballName(pkg.name, pkg.version)), { force: true });
    // One npm for all of them (its start-up is most of a package's packing time): the same
    // tarballs, in the same order, each package's own prepack/postpack scripts run.
    const results = JSON.parse(
      run(NPM, ['pack', '--json', '--workspaces=false', '--pack-destination', out, ...from], ROOT),
    );
    for (const [i, pkg] of pkgs.entries()) {
      const result = results[i];
      if (result?.name !== pkg.name)
        throw new Error(`npm pack reported ${result?.name} for ${pkg.name}`);
      const files = result.files.map((f) => f.path);
      for (const p of problems(pkg, files)) wrong.push(`${pkg.name}: ${p}`);
      packs[pkg.name] = join(out, result.filename);
      log(`${result.filename}: ${files.length} files, ${(result.size / 1024).toFixed(0)} kB`);
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  if (wrong.length) throw new Error(`packages are not whole:\n  ${wrong.join('\n  ')}`);
  return packs;
}

module.exports = { packAll, problems, promisedFiles, tarballName, PUBLISHED, ROOT };

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      version: { type: 'string' },
    },
  });
  try {
    const packs = packAll({ out: values.out, build: !values['no-build'], version: values.version });
    console.log(
      `${Object.keys(packs).length} packages packed into ${resolve(values.out ?? join(ROOT, '.packs'))}`,
    );
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}
