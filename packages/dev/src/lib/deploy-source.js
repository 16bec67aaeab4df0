#!/usr/bin/env node
'use strict';
/*
 * What `dff deploy` uploads (gcloud functions deploy --source): the project folder itself when
 * its @dialogflow-functions packages come from the registry; in a workspace (this repository's
 * examples), a staged copy in .data/deploy-source whose package.json points at packed tarballs
 * of those packages (.packs/*.tgz inside the upload), since Cloud Build installs the upload's
 * dependencies and cannot see unreleased workspace packages. Prints the folder to upload.
 *
 * Usage: node deploy-source.js [--dry-run]   (in the project folder)
 * Plain CommonJS: deploy.sh runs it with node, before anything is built or installed.
 */
/* global process */ // (a node global)
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const project = process.cwd();
const dryRun = process.argv.includes('--dry-run');
/** The project's local data: .data/, or DFF_DATA_DIR (a test worker's own, as dataDir() reads it). */
const DATA = process.env.DFF_DATA_DIR
  ? path.relative(project, path.resolve(process.env.DFF_DATA_DIR))
  : '.data';
const STAGE = path.join(DATA, 'deploy-source');
/** Never uploaded (besides what .gcloudignore leaves out in the upload itself). */
const SKIP = new Set(['node_modules', '.data', 'dist', 'coverage', '.git', '.packs', 'test']);

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The folder of a dependency when it is a workspace package (a symlink out of node_modules). */
function workspaceDir(name, from) {
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`, { paths: [from] });
  } catch {
    return undefined;
  }
  const real = fs.realpathSync(path.dirname(manifest));
  return real.split(path.sep).includes('node_modules') ? undefined : real;
}

/** The workspace packages the project depends on, with theirs, by name. */
function workspacePackages() {
  const found = new Map();
  const visit = (dir) => {
    const pkg = readJson(path.join(dir, 'package.json'));
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      if (found.has(name)) continue;
      const wsDir = workspaceDir(name, dir);
      if (!wsDir) continue;
      found.set(name, wsDir);
      visit(wsDir);
    }
  };
  visit(project);
  return found;
}

/** npm, run by this node (the deploy script may run with a PATH of its own). */
function npm(args) {
  const cli = path.join(
    path.dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'bin',
    'npm-cli.js',
  );
  return fs.existsSync(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
}

function newest(dir) {
  let latest = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else latest = Math.max(latest, fs.statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return latest;
}

function copyProject(from, to) {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyProject(src, dst);
    } else if (e.isFile() && !e.name.endsWith('.test.ts') && !e.name.endsWith('.tsbuildinfo')) {
      fs.copyFileSync(src, dst);
    }
  }
}

/**
 * The tarballs of the workspace packages (name -> dir), by name; a package is packed again only
 * when its files changed since its tarball, all of those by one npm (its start-up is most of a
 * package's packing time).
 */
function packAll(workspace, packs) {
  const tarballs = new Map();
  const stale = [];
  for (const [name, dir] of workspace) {
    const pkg = readJson(path.join(dir, 'package.json'));
    const file = path.join(packs, `${name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
    tarballs.set(name, file);
    if (fs.existsSync(file) && fs.statSync(file).mtimeMs >= newest(dir)) continue;
    if (!fs.existsSync(path.join(dir, 'dist')) && pkg.main && pkg.main.includes('dist')) {
      throw new Error(`${name} is not built: run npm run build first`);
    }
    stale.push({ name, dir, file });
  }
  if (stale.length === 0) return tarballs;
  // Packed into a folder of this process's own, then each renamed into place whole: another
  // deploy (a test beside this one) may be packing or copying the same tarball at the same time.
  const tmp = fs.mkdtempSync(path.join(packs, '.pack-'));
  try {
    const out = execFileSync(
      ...npm([
        'pack',
        '--json',
        '--workspaces=false',
        '--pack-destination',
        tmp,
        ...stale.map((s) => s.dir),
      ]),
      { cwd: packs, encoding: 'utf8' },
    );
    const results = JSON.parse(out);
    for (const [i, { name, file }] of stale.entries()) {
      if (results[i]?.name !== name)
        throw new Error(`npm pack reported ${results[i]?.name} for ${name}`);
      fs.renameSync(path.join(tmp, results[i].filename), file);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return tarballs;
}

/** Puts the folder `fresh` in the place of `dir`, whole (another deploy may stage it at once). */
function replaceDir(fresh, dir) {
  for (let attempt = 1; ; attempt += 1) {
    const old = `${dir}.old-${process.pid}-${attempt}`;
    try {
      fs.renameSync(dir, old);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    try {
      fs.renameSync(fresh, dir);
      return;
    } catch (err) {
      // Another one's copy came in between: move it aside too, and try again.
      if (!['ENOTEMPTY', 'EEXIST'].includes(err.code) || attempt === 5) throw err;
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  }
}

/** The project's tsconfig without the workspace's references and base (the upload has neither). */
function standaloneTsconfig(stage) {
  for (const name of ['tsconfig.build.json', 'tsconfig.json']) {
    const file = path.join(stage, name);
    if (!fs.existsSync(file)) continue;
    const ts = require(require.resolve('typescript', { paths: [project, __dirname] }));
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.join(project, name),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => undefined,
      },
    );
    const raw = readJson(path.join(project, name));
    const options = ts.convertToTSConfig(parsed, path.join(project, name), ts.sys).compilerOptions;
    for (const key of [
      'composite',
      'incremental',
      'tsBuildInfoFile',
      'customConditions',
      'configFilePath',
    ]) {
      delete options[key];
    }
    options.outDir = 'dist';
    options.rootDir = '.';
    options.skipLibCheck = true;
    const include = (raw.include ?? ['index.ts', 'bot.ts', 'src']).filter(
      (p) => p !== 'test' && !p.startsWith('test/'),
    );
    fs.writeFileSync(
      file,
      `${JSON.stringify({ compilerOptions: options, include, exclude: ['**/*.test.ts', 'dist', 'node_modules'] }, null, 2)}\n`,
    );
  }
}

function main() {
  const workspace = workspacePackages();
  if (workspace.size === 0) {
    process.stdout.write('.\n');
    return;
  }
  if (dryRun) {
    process.stdout.write(`${STAGE}\n`);
    return;
  }
  const packs = path.join(project, DATA, 'deploy-packs');
  fs.mkdirSync(packs, { recursive: true });
  const tarballs = packAll(workspace, packs);
  // Staged beside its place, then moved there whole (another deploy may stage it at once).
  const stage = `${path.join(project, STAGE)}.tmp-${process.pid}`;
  try {
    staged(stage, tarballs);
    replaceDir(stage, path.join(project, STAGE));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  process.stdout.write(`${STAGE}\n`);
}

/** Writes the upload into `stage`: the project's files, its tarballs, package.json, tsconfig. */
function staged(stage, tarballs) {
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(path.join(stage, '.packs'), { recursive: true });
  copyProject(project, stage);
  const pkg = readJson(path.join(project, 'package.json'));
  const rootPkg = (() => {
    try {
      return readJson(path.join(project, '..', '..', 'package.json'));
    } catch {
      return {};
    }
  })();
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      const tarball = tarballs.get(name);
      if (!tarball) continue;
      fs.copyFileSync(tarball, path.join(stage, '.packs', path.basename(tarball)));
      pkg[field][name] = `file:.packs/${path.basename(tarball)}`;
    }
  }
  // The packages' own workspace dependencies resolve to the same tarballs.
  pkg.overrides = Object.fromEntries(
    [...tarballs].map(([name, tarball]) => {
      fs.copyFileSync(tarball, path.join(stage, '.packs', path.basename(tarball)));
      return [name, `file:.packs/${path.basename(tarball)}`];
    }),
  );
  // The build tools the workspace root provides.
  pkg.devDependencies = { ...pkg.devDependencies };
  for (const tool of ['typescript', '@types/node']) {
    const version = rootPkg.devDependencies?.[tool];
    if (version && !pkg.dependencies?.[tool]) pkg.devDependencies[tool] ??= version;
  }
  // Cloud Build runs gcp-build with the devDependencies installed: dff (the packed dev
  // package) builds and bundles each function as `dff build` does here.
  pkg.scripts = {
    ...pkg.scripts,
    'gcp-build':
      pkg.scripts?.['gcp-build'] ??
      (tarballs.has('@dialogflow-functions/dev')
        ? 'dff build && node node_modules/@dialogflow-functions/core/dist/compile-cache.js dist'
        : 'tsc -p tsconfig.build.json'),
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  standaloneTsconfig(stage);
}

try {
  main();
} catch (err) {
  process.stderr.write(`deploy source: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
