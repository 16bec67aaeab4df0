import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { ORDERS, type OrderDoc, type ProductDoc } from './documents';
import { productDocument } from './inventory/firestore';
import { seedFirestoreProducts, seedProducts } from './inventory/migrate';

/** The demo agent's orders: what `npm run seed` writes and the README's examples use. */
export const DEMO_ORDERS: Record<string, OrderDoc> = {
  '1001': {
    status: 'shipped',
    deliveryDate: '2026-12-01',
    items: [{ sku: 'latte-beans', qty: 2 }],
  },
  '1002': { status: 'processing', deliveryDate: '2026-12-05', items: [{ sku: 'matcha', qty: 1 }] },
  '1003': { status: 'delivered', deliveryDate: '2026-11-20' },
  'A-1004': { status: 'cancelled', deliveryDate: '2026-11-28' },
};

/** The demo products as Firestore stores them (from demo/inventory/migrations). */
export const DEMO_PRODUCTS: Record<string, ProductDoc> = Object.fromEntries(
  seedProducts().map((p) => [p.id, productDocument(p)]),
);

/**
 * Writes the demo documents (a set per document: running it twice gives the same data): the
 * orders, and the products of demo/inventory/migrations unless `products: false` (when the
 * inventory lives in MySQL).
 */
export async function seedDemoData(
  db: Firestore,
  options: { products?: boolean } = {},
): Promise<number> {
  const batch = db.batch();
  let count = 0;
  for (const [id, doc] of Object.entries(DEMO_ORDERS)) {
    batch.set(db.collection(ORDERS).doc(id), doc);
    count++;
  }
  await batch.commit();
  if (options.products !== false) count += await seedFirestoreProducts(db);
  return count;
}

/** Seeds the demo data into the emulator at `host` with a client of its own. */
export async function seedEmulator(
  host: string,
  projectId: string,
  options: { products?: boolean } = {},
): Promise<number> {
  const db = new Firestore({ projectId, ...emulatorSettings(host) });
  try {
    return await seedDemoData(db, options);
  } finally {
    await db.terminate();
  }
}
