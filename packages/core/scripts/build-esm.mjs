#!/usr/bin/env node
/**
 * Core's ES build for bundlers (`dist/esm`, the `module` condition of its exports, which `dff
 * build` bundles from): each source file transpiled on its own by esbuild, with source maps.
 *
 * The types come from the CommonJS build (`tsc -b`, the `types` condition), and the type check
 * of these very sources is `npm run typecheck`'s: a second TypeScript program for the same
 * files (what tsconfig.esm.json was) cost 6 CPU-s of every build and checked nothing new.
 *
 * Only the files whose output changed are written, each whole (renamed into place), so a
 * bundler reading dist/esm meanwhile never reads half a file.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CORE = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(CORE, 'src');
const OUT = join(CORE, 'dist', 'esm');
/** Node-only: reads and writes V8's compile cache at start, never bundled. */
const NOT_IN_ESM = new Set(['compile-cache.ts']);

/** The sources under `dir` (not tests, not declarations). */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    const name = relative(SRC, path);
    const keep =
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !entry.name.endsWith('.test.ts') &&
      !NOT_IN_ESM.has(name);
    return keep ? [path] : [];
  });
}

const result = await build({
  entryPoints: sources(SRC),
  outbase: SRC,
  outdir: OUT,
  format: 'esm',
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  // Each file as it is: its imports stay imports (the bundler that takes this build resolves them).
  bundle: false,
  tsconfig: join(CORE, 'tsconfig.build.json'),
  write: false,
  logLevel: 'warning',
  // The lazy `require(...)`s of serve.ts and firestore/load.ts stay as they are, as tsc left them:
  // the bundler resolves them (Node's CommonJS entry is dist/, not this build).
  logOverride: { 'unsupported-require-call': 'silent' },
});

let written = 0;
for (const file of result.outputFiles) {
  let current;
  try {
    current = readFileSync(file.path);
  } catch {
    current = undefined;
  }
  if (current?.equals(file.contents)) continue;
  mkdirSync(dirname(file.path), { recursive: true });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
  written++;
}
console.log(`core ES build: ${result.outputFiles.length / 2} modules, ${written} file(s) written`);
