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
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DEV_ROOT, projectDir } from '../project';

type StandIn = (
  argv: string[],
  io: { statePath: string; logPath: string; cwd?: string; readStdin?: () => string },
) => { code: number; stdout: string; stderr: string };
// Plain CommonJS, shared with the command-line stand-in (`node gcloud-stand-in.js ...`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { gcloudStandIn } = require('./gcloud-stand-in.js') as { gcloudStandIn: StandIn };

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
 * The `gcloud` a sandbox puts on PATH: a bash client that hands its arguments, working folder
 * and stdin (only when a `--flag=-` reads it, as gcloud does) to the stand-in served by the
 * test's process on loopback, then prints its answer and exits with its code. One bash per
 * call instead of one node: a deploy makes some 60 calls.
 */
function clientScript(bash: string, port: number): string {
  return `#!${bash}
# gcloud for the tests: the recording stand-in (gcloud-stand-in.js) in the test's process.
input="" reads=0
for arg in "$@"; do [[ $arg =~ ^--[a-z][a-z0-9-]*=-$ ]] && reads=1; done
if [ "$reads" = 1 ]; then IFS= read -r -d '' input || true; fi
if ! exec 3<>/dev/tcp/127.0.0.1/${port}; then
  echo "gcloud stand-in: nothing listens on 127.0.0.1:${port}" >&2
  exit 2
fi
printf '%s\\0' "$PWD" "$reads" "$input" "$#" "$@" >&3
if ! { IFS= read -r -d '' code && IFS= read -r -d '' out && IFS= read -r -d '' err; } <&3; then
  echo "gcloud stand-in: no answer from 127.0.0.1:${port}" >&2
  exit 2
fi
printf '%s' "$out"
printf '%s' "$err" >&2
exit "$code"
`;
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
  private server?: Server;
  private listening?: Promise<void>;

  constructor(readonly standIn: boolean) {
    mkdirSync(this.bin);
    for (const tool of TOOLS) {
      const path = which(tool);
      if (path) symlinkSync(path, join(this.bin, tool));
    }
    writeFileSync(this.logPath, '');
  }

  /** Serves the stand-in on a loopback port and writes the `gcloud` client for it (once). */
  private serve(): Promise<void> {
    this.listening ??= new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        let received = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          const fields: string[] = [];
          let from = 0;
          for (let at = received.indexOf(0); at >= 0; at = received.indexOf(0, from)) {
            fields.push(received.subarray(from, at).toString('utf8'));
            from = at + 1;
          }
          // cwd, whether stdin was read, stdin, argc, then the arguments.
          if (fields.length < 4 || fields.length < 4 + Number(fields[3])) return;
          const [cwd, reads, input, argc] = fields as [string, string, string, string];
          const argv = fields.slice(4, 4 + Number(argc));
          let answer: { code: number; stdout: string; stderr: string };
          try {
            answer = gcloudStandIn(argv, {
              statePath: this.statePath,
              logPath: this.logPath,
              cwd,
              readStdin: () => (reads === '1' ? input : ''),
            });
          } catch (err) {
            // What a crashed node would print.
            answer = { code: 1, stdout: '', stderr: `${(err as Error).stack ?? String(err)}\n` };
          }
          socket.end(`${answer.code}\0${answer.stdout}\0${answer.stderr}\0`);
        });
        socket.on('error', () => undefined);
      });
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        this.server = server;
        const wrapper = join(this.bin, 'gcloud');
        writeFileSync(
          wrapper,
          clientScript(which('bash') ?? '/bin/bash', (server.address() as AddressInfo).port),
        );
        chmodSync(wrapper, 0o755);
        resolve();
      });
    });
    return this.listening;
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
  async run(script: string, args: string[], env: Record<string, string>): Promise<ScriptResult> {
    if (this.standIn) await this.serve();
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
    this.server?.close();
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
