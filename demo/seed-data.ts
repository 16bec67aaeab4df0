import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '../shared/firestore';
import { ORDERS, PRODUCTS, type OrderDoc, type ProductDoc } from './documents';

/** The demo agent's data: what `npm run seed` writes and the README's examples use. */
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

export const DEMO_PRODUCTS: Record<string, ProductDoc> = {
  latte: {
    name: 'Latte beans',
    names: { en: 'Latte beans', 'zh-TW': '拿鐵咖啡豆', ja: 'ラテ用コーヒー豆' },
    stock: 42,
  },
  matcha: {
    name: 'Matcha powder',
    names: { en: 'Matcha powder', 'zh-TW': '抹茶粉', ja: '抹茶パウダー' },
    stock: 0,
  },
  croissant: {
    name: 'Croissant',
    names: { en: 'Croissant', 'zh-TW': '可頌', ja: 'クロワッサン' },
    stock: 7,
  },
  'oolong-tea': {
    name: 'Oolong tea',
    names: { en: 'Oolong tea', 'zh-TW': '烏龍茶', ja: '烏龍茶' },
    stock: 15,
  },
};

/** Writes the demo documents (a set per document: running it twice gives the same data). */
export async function seedDemoData(db: Firestore): Promise<number> {
  const batch = db.batch();
  let count = 0;
  for (const [id, doc] of Object.entries(DEMO_ORDERS)) {
    batch.set(db.collection(ORDERS).doc(id), doc);
    count++;
  }
  for (const [id, doc] of Object.entries(DEMO_PRODUCTS)) {
    batch.set(db.collection(PRODUCTS).doc(id), doc);
    count++;
  }
  await batch.commit();
  return count;
}

/** Seeds the demo data into the emulator at `host` with a client of its own. */
export async function seedEmulator(host: string, projectId: string): Promise<number> {
  const db = new Firestore({ projectId, ...emulatorSettings(host) });
  try {
    return await seedDemoData(db);
  } finally {
    await db.terminate();
  }
}
