/*
 * A local MariaDB for `INVENTORY_SOURCE=mysql npm start` and the tests: Debian's mariadb-server
 * binaries run as a child process we own (mariadbd itself, so stopping our child's PID stops
 * it), with a data directory of its own, listening on 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import type { MysqlSettings } from '../src/env';
import { freePort, spawnService, type Service } from '@dialogflow-functions/testing/processes';

export const MARIADB_INSTALL_HELP = `A local MariaDB needs the mariadb-server binaries (mariadbd and mariadb-install-db):
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y mariadb-server
                  (the packaged service need not run: npm start runs its own mariadbd on a free loopback port)
  macOS:          brew install mariadb
or set MYSQL_URL=mysql://user:password@host:port/database to use a MySQL or MariaDB you run.`;

/** The database and user the local server gets for the inventory. */
export const LOCAL_DATABASE = 'inventory';
export const LOCAL_USER = 'inventory';

/** Thrown when MariaDB cannot be started here; its message says how to install it. */
export class MariadbUnavailableError extends Error {
  override readonly name = 'MariadbUnavailableError';
}

const SEARCH_DIRS = [
  '/usr/sbin',
  '/usr/bin',
  '/usr/local/sbin',
  '/usr/local/bin',
  '/opt/homebrew/bin',
];

function findBinary(names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** mariadbd and mariadb-install-db, from PATH or the usual places (/usr/sbin is often off PATH). */
export function findMariadbBinaries(): { server: string; installDb: string } | undefined {
  const server = findBinary(['mariadbd', 'mysqld']);
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db']);
  return server && installDb ? { server, installDb } : undefined;
}

/** mariadbd refuses to run as root unless told to: it is our own throwaway server. */
const asUser = (): string[] => (process.getuid?.() === 0 ? ['--user=root'] : []);

/** Options both the initialisation and the server use (they must agree on the redo log size). */
const SHARED_OPTIONS = ['--innodb-log-file-size=8M', '--skip-name-resolve'];

export interface LocalMariadb {
  /** Connection settings for the inventory user (what MYSQL_URL says). */
  settings: MysqlSettings;
  /** `mysql://inventory:…@127.0.0.1:PORT/inventory`: a secret, never print it. */
  url: string;
  port: number;
  dir: string;
  socket: string;
  service: Service;
  /** A connection as root over the unix socket (administration and tests). */
  admin(): Promise<Connection>;
  /** SIGTERM by PID (a clean shutdown), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Where a running local server is recorded for `npm run seed` (the password stays in `dir`). */
interface RunFile {
  pid: number;
  port: number;
}

export interface StartMariadbOptions {
  /** Holds `data/` (the datadir), the inventory user's password, the socket and run.json. */
  dir: string;
  /** Default: a free loopback port. */
  port?: number;
  onLine?: (line: string) => void;
  /** Called as soon as the process exists, so a Ctrl-C during start-up can stop it. */
  onSpawn?: (service: Service) => void;
  timeoutMs?: number;
}

/**
 * Starts mariadbd on 127.0.0.1 with its data in `dir` (initialised with mariadb-install-db on
 * first use), creates the inventory database and user, and resolves once it answers.
 */
export async function startMariadb(options: StartMariadbOptions): Promise<LocalMariadb> {
  const binaries = findMariadbBinaries();
  if (!binaries) {
    throw new MariadbUnavailableError(
      `No mariadbd / mariadb-install-db found.\n${MARIADB_INSTALL_HELP}`,
    );
  }
  const dir = options.dir;
  const dataDir = join(dir, 'data');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dataDir, 'mysql'))) await initialise(binaries.installDb, dataDir);

  const port = options.port ?? (await freePort());
  const socket = socketPath(dir);
  const service = spawnService({
    name: 'mariadb',
    command: binaries.server,
    args: [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'mariadbd.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      ...SHARED_OPTIONS,
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--innodb-buffer-pool-size=32M',
      '--performance-schema=OFF',
      '--max-connections=200',
      ...asUser(),
    ],
    onLine: (line) => options.onLine?.(line),
  });
  options.onSpawn?.(service);

  const admin = () =>
    createConnection({ socketPath: socket, user: 'root', charset: 'utf8mb4_unicode_ci' });
  const until = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new MariadbUnavailableError(
        `mariadbd exited (${service.child.exitCode ?? service.child.signalCode}) before it was ready; its log is above.`,
      );
    }
    const ready = await admin().then(
      async (c) => {
        await c.end();
        return true;
      },
      () => false,
    );
    if (ready) break;
    if (Date.now() > until) {
      await service.stop();
      throw new MariadbUnavailableError(`mariadbd did not become ready on 127.0.0.1:${port}.`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  let password: string;
  try {
    password = await provision(admin, dir);
  } catch (err) {
    await service.stop();
    throw err;
  }
  const run: RunFile = { pid: service.child.pid ?? 0, port };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run), { mode: 0o600 });
  void service.exited.then(() => rmSync(join(dir, 'run.json'), { force: true }));

  const settings = localSettings(port, password);
  return {
    settings,
    url: mysqlUrl(settings),
    port,
    dir,
    socket,
    service,
    admin,
    stop: (graceMs) => service.stop(graceMs ?? 20_000),
  };
}

/** mariadb-install-db into a scratch directory, renamed into place only when it succeeded. */
async function initialise(installDb: string, dataDir: string): Promise<void> {
  const scratch = `${dataDir}.init`;
  rmSync(scratch, { recursive: true, force: true });
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      installDb,
      [
        '--no-defaults',
        `--datadir=${scratch}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...SHARED_OPTIONS,
        ...asUser(),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.once('error', (err) => {
      output.push(err.message);
      resolve(-1);
    });
    child.once('exit', resolve);
  });
  if (code !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    throw new MariadbUnavailableError(
      `mariadb-install-db failed (${code}):\n${output.join('').trim().split('\n').slice(-15).join('\n')}`,
    );
  }
  renameSync(scratch, dataDir);
}

/**
 * The inventory database and user (password kept in `dir/password`, created on first use),
 * idempotent: every start makes sure they exist and the password matches the file.
 */
async function provision(admin: () => Promise<Connection>, dir: string): Promise<string> {
  const file = join(dir, 'password');
  let password = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (!password) {
    password = randomBytes(18).toString('base64url');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
  }
  const c = await admin();
  try {
    await c.query(
      `CREATE DATABASE IF NOT EXISTS \`${LOCAL_DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    for (const host of ['127.0.0.1', 'localhost']) {
      await c.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [LOCAL_USER, host, password]);
      await c.query('ALTER USER ?@? IDENTIFIED BY ?', [LOCAL_USER, host, password]);
      await c.query(`GRANT ALL PRIVILEGES ON \`${LOCAL_DATABASE}\`.* TO ?@?`, [LOCAL_USER, host]);
    }
  } finally {
    await c.end();
  }
  return password;
}

function localSettings(port: number, password: string): MysqlSettings {
  return {
    host: '127.0.0.1',
    port,
    socketPath: undefined,
    user: LOCAL_USER,
    password,
    database: LOCAL_DATABASE,
    connectionLimit: 5,
    queueLimit: 100,
  };
}

/** The MYSQL_URL for settings (TCP). */
export function mysqlUrl(s: MysqlSettings): string {
  return `mysql://${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/${s.database}`;
}

/** Unix socket paths are limited to ~107 bytes: a long `dir` gets one in the temp directory. */
function socketPath(dir: string): string {
  const inDir = join(dir, 'mariadbd.sock');
  if (Buffer.byteLength(inDir) <= 100) return inDir;
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  return join(tmpdir(), `mariadbd-${hash}.sock`);
}

/**
 * The local server `npm start` runs from `dir`, when it is running: what `npm run seed` uses
 * when MYSQL_URL is not set.
 */
export function runningLocalMariadb(dir: string): MysqlSettings | undefined {
  try {
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunFile;
    process.kill(run.pid, 0); // throws when no such process
    const password = readFileSync(join(dir, 'password'), 'utf8').trim();
    return localSettings(run.port, password);
  } catch {
    return undefined;
  }
}

/**
 * The database at `settings` when given (MYSQL_URL), else a local MariaDB started in `dir`;
 * `server` is set only when it was started here (stop it when done).
 */
export async function ensureMariadb(
  options: Omit<StartMariadbOptions, 'port'> & { settings: MysqlSettings | undefined },
): Promise<{ settings: MysqlSettings; server?: LocalMariadb }> {
  if (options.settings) return { settings: options.settings };
  const server = await startMariadb(options);
  return { settings: server.settings, server };
}
