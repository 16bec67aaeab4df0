import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  utimesSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { spawnService, type Service } from '@dialogflow-functions/testing/processes';
import { projectDir } from '../project';
import { bundleFunctions, MAIN } from './bundle';

/** What a project's build compiles: its entry, its bot and its sources (tests aside). */
const SOURCES = ['index.ts', 'bot.ts', 'src', 'local'];

export interface BuildResult {
  ok: boolean;
  /** tsc's output (its errors, when not ok). */
  lines: string[];
}

/** The project's build config: tsconfig.build.json (with references, built in order) or tsconfig.json. */
function buildConfig(dir: string): string {
  return existsSync(join(dir, 'tsconfig.build.json')) ? 'tsconfig.build.json' : 'tsconfig.json';
}

/**
 * Compiles the project to dist/ as `dff build` does (`tsc -b`: the workspace packages it
 * references first, each only when its sources changed), in a child we own (`onSpawn` gets
 * it, so a Ctrl-C meanwhile stops it too), then bundles each function and writes the entry
 * that loads its bundle (./bundle.ts). `clean` starts from an empty dist/, so no output of
 * a moved or deleted source is left to shadow the new one.
 */
export async function runBuild(
  options: { clean?: boolean; incremental?: boolean; onSpawn?: (service: Service) => void } = {},
): Promise<BuildResult> {
  const dir = projectDir();
  const began = Date.now();
  if (options.clean) rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const lines: string[] = [];
  // In a workspace, the packages the project builds with, as they are published, first.
  for (const pkg of staleWorkspacePackages(dir)) {
    // The stamp gets the time the build started: a source saved during it is newer.
    const startedAt = new Date();
    const built = spawnService({
      name: 'build',
      command: 'npm',
      args: ['run', '--silent', 'build'],
      cwd: pkg,
      onLine: (line) => lines.push(line),
    });
    options.onSpawn?.(built);
    if ((await built.exited) !== 0) return { ok: false, lines };
    const stamp = builtStamp(dir, pkg);
    mkdirSync(dirname(stamp), { recursive: true });
    writeFileSync(stamp, '');
    utimesSync(stamp, startedAt, startedAt);
  }
  const service = spawnService({
    name: 'build',
    command: process.execPath,
    args: [require.resolve('typescript/bin/tsc'), '-b', buildConfig(dir)],
    cwd: dir,
    onLine: (line) => lines.push(line),
  });
  options.onSpawn?.(service);
  if ((await service.exited) !== 0) return { ok: false, lines };
  try {
    await bundleFunctions(dir, began);
  } catch (err) {
    lines.push(`bundling failed: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, lines };
  }
  const { main } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: string };
  if (main?.replace(/^\.\//, '') !== `dist/${MAIN}`) {
    lines.push(`note: package.json "main" is not "dist/${MAIN}": the functions' bundles go unused`);
  }
  return { ok: true, lines };
}

/**
 * The `src/` folders of the workspace packages the project depends on (symlinks out of
 * node_modules, as npm workspaces link them); none for a project installed from the registry.
 */
export function workspaceSources(dir: string = projectDir()): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const found: string[] = [];
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    let manifest: string;
    try {
      manifest = require.resolve(`${name}/package.json`, { paths: [dir] });
    } catch {
      continue;
    }
    const real = realpathSync(dirname(manifest));
    if (!real.split(sep).includes('node_modules') && existsSync(join(real, 'src'))) {
      found.push(join(real, 'src'));
    }
  }
  return found;
}

/**
 * Where `dff build` records that it built a workspace package, with the time that build started:
 * the project's own cache (never published, never in the package's dist/, which other steps
 * refresh in part: `tsc -b` alone rewrites the CommonJS build and not the rest).
 */
export function builtStamp(dir: string, pkg: string): string {
  const { name } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { name: string };
  return join(dir, 'node_modules', '.cache', 'dff', 'workspace-builds', name.replace('/', '+'));
}

/** Folders of a package that are not its sources. */
const NOT_SOURCES = new Set(['dist', 'node_modules', 'test', 'docs']);

/** The newest modification time under `path` of the files `keep` accepts (0 when none, or gone). */
function newestUnder(path: string, keep: (file: string) => boolean): number {
  try {
    const s = statSync(path);
    if (!s.isDirectory()) return keep(path) ? s.mtimeMs : 0;
    return Math.max(
      0,
      ...readdirSync(path)
        .filter((f) => !f.startsWith('.'))
        .map((f) => newestUnder(join(path, f), keep)),
    );
  } catch {
    // Removed meanwhile (a build renaming its temporary files into place).
    return 0;
  }
}

/**
 * The workspace packages the project depends on (this repository's, linked by npm workspaces)
 * that have a `build` script of their own and that `dff build` has not built since their sources
 * last changed, or whose exports name a file that is not there. `tsc -b` builds what the
 * project's tsconfig references, but not what else a package publishes and the bundles read
 * (core's ES build, `dist/esm`, and its chat widget): so a fresh clone's `npm start` builds core
 * first, and a change to core's sources under `npm run dev` reaches the functions' bundles.
 */
export function staleWorkspacePackages(dir: string = projectDir()): string[] {
  return workspaceSources(dir)
    .map((src) => dirname(src))
    .filter((pkg) => {
      const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
        exports?: unknown;
      };
      if (!manifest.scripts?.build) return false;
      const stamp = builtStamp(dir, pkg);
      if (!existsSync(stamp)) return true;
      // What the exports map points at in dist/.
      const targets: string[] = [];
      const collect = (value: unknown): void => {
        if (typeof value === 'string') {
          if (value.startsWith('./dist/') && !value.includes('*')) targets.push(value);
        } else if (value && typeof value === 'object') {
          for (const inner of Object.values(value)) collect(inner);
        }
      };
      collect(manifest.exports);
      if (targets.some((t) => !existsSync(join(pkg, t)))) return true;
      const sources = Math.max(
        0,
        ...readdirSync(pkg)
          .filter((f) => !NOT_SOURCES.has(f) && !f.startsWith('.'))
          .map((f) => newestUnder(join(pkg, f), (file) => /\.(ts|tsx|mts|mjs|json)$/.test(file))),
      );
      return sources > statSync(stamp).mtimeMs;
    });
}

/** The newest modification time of the project's sources and its workspace packages' (0 when none). */
export function newestSource(dir: string = projectDir()): number {
  const compiled = (file: string) => /\.(ts|json)$/.test(file) && !/\.test\.ts$/.test(file);
  // The project's own sources and those of the workspace packages it builds with.
  const roots = [...SOURCES.map((p) => join(dir, p)), ...workspaceSources(dir)];
  return Math.max(0, ...roots.map((root) => newestUnder(root, compiled)));
}

/**
 * Calls `onChange` (debounced) when a source file the build compiles changes: a `.ts` or
 * `.json` file of the project's sources (tests aside), its bot.ts or its entry.
 */
export function watchSources(onChange: () => void, debounceMs = 200): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const changed = (file: string | null) => {
    if (file && (!/\.(ts|json)$/.test(file) || /\.test\.ts$/.test(file))) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const dir = projectDir();
  const watchers: FSWatcher[] = SOURCES.filter((entry) => existsSync(join(dir, entry))).map(
    (entry) => {
      const path = join(dir, entry);
      return entry.endsWith('.ts')
        ? watch(path, () => changed(entry))
        : watch(path, { recursive: true }, (_event, file) => changed(file));
    },
  );
  // In a workspace, the sources of the packages the project builds against (`tsc -b` rebuilds them).
  for (const src of workspaceSources(dir)) {
    watchers.push(watch(src, { recursive: true }, (_event, file) => changed(file)));
  }
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
