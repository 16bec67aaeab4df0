/*
 * `dff build`, after tsc: each function as one file, dist/bundle/<target>.js, and the entry
 * that loads it (dist/main.js, the project's package.json `main`). A cold start then reads
 * and compiles one file instead of resolving and reading the project's modules, the
 * framework's and zod's; with Node's compile cache (core's compile-cache.ts, filled by
 * `gcp-build`) it is not even compiled again (docs/performance.md).
 *
 * Each bundle starts from the project's TypeScript entry (index.ts; tsc's dist/index.js when
 * there is none) and takes @dialogflow-functions/core as ES modules (its `module` export
 * condition: dist/esm) and zod's ES build, so esbuild keeps only what the function reaches:
 * whole modules of core left out (core declares no side effects), and of zod the schema
 * kinds used (zod's ~370 KB of locales are reached only through `import { z } from 'zod'`,
 * which is why core and the restaurant import `* as z`).
 *
 * Inlined: the project's code, core and zod. Left to node_modules: every other package (the
 * Google clients, loaded lazily on first use; functions-framework, whose registry the function
 * joins; nodemailer, mysql2, ...) and core's compile-cache module, which the entry loads before
 * the bundle and which names the cache's folder. Each bundle is built with its target as a
 * constant (`process.env.DFF_BUNDLED_TARGET`, read by core's serve.ts and by the bot where a
 * part is one function's only), so it holds that function's code only; its inputs are written
 * beside it (`<target>.meta.json`). A bundle whose inputs, settings and files are as its
 * `<target>.stamp` records them (content hashes) is up to date and not built again: `npm start`
 * after `npm run build` bundles nothing, `npm start` after an edit bundles what the edit reaches.
 */
import { build, version as esbuildVersion, type Metafile, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const CORE = '@dialogflow-functions/core';

/** tsc's output of the project's entry (index.ts: `serve(bot)`), what each bundle starts from. */
export const TSC_ENTRY = 'index.js';
/** The project's entry as written (`serve(bot)`), what each bundle starts from when present. */
export const SOURCE_ENTRY = 'index.ts';
/** The deployed entry `dff build` writes in dist/ (package.json `main`). */
export const MAIN = 'main.js';

/** Whether a bare import is inlined into the bundles (else it is loaded from node_modules). */
export function isInlined(specifier: string): boolean {
  if (specifier === `${CORE}/compile-cache`) return false;
  return [CORE, 'zod'].some((name) => specifier === name || specifier.startsWith(`${name}/`));
}

/** Every package import except the inlined ones stays a `require` of node_modules. */
const externalPackages: Plugin = {
  name: 'dff-external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      isInlined(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

/** The project's build config, for esbuild's reading of its TypeScript. */
function tsconfigOf(dir: string): { tsconfig?: string } {
  for (const name of ['tsconfig.build.json', 'tsconfig.json']) {
    if (existsSync(join(dir, name))) return { tsconfig: join(dir, name) };
  }
  return {};
}

/**
 * The deployed entry: the bundle of the function this process serves (FUNCTION_TARGET, or
 * functions-framework's `--target`) when there is one, else tsc's output of the project's
 * entry (which, without a target, registers every function).
 */
export function mainSource(targets: readonly string[]): string {
  return `'use strict';
// Written by \`dff build\`: the deployed entry (package.json \`main\`). It loads the bundle of the
// function this process serves (dist/bundle/<target>.js) when there is one, else tsc's output.
require('${CORE}/compile-cache'); // first: what loads after it uses Node's compile cache
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { functionTarget } = require('${CORE}/target');
const target = functionTarget();
const bundle = ${JSON.stringify(targets)}.includes(target)
  ? join(__dirname, 'bundle', target + '.js')
  : undefined;
require(bundle !== undefined && existsSync(bundle) ? bundle : './${TSC_ENTRY}');
`;
}

/** What `bundleFunctions` did: every function's bundle, and the functions it built again. */
export interface Bundled {
  bundles: string[];
  /** The functions whose bundle was out of date (built now); the others were up to date. */
  built: string[];
}

/**
 * Bundles each function of the project built in `dir` (tsc's output in dist/) into
 * dist/bundle/<target>.js with its metafile, unless that bundle is up to date, then writes
 * dist/main.js.
 */
export async function bundleFunctions(
  dir: string,
  /** When the build that checked dist/ began (epoch ms): dist/main.js is given that time. */
  builtSince: number = Date.now(),
): Promise<Bundled> {
  const dist = join(dir, 'dist');
  if (!existsSync(join(dist, TSC_ENTRY))) {
    throw new Error(`no ${join('dist', TSC_ENTRY)}: the project's entry (index.ts) was not built`);
  }
  // The sources (ES modules, so what a function does not reach is dropped); tsc's CommonJS
  // output only for a project without index.ts.
  const source = join(dir, SOURCE_ENTRY);
  const entry = existsSync(source) ? source : join(dist, TSC_ENTRY);
  const out = join(dist, 'bundle');
  mkdirSync(out, { recursive: true });
  // Loaded here, once tsc has built core (in this repository, its dist may not exist before).
  type Targets = typeof import('@dialogflow-functions/core/target');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FUNCTION_TARGETS } = require('@dialogflow-functions/core/target') as Targets;
  const bundles: string[] = [];
  const built: string[] = [];
  const settings = settingsHash(dir, entry);
  // The functions' bundles share most inputs: each file is read and hashed once per build. A
  // file changed after its hash was taken only makes a stamp that does not match next time.
  const inputHashes = new Map<string, string>();
  for (const target of FUNCTION_TARGETS) {
    const outfile = join(out, `${target}.js`);
    bundles.push(outfile);
    const stampFile = join(out, `${target}.stamp`);
    const metaFile = join(out, `${target}.meta.json`);
    const setting = `${settings}\0${target}`;
    const started = Date.now();
    // The last bundle's inputs unchanged (and the bundle as written): nothing to do.
    if (
      existsSync(stampFile) &&
      readFileSync(stampFile, 'utf8') === stamp(dir, out, target, setting, inputHashes)
    ) {
      continue;
    }
    const result = await build({
      entryPoints: [entry],
      outfile,
      write: false,
      absWorkingDir: dir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // `module`: core's ES build (dist/esm). Not the workspace's `dff-source`, which would
      // inline core's sources where a deployed install has only its dist.
      conditions: ['module'],
      ...tsconfigOf(dir),
      plugins: [externalPackages],
      define: { 'process.env.DFF_BUNDLED_TARGET': JSON.stringify(target) },
      minifySyntax: true,
      minifyWhitespace: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
    });
    for (const file of result.outputFiles) replaceFile(file.path, file.contents);
    replaceFile(metaFile, JSON.stringify(result.metafile));
    // What was read (as esbuild read it: a file changed since is stale next time, since its hash
    // then differs) and what was written.
    replaceFile(stampFile, stamp(dir, out, target, setting, inputHashes, started));
    built.push(target);
  }
  // What an earlier build left that this one did not write (a function no longer there).
  const written = new Set(
    FUNCTION_TARGETS.flatMap((t) => [`${t}.js`, `${t}.js.map`, `${t}.meta.json`, `${t}.stamp`]),
  );
  for (const file of readdirSync(out)) {
    if (!written.has(file) && !file.endsWith('.tmp'))
      rmSync(join(out, file), { recursive: true, force: true });
  }
  replaceFile(join(dist, MAIN), mainSource(FUNCTION_TARGETS));
  // The entry is written last: its time says when the last build that found dist/ whole and up
  // to date began (`dff load` builds when a source is newer), also when nothing had to change.
  // The start, not now: a source saved while tsc or esbuild ran is newer, so built again.
  const since = new Date(builtSince);
  utimesSync(join(dist, MAIN), since, since);
  return { bundles, built };
}

/** sha256 of a file's bytes, or of nothing when it cannot be read (so a stamp with it never matches). */
function fileHash(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'unreadable';
  }
}

/**
 * What the bundles depend on besides their inputs' contents and their target: esbuild's version,
 * this module (the options it builds with), the entry, and the files that decide how imports
 * resolve (the project's package.json and tsconfig, the inlined packages' package.json).
 */
function settingsHash(dir: string, entry: string): string {
  const hash = createHash('sha256').update(`${esbuildVersion}\0${entry}\0`);
  hash.update(fileHash(__filename));
  const manifests = [join(dir, 'package.json'), tsconfigOf(dir).tsconfig ?? ''];
  for (const name of [CORE, 'zod']) {
    try {
      manifests.push(require.resolve(`${name}/package.json`, { paths: [dir] }));
    } catch {
      manifests.push(name); // not resolvable from here: a stamp of that fact
    }
  }
  for (const file of manifests) hash.update(`${file}\0${fileHash(file)}\0`);
  return hash.digest('hex');
}

/**
 * The up-to-date stamp of a target's bundle as the files are now: its settings, every input its
 * metafile lists with the hash of its content, and the hash of each file the bundle consists of
 * (a bundle or map changed or removed by hand is built again). Content, not modification times:
 * npm installs packages with one fixed mtime, so a reinstalled core would look unchanged.
 * `since`: when the bundling began (an input saved after it makes a stamp that never matches).
 */
function stamp(
  dir: string,
  out: string,
  target: string,
  setting: string,
  inputHashes: Map<string, string>,
  since = Infinity,
): string {
  const hash = createHash('sha256').update(setting);
  let metafile: Metafile;
  try {
    metafile = JSON.parse(readFileSync(join(out, `${target}.meta.json`), 'utf8')) as Metafile;
  } catch {
    return 'no metafile';
  }
  for (const input of Object.keys(metafile.inputs).sort()) {
    // Saved while esbuild was bundling: what it read may not be what is there now.
    if ((statSync(join(dir, input), { throwIfNoEntry: false })?.mtimeMs ?? 0) >= since) {
      return 'an input changed while bundling';
    }
    let inputHash = inputHashes.get(input);
    if (inputHash === undefined) {
      inputHash = fileHash(join(dir, input));
      inputHashes.set(input, inputHash);
    }
    hash.update(`${input}\0${inputHash}\0`);
  }
  for (const file of [`${target}.js`, `${target}.js.map`, `${target}.meta.json`]) {
    hash.update(`${file}\0${fileHash(join(out, file))}\0`);
  }
  return hash.digest('hex');
}

/**
 * Writes `file` only when its content changes, and then whole at once (a temporary file
 * renamed over it): a function started meanwhile (another `dff start`, a test) never reads a
 * bundle half written or missing.
 */
function replaceFile(file: string, content: string | Uint8Array): void {
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  if (existsSync(file) && readFileSync(file).equals(bytes)) return;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, file);
}
