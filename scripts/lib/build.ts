import { existsSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { ROOT, spawnService, type Service } from './processes';

/** What `npm run build` compiles (tsconfig.build.json `include`). */
const SOURCES = ['index.ts', 'functions', 'demo', 'shared'];
/** Kept between `npm run dev` runs, so a rebuild compiles only what changed. */
const BUILD_INFO = join(ROOT, 'node_modules', '.cache', 'dev-build.tsbuildinfo');

export interface BuildResult {
  ok: boolean;
  /** tsc's output (its errors, when not ok). */
  lines: string[];
}

/**
 * Compiles the package to dist/ as `npm run build` does (`tsc -p tsconfig.build.json`, then
 * the functions' bundles), in children we own (`onSpawn` gets it, so a Ctrl-C meanwhile stops it too). `clean` starts from an
 * empty dist/, so no output of a moved or deleted source is left to shadow the new one (as a
 * stale dist/shared/deadline.js would shadow deadline/index.js). `incremental` keeps what tsc
 * knows between runs, for `npm run dev`'s rebuilds.
 */
export async function runBuild(
  options: { clean?: boolean; incremental?: boolean; onSpawn?: (service: Service) => void } = {},
): Promise<BuildResult> {
  const args = [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'];
  // tsc trusts its build info over dist/: a clean or missing dist/ starts from nothing.
  if (options.clean || !existsSync(join(ROOT, 'dist', 'index.js'))) {
    rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
    rmSync(BUILD_INFO, { force: true });
  }
  if (options.incremental) args.push('--incremental', '--tsBuildInfoFile', BUILD_INFO);
  const lines: string[] = [];
  const service = spawnService({
    name: 'build',
    command: process.execPath,
    args,
    onLine: (line) => lines.push(line),
  });
  options.onSpawn?.(service);
  if ((await service.exited) !== 0) return { ok: false, lines };
  // Then each function's bundle (scripts/bundle.ts), which the deployed entry loads.
  const bundler = spawnService({
    name: 'bundle',
    command: process.execPath,
    args: [require.resolve('tsx/cli'), join(ROOT, 'scripts', 'bundle.ts')],
    onLine: (line) => lines.push(line),
  });
  options.onSpawn?.(bundler);
  return { ok: (await bundler.exited) === 0, lines };
}

/**
 * Calls `onChange` (debounced) when a source file that `npm run build` compiles changes:
 * a `.ts` or `.json` file under functions/, demo/ or shared/ (tests aside), or index.ts.
 */
export function watchSources(onChange: () => void, debounceMs = 200): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const changed = (file: string | null) => {
    if (file && (!/\.(ts|json)$/.test(file) || /\.test\.ts$/.test(file))) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers: FSWatcher[] = SOURCES.map((entry) => {
    const path = join(ROOT, entry);
    return entry.endsWith('.ts')
      ? watch(path, () => changed(entry))
      : watch(path, { recursive: true }, (_event, file) => changed(file));
  });
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/**
 * `npm run dev`: on each source change, an incremental build; after one that succeeds,
 * `onBuilt` (restart the functions). A change during a build queues one more build; a build
 * that fails prints tsc's errors and leaves the running functions alone.
 */
export function rebuildOnChange(options: {
  onBuilt: () => Promise<void>;
  log: (line: string) => void;
  onSpawn?: (service: Service) => void;
}): { close(): void } {
  let building = false;
  let again = false;
  let closed = false;
  const build = async (): Promise<void> => {
    if (closed) return;
    if (building) {
      again = true;
      return;
    }
    building = true;
    try {
      do {
        again = false;
        options.log('source changed: rebuilding…');
        const started = Date.now();
        const result = await runBuild({ incremental: true, onSpawn: options.onSpawn });
        if (closed) return;
        if (!result.ok) {
          for (const line of result.lines) options.log(line);
          options.log('build failed: the functions keep running the last good build');
          continue;
        }
        options.log(`built in ${Date.now() - started} ms: restarting the functions`);
        await options.onBuilt();
      } while (again && !closed);
    } finally {
      building = false;
    }
  };
  const watcher = watchSources(() => void build());
  return {
    close() {
      closed = true;
      watcher.close();
    },
  };
}
