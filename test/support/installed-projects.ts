import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelCacheDir } from '@dialogflow-functions/dev/dialogflow-stand-in/model-cache';

/*
 * Installed projects for the suites that run npm as a user runs it (the scaffold, start and
 * upgrade tests of packages/create, the deploy upload of examples/restaurant): the packed
 * packages and one installed minimal project, made once for the whole run and shared, and npm
 * run in a project with none of this run's variables (the project finds itself, its own ports,
 * its own emulators).
 */

const REPO = join(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the packer is plain Node
const { packAll } = require('../../packages/create/scripts/pack') as {
  packAll(options: {
    out: string;
    build?: boolean;
    version?: string;
    log?: (l: string) => void;
  }): Record<string, string>;
};

/**
 * Packs every published package into `out` (at `version` when given), as `npm run pack
 * --no-build` does: the packages as built (these suites need `npm run build` first, which `npm
 * test` runs; its build again here cost 2 CPU-s and changed nothing).
 */
export function pack(out: string, version?: string): Record<string, string> {
  return packAll({ out, build: false, version, log: () => undefined });
}

export interface SharedPacks {
  /** The folder of the tarballs (a scaffold's PACKS_DIR). */
  dir: string;
  /** Package name → tarball. */
  packs: Record<string, string>;
}

/**
 * What one test file of the run makes for all of them (they run at the same time): the first
 * to ask runs `make` (its result must be JSON) and records it in the run's folder
 * (DFF_TEST_RUN_DIR, made by the global setup) while the others wait for it. Outside such a
 * run, `make` runs for this file alone, in a temporary folder.
 */
async function oncePerRun<T>(key: string, make: (dir: string) => Promise<T> | T): Promise<T> {
  const runDir = process.env.DFF_TEST_RUN_DIR;
  if (!runDir) return make(mkdtempSync(join(tmpdir(), `dff-${key}-`)));
  const dir = join(runDir, key);
  const done = join(runDir, `${key}.json`);
  const failed = join(runDir, `${key}.failed`);
  let mine = false;
  try {
    mkdirSync(join(runDir, `${key}.lock`));
    mine = true;
  } catch {
    // Another test file is making it (or has).
  }
  if (mine) {
    try {
      mkdirSync(dir, { recursive: true });
      const made = await make(dir);
      writeFileSync(`${done}.tmp`, JSON.stringify(made));
      renameSync(`${done}.tmp`, done);
      return made;
    } catch (err) {
      writeFileSync(failed, err instanceof Error ? err.message : String(err));
      throw err;
    }
  }
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as T;
    if (existsSync(failed)) throw new Error(`${key} failed:\n${readFileSync(failed, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The packages built and packed once for the whole test run, shared by every test file that
 * installs them.
 */
export async function sharedPacks(): Promise<SharedPacks> {
  return oncePerRun('packs', (dir) => ({ dir, packs: pack(dir) }));
}

/**
 * The minimal project (both editions) as a user makes it, once for the whole run: `npm run
 * scaffold -- DIR --template minimal --edition both` from the shared packs, then `npm install`.
 * Never run in place: each test file takes a copy of its own (`copyInstalled`), so the files
 * that only need it installed share one install.
 */
export async function sharedMinimalProject(): Promise<string> {
  return oncePerRun('minimal-project', async (into) => {
    const shared = await sharedPacks();
    const dir = join(into, 'coffee-bot');
    const made = await run(
      'npm',
      ['run', 'scaffold', '--', dir, '--template', 'minimal', '--edition', 'both'],
      REPO,
      userEnv({ PACKS_DIR: shared.dir }),
    );
    if (made.code !== 0) throw new Error(`npm run scaffold failed:\n${made.output}`);
    await npmInstall(dir);
    return dir;
  });
}

/** Files of an install that npm rewrites in place (so a copy needs its own). */
const REWRITTEN = ['package.json', 'package-lock.json', join('node_modules', '.package-lock.json')];

/**
 * A copy of the installed project `from` at `to`: its files copied, its node_modules as hard
 * links to the same files (what npm would have written there again, and reads only; npm
 * replaces a package's folder rather than writing into its files), the manifests npm rewrites
 * copied whole. `onlyDependencies`: only node_modules, into the project already at `to`.
 */
export function copyInstalled(from: string, to: string, onlyDependencies = false): void {
  mkdirSync(to, { recursive: true });
  if (!onlyDependencies) {
    for (const entry of readdirSync(from)) {
      if (entry !== 'node_modules') cpSync(join(from, entry), join(to, entry), { recursive: true });
    }
  }
  const linked = spawnSync('cp', ['-al', join(from, 'node_modules'), join(to, 'node_modules')]);
  if (linked.status !== 0) {
    // No hard links here (another file system, another cp): a whole copy.
    cpSync(join(from, 'node_modules'), join(to, 'node_modules'), { recursive: true });
  }
  for (const file of REWRITTEN.slice(onlyDependencies ? 2 : 0)) {
    if (!existsSync(join(from, file))) continue;
    rmSync(join(to, file), { force: true });
    copyFileSync(join(from, file), join(to, file));
  }
}

/**
 * Where the scaffolded projects' stand-in keeps its trained classifiers in a test run: the
 * repository's own model cache, where this run's other suites keep theirs (`modelCacheDir()`:
 * node_modules/.cache of the workspace, or the run's DFF_NLU_CACHE_DIR, `off` included). A model
 * is keyed by its exact corpus, the classifier's settings and the nlp.js and framework versions,
 * so a project gets a cached model only where training would make the same one, and trains (and
 * caches) anything else: the restaurant template's `npm test` reads what the example's suites
 * trained (5.5 of its 38 CPU-s), and the minimal project trains once for its two `npm test`s and
 * `npm start`. Training itself is the model-cache and stand-in suites' to check.
 */
const RUN_MODEL_CACHE = modelCacheDir() ?? 'off';

/**
 * The environment a user's shell would give npm: this run's settings left out, but the run's
 * model cache ({@link RUN_MODEL_CACHE}).
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(npm_|VITEST|DFF_|NODE_OPTIONS$|NODE_ENV$|FIRESTORE_EMULATOR_HOST$|CLOUD_TASKS_EMULATOR_HOST$|DIALOGFLOW_|GOOGLE_CLOUD_PROJECT$)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  delete env.FORCE_COLOR;
  return { ...env, NO_COLOR: '1', DFF_NLU_CACHE_DIR: RUN_MODEL_CACHE, ...extra };
}

export interface Run {
  code: number | null;
  output: string;
}

/** Runs a command in `cwd` to its end, with its output (stdout and stderr, interleaved). */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    // eslint-disable-next-line no-control-regex -- colours some tools print anyway
    child.once('exit', (code) => resolve({ code, output: output.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}

/** `npm install` from the tarballs and the npm cache (the registry only for what it lacks). */
export async function npmInstall(dir: string): Promise<void> {
  const r = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
  if (r.code !== 0) throw new Error(`npm install failed in ${dir}:\n${r.output}`);
}
