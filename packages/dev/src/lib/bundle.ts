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
 * beside it (`<target>.meta.json`).
 */
import { build, type Plugin } from 'esbuild';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
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

/**
 * Bundles each function of the project built in `dir` (tsc's output in dist/) into
 * dist/bundle/<target>.js with its metafile, then writes dist/main.js. Returns the bundles'
 * paths.
 */
export async function bundleFunctions(dir: string): Promise<string[]> {
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
  for (const target of FUNCTION_TARGETS) {
    const outfile = join(out, `${target}.js`);
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
    replaceFile(join(out, `${target}.meta.json`), JSON.stringify(result.metafile));
    bundles.push(outfile);
  }
  // What an earlier build left that this one did not write (a function no longer there).
  const written = new Set(
    FUNCTION_TARGETS.flatMap((t) => [`${t}.js`, `${t}.js.map`, `${t}.meta.json`]),
  );
  for (const file of readdirSync(out)) {
    if (!written.has(file) && !file.endsWith('.tmp'))
      rmSync(join(out, file), { recursive: true, force: true });
  }
  replaceFile(join(dist, MAIN), mainSource(FUNCTION_TARGETS));
  return bundles;
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
