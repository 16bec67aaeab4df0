import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { MysqlSettings } from '../../src/env';
import { migrateMysql, seedProducts } from '../../src/inventory/migrate';
import { startMariadb, type LocalMariadb } from '../../local/mariadb';
import { threadStates } from '@dialogflow-functions/testing/proc';
import { until } from '@dialogflow-functions/testing/wait';

/**
 * A real MariaDB for the suites that need one (Debian's mariadbd, started with its own
 * throwaway data directory on a free loopback port, stopped by PID), with the inventory
 * migrations applied. Not started by the global setup: only files that use it pay for it.
 */
export interface TestMariadb {
  settings: MysqlSettings;
  /** MYSQL_URL for these settings plus `params` (e.g. `connectionLimit=2`). */
  url(params?: Record<string, string | number>): string;
  pid(): number;
  /**
   * Sends a signal to mariadbd by its PID (SIGSTOP: slow; SIGCONT; SIGKILL: down); after SIGSTOP
   * and SIGCONT, resolves once every thread of it is stopped, or none is (/proc), so what a test
   * asks next meets the server in that state.
   */
  signal(signal: NodeJS.Signals): Promise<void>;
  /** Starts mariadbd again on the same port and data directory (after SIGKILL or stop). */
  restart(): Promise<void>;
  /** Runs SQL as root on the inventory database (checks and fault injection). */
  admin<T extends RowDataPacket[]>(sql: string, values?: unknown[]): Promise<T>;
  /** A root connection of its own (e.g. to hold a table lock). */
  adminConnection(): Promise<Connection>;
  /** The products table, ordered by id (to check that nothing changed). */
  products(): Promise<RowDataPacket[]>;
  /** Back to the demo rows: deletes every other product and re-applies the data migrations. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestMariadb(): Promise<TestMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'mariadb-test-'));
  let server: LocalMariadb = await startMariadb({ dir, timeoutMs: 90_000 });
  const settings = server.settings;
  await migrateMysql(settings);

  const adminConnection = async () => {
    const c = await server.admin();
    await c.query(`USE \`${settings.database}\``);
    return c;
  };
  const admin = async <T extends RowDataPacket[]>(sql: string, values: unknown[] = []) => {
    const c = await adminConnection();
    try {
      const [rows] = await c.query<T>(sql, values);
      return rows;
    } finally {
      await c.end();
    }
  };

  return {
    settings,
    url(params = {}) {
      const query = new URLSearchParams(
        Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      return `mysql://${encodeURIComponent(settings.user)}:${encodeURIComponent(settings.password)}@${settings.host}:${settings.port}/${settings.database}${query ? `?${query}` : ''}`;
    },
    pid: () => server.service.child.pid ?? 0,
    async signal(signal) {
      const pid = server.service.child.pid;
      if (pid === undefined) return;
      process.kill(pid, signal);
      if (signal === 'SIGSTOP') await until(() => threadStates(pid).every((st) => st === 'T'), 5000, 'mariadbd stopped'); // prettier-ignore
      if (signal === 'SIGCONT') await until(() => !threadStates(pid).includes('T'), 5000, 'mariadbd running again'); // prettier-ignore
    },
    async restart() {
      await server.service.exited;
      server = await startMariadb({ dir, port: settings.port, timeoutMs: 90_000 });
    },
    admin,
    adminConnection,
    products: () => admin('SELECT id, name_en, name_zh_tw, stock FROM products ORDER BY id'),
    async reset() {
      const ids = seedProducts().map((p) => p.id);
      await admin('DELETE FROM products WHERE id NOT IN (?)', [ids]);
      await migrateMysql(settings);
    },
    async close() {
      try {
        const { child } = server.service;
        // A stopped (SIGSTOP) server handles SIGTERM only once it runs again.
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
          process.kill(child.pid, 'SIGCONT');
        }
        await server.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
