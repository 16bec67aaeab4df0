import type { Budget } from '@dialogflow-functions/core/deadline';
import {
  DocumentShapeError,
  isSafeDocumentId,
  type FirestoreFactory,
} from '@dialogflow-functions/core/firestore';
import { PRODUCTS, ProductDoc, readProduct } from '../documents';
import { productKey, type Inventory, type Product } from './inventory';

/**
 * Products in Firestore: `products/{id}` by id (as given, then its lookup key, since ids are
 * stored in lower case), else the one whose `nameKeys` holds the query's key.
 */
export function firestoreInventory(db: FirestoreFactory): Inventory {
  return {
    source: 'firestore',
    async findProduct(query, budget) {
      const key = productKey(query);
      for (const id of new Set([query, key])) {
        if (!isSafeDocumentId(id)) continue;
        const doc = await readProduct(db, id, budget);
        if (doc) return toProduct(id, doc);
      }
      return findByName(db, key, budget);
    },
    async close() {},
  };
}

async function findByName(
  db: FirestoreFactory,
  key: string,
  budget: Budget,
): Promise<Product | undefined> {
  const snapshot = await budget.bound(
    db().then((firestore) =>
      firestore.collection(PRODUCTS).where('nameKeys', 'array-contains', key).limit(1).get(),
    ),
    `query ${PRODUCTS}`,
  );
  const found = snapshot.docs[0];
  if (!found) return undefined;
  const parsed = ProductDoc.safeParse(found.data());
  if (!parsed.success) throw new DocumentShapeError(`${PRODUCTS}/${found.id}`);
  return toProduct(found.id, parsed.data);
}

function toProduct(id: string, doc: ProductDoc): Product {
  const { 'zh-TW': zh, ja } = doc.names ?? {};
  return {
    id,
    names: { en: doc.name, ...(zh ? { 'zh-TW': zh } : {}), ...(ja ? { ja } : {}) },
    stock: doc.stock,
  };
}

/** The Firestore document for a product: DESIGN's `{name, stock}` plus names and lookup keys. */
export function productDocument(product: Product): ProductDoc {
  const names = Object.values(product.names).filter((n): n is string => Boolean(n));
  return {
    name: product.names.en,
    stock: product.stock,
    names: { ...product.names },
    nameKeys: [...new Set(names.map(productKey))],
  };
}
