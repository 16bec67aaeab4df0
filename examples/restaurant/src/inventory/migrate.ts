import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Firestore } from '@google-cloud/firestore';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import * as z from 'zod';
import type { MysqlSettings } from '../env';
import { PRODUCTS } from '../documents';
import { productDocument } from './firestore';
import type { Product } from './inventory';

/**
 * The inventory's migrations, applied in file-name order by `npm run seed` (and `npm start`):
 * - `NNN-name.sql`: schema changes for MySQL, each applied once and recorded with its checksum
 *   in `schema_migrations` (a recorded file that changed afterwards is refused);
 * - `NNN-name.json`: data (`{"products": [{id, names: {en, "zh-TW", ja}, stock}]}`), upserted after
 *   the schema on every run, into MySQL or Firestore, whichever source is configured.
 */
export const MIGRATIONS_DIR = join(__dirname, 'migrations');

const FILE_NAME = /^(\d{3,})-[a-z0-9-]+\.(sql|json)$/;

const ProductSeed = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'ids are lower-case letters, digits, _ and -'),
  names: z.strictObject({
    en: z.string().min(1).max(200),
    'zh-TW': z.string().min(1).max(200).optional(),
    ja: z.string().min(1).max(200).optional(),
  }),
  stock: z.number().int().min(0),
});
const DataFile = z.strictObject({ products: z.array(ProductSeed) });

export interface Migration {
  /** The file name, e.g. `001-create-products.sql`. */
  version: string;
  kind: 'sql' | 'data';
  text: string;
  checksum: string;
}

/** The migration files of `dir`, in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE_NAME.test(f))
    .sort()
    .map((version) => {
      const text = readFileSync(join(dir, version), 'utf8');
      return {
        version,
        kind: version.endsWith('.sql') ? 'sql' : 'data',
        text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    });
}

/** The products the data migrations of `dir` hold (a later file's row replaces an earlier one). */
export function seedProducts(dir = MIGRATIONS_DIR): Product[] {
  const byId = new Map<string, Product>();
  for (const m of readMigrations(dir)) {
    if (m.kind !== 'data') continue;
    const parsed = DataFile.safeParse(JSON.parse(m.text));
    if (!parsed.success) {
      throw new Error(`${m.version}: ${parsed.error.issues[0]?.message ?? 'invalid data file'}`);
    }
    for (const p of parsed.data.products) byId.set(p.id, p);
  }
  return [...byId.values()];
}

export interface MigrationReport {
  /** Schema files applied by this run (the others were already). */
  applied: string[];
  /** Product rows written. */
  products: number;
}

/** A connection for migrations only: it runs whole .sql files, so it allows several statements. */
export async function connectMysql(
  settings: MysqlSettings,
  multipleStatements = false,
): Promise<Connection> {
  const { createConnection } = await import('mysql2/promise');
  return createConnection({
    ...(settings.socketPath
      ? { socketPath: settings.socketPath }
      : { host: settings.host, port: settings.port }),
    user: settings.user,
    password: settings.password,
    database: settings.database,
    charset: 'utf8mb4_unicode_ci',
    multipleStatements,
    connectTimeout: 10_000,
  });
}

/**
 * Applies the pending schema migrations of `dir` to the database of `settings`, then upserts
 * the data files. Concurrent runs wait for each other (a named lock).
 */
export async function migrateMysql(
  settings: MysqlSettings,
  dir = MIGRATIONS_DIR,
): Promise<MigrationReport> {
  const migrations = readMigrations(dir);
  const products = seedProducts(dir);
  const connection = await connectMysql(settings, true);
  try {
    const [[lock]] = await connection.query<({ locked: number | null } & RowDataPacket)[]>(
      'SELECT GET_LOCK(?, 60) AS locked',
      ['inventory_migrations'],
    );
    if (lock?.locked !== 1) throw new Error('another migration run holds the lock');
    await connection.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (' +
        'version VARCHAR(255) NOT NULL PRIMARY KEY, ' +
        'checksum CHAR(64) NOT NULL, ' +
        'applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    );
    const [done] = await connection.query<
      ({ version: string; checksum: string } & RowDataPacket)[]
    >('SELECT version, checksum FROM schema_migrations');
    const recorded = new Map(done.map((r) => [r.version, r.checksum]));
    const applied: string[] = [];
    for (const m of migrations) {
      if (m.kind !== 'sql') continue;
      const checksum = recorded.get(m.version);
      if (checksum === m.checksum) continue;
      if (checksum !== undefined) {
        throw new Error(
          `${m.version} changed after it was applied: add a new migration instead of editing it`,
        );
      }
      // MySQL commits DDL as it goes: a file that fails half-way is not recorded and says so.
      try {
        await connection.query(m.text);
      } catch (err) {
        throw new Error(`${m.version} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      await connection.execute('INSERT INTO schema_migrations (version, checksum) VALUES (?, ?)', [
        m.version,
        m.checksum,
      ]);
      applied.push(m.version);
    }
    await connection.beginTransaction();
    for (const p of products) {
      await connection.execute(
        'INSERT INTO products (id, name_en, name_zh_tw, name_ja, stock) VALUES (?, ?, ?, ?, ?) ' +
          'ON DUPLICATE KEY UPDATE name_en = VALUES(name_en), name_zh_tw = VALUES(name_zh_tw), ' +
          'name_ja = VALUES(name_ja), stock = VALUES(stock)',
        [p.id, p.names.en, p.names['zh-TW'] ?? null, p.names.ja ?? null, p.stock],
      );
    }
    await connection.commit();
    await connection.query('SELECT RELEASE_LOCK(?)', ['inventory_migrations']);
    return { applied, products: products.length };
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/** Writes the data files' products to Firestore `products/{id}` (a set per document). */
export async function seedFirestoreProducts(db: Firestore, dir = MIGRATIONS_DIR): Promise<number> {
  const products = seedProducts(dir);
  const batch = db.batch();
  for (const p of products) batch.set(db.collection(PRODUCTS).doc(p.id), productDocument(p));
  await batch.commit();
  return products.length;
}
