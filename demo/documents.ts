import { z } from 'zod';
import type { Budget } from '../shared/conversation';
import { readDocument, type FirestoreFactory } from '../shared/firestore';
import type { Language } from '../shared/messages';

/** `orders/{orderId}` */
export const OrderDoc = z.looseObject({
  status: z.string().min(1),
  deliveryDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  items: z.array(z.unknown()).optional(),
});
export type OrderDoc = z.infer<typeof OrderDoc>;

/** `products/{productId}`: `name`, plus optional names per reply language (`{en, 'zh-TW', ja}`). */
export const ProductDoc = z.looseObject({
  name: z.string().min(1),
  stock: z.number().int().min(0),
  // Localised names are a nicety: a malformed map is ignored, never a failed read.
  names: z.record(z.string(), z.string().min(1)).optional().catch(undefined),
});
export type ProductDoc = z.infer<typeof ProductDoc>;

/** The product's name in `language`, else its `name`. */
export function productName(doc: Pick<ProductDoc, 'name' | 'names'>, language: Language): string {
  const names = doc.names;
  return names && Object.prototype.hasOwnProperty.call(names, language)
    ? (names[language] ?? doc.name)
    : doc.name;
}

export const ORDERS = 'orders';
export const PRODUCTS = 'products';

export const readOrder = (db: FirestoreFactory, id: string, budget: Budget) =>
  readDocument(db, ORDERS, id, OrderDoc, budget);

export const readProduct = (db: FirestoreFactory, id: string, budget: Budget) =>
  readDocument(db, PRODUCTS, id, ProductDoc, budget);
