import type { BotConfig as Config } from '@dialogflow-functions/core/config';
import type { FirestoreFactory } from '@dialogflow-functions/core/firestore';
import { firestoreInventory } from './firestore';
import type { Inventory } from './inventory';
import { mysqlInventory } from './mysql';

export * from './inventory';
export { firestoreInventory, productDocument } from './firestore';
export { mysqlInventory, ProductRowShapeError, type MysqlInventory } from './mysql';

/**
 * The inventory `INVENTORY_SOURCE` names: Firestore `products/{id}` (default) or the MySQL
 * database of `MYSQL_URL`. Nothing connects until the first lookup.
 */
export function createInventory(
  config: Pick<Config, 'inventory'>,
  deps: { db: FirestoreFactory },
): Inventory {
  return config.inventory.source === 'mysql'
    ? mysqlInventory(config.inventory.mysql)
    : firestoreInventory(deps.db);
}
