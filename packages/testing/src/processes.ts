import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * functions-framework's own entry. Spawning node on it directly (not `npx functions-framework`,
 * which leaves its node child behind) means killing our child's PID stops the server.
 */
export function functionsFrameworkMain(from?: string): string {
  // The framework the function's own code registers with: the copy its folder resolves.
  const entry = from
    ? require.resolve('@google-cloud/functions-framework', { paths: [from] })
    : require.resolve('@google-cloud/functions-framework');
  return join(dirname(entry), 'main.js');
}

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  /**
   * SIGTERM to its process group, SIGKILL after `graceMs`; resolves when it has exited and
   * nothing it started is left.
   */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to its process group now. */
  kill(): void;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each output line (stdout and stderr), e.g. to prefix and print it. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** Process groups (and so `kill -PGID`) exist on every platform but Windows. */
const GROUPS = process.platform !== 'win32';

/**
 * Spawns a long-running child we own, with its output line by line. The child leads a
 * process group of its own, so stopping it stops whatever it started too, and a Ctrl-C in
 * the terminal reaches only us: we stop our children in order. Should we die without stopping
 * them (kill -9), they go too: a node child gets an IPC channel and exits when it closes (see
 * `exitWithParent`); any other command runs under `setpriv --pdeathsig` where Linux has it.
 */
export function spawnService(options: SpawnOptions): Service {
  const isNode = options.command === process.execPath;
  const [command, args] =
    !isNode && SETPRIV
      ? [SETPRIV, ['--pdeathsig', 'SIGTERM', '--', options.command, ...options.args]]
      : [options.command, options.args];
  const child = spawn(command, args, {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', ...(isNode ? (['ipc'] as const) : [])],
    detached: GROUPS,
  });
  // The IPC channel is only a lifeline: it must not keep us alive.
  if (isNode) child.channel?.unref();
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (!source) continue;
    const rl = createInterface({ input: source });
    rl.on('line', (line) => options.onLine?.(line, stream));
  }
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  const signal = (sig: NodeJS.Signals | 0): boolean => {
    if (child.pid === undefined) return false;
    try {
      process.kill(GROUPS ? -child.pid : child.pid, sig);
      return true;
    } catch {
      return false; // already gone
    }
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    child,
    exited,
    kill: () => void signal('SIGKILL'),
    async stop(graceMs = 5000) {
      if (child.pid === undefined) return;
      if (running()) signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      // Whatever the child started and left behind in its group.
      if (GROUPS && signal('SIGTERM')) {
        const until = Date.now() + graceMs;
        while (Date.now() < until && signal(0)) {
          await new Promise((r) => setTimeout(r, 50));
        }
        signal('SIGKILL');
      }
      clearTimeout(timer);
    },
  };
}

/** util-linux `setpriv`, when it is there (Linux): children it starts die with their parent. */
const SETPRIV =
  process.platform === 'linux'
    ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))
    : undefined;

/** Resolves once something accepts TCP connections on host:port; rejects after `timeoutMs`. */
export async function waitForPort(
  host: string,
  port: number,
  timeoutMs = 30_000,
  service?: Service,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (service && service.child.exitCode !== null) {
      throw new Error(
        `${service.name} exited with code ${service.child.exitCode} before it was ready`,
      );
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until)
      throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when nothing listens on host:port (so a service can be started there). */
export async function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * Starts one function of the built package (dist/) with functions-framework, as Cloud Functions
 * does, on 127.0.0.1 only (./function-preload.js: the framework itself listens on every
 * interface and has no option for the address).
 */
export function spawnFunction(options: {
  target: 'webhook' | 'worker' | 'chat';
  port: number;
  env: NodeJS.ProcessEnv;
  /** The function's folder (its package.json `main` is the entry), as `gcloud --source`. */
  source: string;
  onLine?: SpawnOptions['onLine'];
}): Service {
  return spawnService({
    name: options.target,
    command: process.execPath,
    args: [
      '--require',
      join(__dirname, '..', 'function-preload.js'),
      functionsFrameworkMain(options.source),
      `--target=${options.target}`,
      '--signature-type=http',
      `--source=${options.source}`,
      `--port=${options.port}`,
    ],
    env: options.env,
    onLine: options.onLine,
  });
}

const handedOut = new Set<number>();

/**
 * Where freeStackPort draws from: 20000–31999, a sixth of it per vitest worker (by its pool
 * id), so test files running at the same time never draw the same port.
 */
const STACK_PORTS = ((): { from: number; size: number } => {
  const pool = Number(process.env.VITEST_POOL_ID);
  if (!Number.isInteger(pool) || pool < 1) return { from: 20_000, size: 12_000 };
  return { from: 20_000 + ((pool - 1) % 6) * 2_000, size: 2_000 };
})();

/**
 * A port for a stack to listen on later (`WEBHOOK_PORT=…`): free now, taken from below Linux's
 * ephemeral range (32768–60999), so that none of the stack's own `listen(0)` and outgoing
 * connections can take it meanwhile, never the same twice in one process, and from a range of
 * this vitest worker's own (STACK_PORTS).
 */
export async function freeStackPort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = STACK_PORTS.from + Math.floor(Math.random() * STACK_PORTS.size);
    if (handedOut.has(port) || !(await portIsFree('127.0.0.1', port))) continue;
    const bindable = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!bindable) continue;
    handedOut.add(port);
    return port;
  }
  return freePort();
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the cloud-tasks-emulator package's emulator as a child we own (stopped by PID): its
 * built entry, or its TypeScript source under tsx in this repository's workspace.
 */
export function spawnTasksEmulator(
  port: number,
  onLine?: SpawnOptions['onLine'],
  extraArgs: string[] = [],
): Service {
  return spawnService({
    name: 'tasks',
    command: process.execPath,
    args: [
      ...nodeArgsFor(require.resolve('cloud-tasks-emulator/main')),
      '--port',
      String(port),
      ...extraArgs,
    ],
    onLine,
  });
}

/**
 * How to run a module with node: a `.ts` file (a workspace's source, resolved under the
 * `dff-source` condition) through tsx with the same condition, a `.js` file as it is.
 */
export function nodeArgsFor(file: string): string[] {
  return file.endsWith('.ts') ? ['--conditions=dff-source', '--import', 'tsx', file] : [file];
}
