import { join, resolve } from 'node:path';
import { parseMysqlUrl } from '../src/env';
import { migrateMysql } from '../src/inventory/migrate';
import { runningLocalMariadb } from './mariadb';

/**
 * INVENTORY_SOURCE=mysql: the schema migrations and the demo products, into MYSQL_URL or the
 * local MariaDB `npm start` runs (found from its data folder).
 */
export async function seedMysql(
  env: Readonly<NodeJS.ProcessEnv>,
  projectDir: string,
): Promise<string> {
  const given = env.MYSQL_URL ? parseMysqlUrl(env.MYSQL_URL) : undefined;
  if (typeof given === 'string') throw new Error(`MYSQL_URL ${given}`);
  const settings = given ?? runningLocalMariadb(join(dataFolder(env, projectDir), 'mariadb'));
  if (!settings) {
    throw new Error(
      'INVENTORY_SOURCE=mysql: set MYSQL_URL, or run `INVENTORY_SOURCE=mysql npm start` (its local MariaDB is used when MYSQL_URL is not set).',
    );
  }
  const report = await migrateMysql(settings);
  const where = settings.socketPath ?? `${settings.host}:${settings.port}`;
  return `MySQL ${where}/${settings.database}: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'schema up to date'}; wrote ${report.products} demo products`;
}

/** The project's local data: .data/, or DFF_DATA_DIR (as `dff`'s dataDir() reads it). */
function dataFolder(env: Readonly<NodeJS.ProcessEnv>, projectDir: string): string {
  const dir = env.DFF_DATA_DIR ?? process.env.DFF_DATA_DIR;
  return dir ? resolve(dir) : join(projectDir, '.data');
}
