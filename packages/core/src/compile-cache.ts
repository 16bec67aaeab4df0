/*
 * Node's on-disk compile cache (Node ≥ 22.1, `module.enableCompileCache`): modules loaded after
 * it is enabled are compiled once and their V8 code cache is reused by later processes, which
 * cuts the import cost that dominates a cold start. Loaded first by the deployed entry.
 *
 * The cache lives in this package's folder (node_modules/@dialogflow-functions/core/.compile-cache)
 * so that the project's `gcp-build`, which runs on the same nodejs22 image as the function, fills
 * it once at deploy time (`node node_modules/@dialogflow-functions/core/dist/compile-cache.js
 * dist`): every instance then starts with it. Node checks each entry
 * against the file's contents and its own version, so a stale or foreign entry is recompiled,
 * never used. On Node 20 (no such API) this does nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import nodeModule from 'node:module';
import { join } from 'node:path';
import { FUNCTION_TARGETS } from './target';

/**
 * `.compile-cache` in this package's folder (this file is dist/compile-cache.js once built).
 * The functions' bundles (`dff build`) leave this module out and load this same file, so they
 * use this folder too: the one `gcp-build` fills.
 */
export const COMPILE_CACHE_DIR = join(__dirname, '..', '.compile-cache');

type CompileCacheApi = {
  enableCompileCache?: (dir?: string) => { status: number; message?: string; directory?: string };
  flushCompileCache?: () => void;
};

/** Enables the cache when this Node has it; `undefined` when it does not. */
export function enableCompileCache(dir = COMPILE_CACHE_DIR): number | undefined {
  const api = nodeModule as unknown as CompileCacheApi;
  return api.enableCompileCache?.(dir).status;
}

enableCompileCache();

/** Libraries a function loads on its cold path (some only at the first Firestore read). */
const LIBRARIES = [
  'zod',
  '@google-cloud/firestore',
  'google-gax',
  'google-gax/fallback',
  'google-auth-library',
  '@google-cloud/tasks',
  'axios',
  'lru-cache',
  'nodemailer',
];

/**
 * Fills the cache: the functions' bundles (dist/bundle, `dff build`) or, without them, every
 * built module except the entries (which register functions and read the configuration), and
 * the libraries above. Run by `npm run gcp-build` after the build.
 */
export function warmCompileCache(root: string = join(__dirname, '..')): { modules: number } {
  let modules = 0;
  const load = (id: string) => {
    try {
      require(id); // eslint-disable-line @typescript-eslint/no-require-imports -- loading to cache
      modules++;
    } catch {
      // A module that cannot load here is simply not cached.
    }
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && path !== join(root, 'bundle')) walk(path);
      } else if (entry.name.endsWith('.js') && !isEntry(root, path)) {
        load(path);
      }
    }
  };
  // With the bundles (dff build), the deployed function loads none of the tsc modules.
  if (!existsSync(join(root, 'bundle'))) walk(root);
  // The framework's own modules (each concern's index), whichever the functions load.
  if (root !== __dirname) {
    for (const entry of readdirSync(__dirname, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(__dirname, entry.name, 'index.js'))) {
        load(join(__dirname, entry.name, 'index.js'));
      }
    }
  }
  for (const lib of LIBRARIES) load(lib);
  (nodeModule as unknown as CompileCacheApi).flushCompileCache?.();
  return { modules: modules + warmBundles(root) };
}

/**
 * The functions' bundles (dist/bundle, `dff build`) register their function and read the
 * configuration when loaded, so each is loaded in a child process of its own, as its target with
 * the development defaults, which exits once the bundle is compiled and cached.
 */
function warmBundles(root: string): number {
  // Required here, not at the top: the entry loads this module on every cold start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  let bundles = 0;
  for (const name of FUNCTION_TARGETS) {
    const bundle = join(root, 'bundle', `${name}.js`);
    if (!existsSync(bundle)) continue;
    const script = `const m = require('node:module');
      m.enableCompileCache(${JSON.stringify(COMPILE_CACHE_DIR)});
      require(${JSON.stringify(bundle)});
      m.flushCompileCache();
      process.exit(0);`;
    const run = spawnSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH, NODE_ENV: 'test', FUNCTION_TARGET: name },
      stdio: 'ignore',
      timeout: 60_000,
    });
    if (run.status === 0) bundles++;
  }
  return bundles;
}

/** The project's entry and the one `dff build` writes (dist/main.js), which load it. */
function isEntry(root: string, path: string): boolean {
  return path === join(root, 'index.js') || path === join(root, 'main.js');
}

if (require.main === module) {
  const status = enableCompileCache();
  // `node …/compile-cache.js DIR`: the project's built code (default: this package's).
  const { modules } = warmCompileCache(
    process.argv[2] ? join(process.cwd(), process.argv[2]) : undefined,
  );
  console.log(
    status === undefined
      ? 'compile cache: this Node has none (Node ≥ 22.1 needed), nothing to fill'
      : `compile cache: ${modules} modules in ${COMPILE_CACHE_DIR}`,
  );
}
