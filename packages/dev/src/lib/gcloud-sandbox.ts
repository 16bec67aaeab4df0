import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DEV_ROOT, projectDir } from '../project';

/** One recorded gcloud call: its arguments, and how many bytes were piped to it (if it read stdin). */
export interface GcloudCall {
  argv: string[];
  stdin?: number;
}

/** What the stand-in's project holds (see gcloud-stand-in.js). */
export interface StandInState {
  projectNumber: string;
  urlStyle: 'deterministic' | 'hash';
  deny: string[];
  services: string[];
  serviceAccounts: string[];
  policies: Record<string, [string, string][]>;
  firestore: string | null;
  queues: Record<string, { flags: Record<string, string | true>; updates: number }>;
  secrets: Record<string, string[]>;
  functions: Record<string, { uri: string; flags: Record<string, string | true>; deploys: number }>;
  runAnnotations: Record<string, string>;
  /** Services with Cloud Run's startup CPU boost on (`run services update --cpu-boost`). */
  cpuBoost: Record<string, boolean>;
  schedulerJobs: Record<string, { flags: Record<string, string | true>; updates: number }>;
  logMetrics: Record<string, { filter: string; updates: number }>;
  channels: { name: string; displayName: string; type: string; labels: Record<string, string> }[];
  alertPolicies: { name: string; displayName: string; channels: string[]; updates: number }[];
  pools: Record<string, { flags: Record<string, string | true> }>;
  providers: Record<string, { flags: Record<string, string | true>; updates: number }>;
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The gcloud calls of this run, in order. */
  calls: GcloudCall[];
}

/** The tools the scripts need besides gcloud: the only ones on PATH when a test hides gcloud. */
const TOOLS = [
  'bash',
  'node',
  'dirname',
  'mktemp',
  'rm',
  'grep',
  'sed',
  'head',
  'awk',
  'cat',
  'tr',
  'env',
  'git',
];

function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, tool);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A temporary directory with a `gcloud` on PATH: the recording stand-in (with `standIn`), or
 * none at all (PATH then holds only the few tools the scripts need).
 */
export class GcloudSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'gcloud-stand-in-'));
  readonly statePath = join(this.dir, 'state.json');
  readonly logPath = join(this.dir, 'calls.jsonl');
  private readonly bin = join(this.dir, 'bin');
  private logged = 0;

  constructor(readonly standIn: boolean) {
    mkdirSync(this.bin);
    for (const tool of TOOLS) {
      const path = which(tool);
      if (path) symlinkSync(path, join(this.bin, tool));
    }
    if (standIn) {
      const wrapper = join(this.bin, 'gcloud');
      const script = join(__dirname, 'gcloud-stand-in.js');
      writeFileSync(wrapper, `#!/bin/sh\nexec "${which('node')}" "${script}" "$@"\n`);
      chmodSync(wrapper, 0o755);
    }
    writeFileSync(this.logPath, '');
  }

  /** PATH for the scripts: this sandbox's bin only. */
  get path(): string {
    return this.bin;
  }

  /** The stand-in's project (a fresh one is empty: nothing exists). */
  state(): StandInState {
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as StandInState;
  }

  /** Starts the project from this state (partial: the rest as the stand-in's defaults). */
  setState(state: Partial<StandInState>): void {
    writeFileSync(this.statePath, JSON.stringify(state));
  }

  /**
   * Runs one of this package's scripts (`deploy.sh`, `setup-ci.sh`) in the project, with exactly
   * `env` plus PATH and the stand-in's files.
   */
  run(script: string, args: string[], env: Record<string, string>): Promise<ScriptResult> {
    return new Promise((resolve) => {
      execFile(
        'bash',
        [join(DEV_ROOT, 'src', script), ...args],
        {
          cwd: projectDir(),
          env: {
            PATH: this.bin,
            HOME: this.dir,
            GCLOUD_STAND_IN_STATE: this.statePath,
            GCLOUD_STAND_IN_LOG: this.logPath,
            ...env,
          },
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const lines = readFileSync(this.logPath, 'utf8').split('\n').filter(Boolean);
          const calls = lines.slice(this.logged).map((l) => JSON.parse(l) as GcloudCall);
          this.logged = lines.length;
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr, calls });
        },
      );
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Verbs of gcloud calls that change nothing. */
const READ = /^(describe|list|get-iam-policy|access)$/;

/** Whether a recorded call only reads (describe, list, get-iam-policy, versions access/describe). */
export function isRead(call: GcloudCall): boolean {
  const words = call.argv.filter((a) => !a.startsWith('--'));
  return words.some((w) => READ.test(w));
}

/** The printed command lines of a script's output (comments and blank lines left out). */
export function commandLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/**
 * The value of `--name=` in a printed command line (the scripts print bare or single-quoted
 * arguments; see quote() in scripts/lib/gcloud.sh).
 */
export function flagOf(line: string, name: string): string | undefined {
  for (const arg of splitShell(line)) {
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** Splits a printed command line into its arguments (bare words and '…' quoting, as printed). */
export function splitShell(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      current += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}
