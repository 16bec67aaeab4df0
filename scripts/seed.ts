/*
 * `npm run seed`: the demo data, into the sources configured. Orders go to the Firestore
 * emulator at FIRESTORE_EMULATOR_HOST; products to the inventory INVENTORY_SOURCE names:
 * Firestore, or MySQL (MYSQL_URL, else the local MariaDB `npm start` runs), where the schema
 * migrations of demo/inventory/migrations are applied first.
 */
import { join } from 'node:path';
import { parseConfig } from '../shared/config';
import { seedEmulator } from '../demo/seed-data';
import { migrateMysql } from '../demo/inventory/migrate';
import { runningLocalMariadb } from './lib/mariadb';
import { ROOT } from './lib/processes';

async function main(): Promise<void> {
  const config = parseConfig();
  const host = config.firestore.emulatorHost;
  const mysql = config.inventory.source === 'mysql';

  if (mysql) {
    const settings = config.inventory.mysql ?? runningLocalMariadb(join(ROOT, '.data', 'mariadb'));
    if (!settings) {
      console.error(
        'INVENTORY_SOURCE=mysql: set MYSQL_URL, or run `INVENTORY_SOURCE=mysql npm start` (its local MariaDB is used when MYSQL_URL is not set).',
      );
      process.exit(2);
    }
    const report = await migrateMysql(settings);
    const where = settings.socketPath ?? `${settings.host}:${settings.port}`;
    console.log(
      `MySQL ${where}/${settings.database}: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'schema up to date'}; wrote ${report.products} demo products.`,
    );
  }

  if (!host) {
    if (mysql) {
      console.log('FIRESTORE_EMULATOR_HOST is not set: the demo orders were not written.');
      return;
    }
    console.error(
      'FIRESTORE_EMULATOR_HOST is not set: seed writes to an emulator only (npm start sets it).',
    );
    process.exit(2);
  }
  const count = await seedEmulator(host, config.projectId, { products: !mysql });
  console.log(`Seeded ${count} demo documents into ${host} (project ${config.projectId}).`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
