import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import * as z from 'zod';
import type { MysqlSettings } from '../env';
import type { Budget } from '@dialogflow-functions/core/deadline';
import { FulfillmentError } from '@dialogflow-functions/core/errors';
import { lazyAsync } from '@dialogflow-functions/core/lazy';
import { productKey, type Inventory, type Product, type ProductNames } from './inventory';

/**
 * One statement, always prepared with placeholders (never text built from the query). The id
 * and name columns use a case- and width-insensitive collation (utf8mb4_unicode_ci), so rows
 * written by hand match too; an id match wins over a name match.
 */
const FIND_PRODUCT_SQL =
  'SELECT id, name_en, name_zh_tw, name_ja, stock FROM products ' +
  'WHERE id = ? OR name_en = ? OR name_zh_tw = ? OR name_ja = ? ' +
  'ORDER BY id = ? DESC, id LIMIT 1';

const ProductRow = z.object({
  id: z.string().min(1),
  name_en: z.string().min(1),
  name_zh_tw: z.string().min(1).nullable(),
  name_ja: z.string().min(1).nullable(),
  stock: z.number().int().min(0),
});

/** A stored row that does not have the shape of a product: bad data, not a missing product. */
export class ProductRowShapeError extends Error {
  override readonly name = 'ProductRowShapeError';
  constructor(id: unknown) {
    super(
      `products row ${typeof id === 'string' ? JSON.stringify(id.slice(0, 64)) : '?'} does not have the expected shape`,
    );
  }
}

export interface MysqlInventoryOptions {
  /** Idle pooled connections are closed after this long (default 60 s). */
  idleTimeoutMs?: number;
  /** A TCP connection attempt gives up after this long (default 5 s); lookups stop waiting sooner. */
  connectTimeoutMs?: number;
  /** Kept for the turn's answer after a query: the query gets `forCall(reserveMs)` (default 100). */
  reserveMs?: number;
}

/** Counts for tests and logs. */
export interface MysqlInventoryStats {
  /** Connections destroyed because their query was abandoned or failed. */
  destroyed: number;
  /** Connections that arrived after their lookup had given up, and went straight back. */
  lateArrivals: number;
}

export interface MysqlInventory extends Inventory {
  readonly stats: MysqlInventoryStats;
}

/**
 * Products in a MySQL/MariaDB table. The mysql2 pool is created on first use (its import is
 * loaded then, not at cold start) and kept for later invocations: bounded size and queue,
 * idle connections closed, TCP keep-alive. Every wait (for a connection, for the query) is
 * bounded by the turn's budget: a query that would outlive it is abandoned and its connection
 * destroyed, never returned to the pool mid-query.
 */
export function mysqlInventory(
  settings: MysqlSettings | undefined,
  options: MysqlInventoryOptions = {},
): MysqlInventory {
  const stats: MysqlInventoryStats = { destroyed: 0, lateArrivals: 0 };
  let created: Pool | undefined;
  const pool = lazyAsync(async () => {
    if (!settings) {
      throw new FulfillmentError('failed-precondition', 'MYSQL_URL is not set');
    }
    const { createPool } = await import('mysql2/promise');
    created = createPool({
      ...(settings.socketPath
        ? { socketPath: settings.socketPath }
        : { host: settings.host, port: settings.port }),
      user: settings.user,
      password: settings.password,
      database: settings.database,
      charset: 'utf8mb4_unicode_ci',
      connectionLimit: settings.connectionLimit,
      waitForConnections: true,
      queueLimit: settings.queueLimit,
      // mysql2 closes idle connections only while maxIdle < connectionLimit.
      maxIdle: Math.max(1, settings.connectionLimit - 1),
      idleTimeout: options.idleTimeoutMs ?? 60_000,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10_000,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      multipleStatements: false,
    });
    return created;
  });
  const reserveMs = options.reserveMs ?? 100;

  /** A pooled connection within the budget; one that comes after we gave up goes back. */
  async function acquire(budget: Budget): Promise<PoolConnection> {
    const pending = (await budget.bound(pool(), 'mysql pool', reserveMs)).getConnection();
    try {
      return await budget.bound(pending, 'mysql connection', reserveMs);
    } catch (err) {
      pending.then(
        (late) => {
          stats.lateArrivals++;
          late.release();
        },
        () => {},
      );
      throw err;
    }
  }

  async function query(budget: Budget, params: string[], retries = 1): Promise<RowDataPacket[]> {
    const connection = await acquire(budget);
    let clean = false;
    try {
      const [rows] = await budget.bound(
        connection.execute<RowDataPacket[]>(FIND_PRODUCT_SQL, params),
        'mysql query',
        reserveMs,
      );
      clean = true;
      return rows;
    } catch (err) {
      // A pooled connection the server or network dropped while idle fails on first use;
      // lookups are reads, so one retry on a fresh connection is safe while time is left.
      if (retries > 0 && isConnectionLost(err) && budget.forCall(reserveMs) > 0) {
        discard(connection);
        return query(budget, params, retries - 1);
      }
      throw err;
    } finally {
      if (clean) connection.release();
      else discard(connection);
    }
  }

  /** Abandoned mid-query or broken: its state is unknown, so it never serves another turn. */
  function discard(connection: PoolConnection): void {
    if (discarded.has(connection)) return;
    discarded.add(connection);
    stats.destroyed++;
    connection.destroy();
  }
  const discarded = new WeakSet<PoolConnection>();

  return {
    source: 'mysql',
    stats,
    async findProduct(text, budget) {
      const key = productKey(text);
      const rows = await query(budget, [key, key, key, key, key]);
      const row = rows[0];
      if (!row) return undefined;
      const parsed = ProductRow.safeParse(row);
      if (!parsed.success) throw new ProductRowShapeError(row.id);
      return toProduct(parsed.data);
    },
    async close() {
      const p = created;
      created = undefined;
      await p?.end();
    },
  };
}

function toProduct(row: z.infer<typeof ProductRow>): Product {
  const names: ProductNames = { en: row.name_en };
  if (row.name_zh_tw) names['zh-TW'] = row.name_zh_tw;
  if (row.name_ja) names.ja = row.name_ja;
  return { id: row.id, names, stock: row.stock };
}

/** mysql2 marks errors that ended the connection (not just the statement) as fatal. */
function isConnectionLost(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { fatal?: unknown }).fatal === true;
}
