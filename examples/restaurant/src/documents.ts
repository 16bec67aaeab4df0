import * as z from 'zod';
import type { Budget } from '@dialogflow-functions/core/conversation';
import { readDocument, type FirestoreFactory } from '@dialogflow-functions/core/firestore';

/** `orders/{orderId}` */
export const OrderDoc = z.looseObject({
  status: z.string().min(1),
  deliveryDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  items: z.array(z.unknown()).optional(),
});
export type OrderDoc = z.infer<typeof OrderDoc>;

/**
 * `products/{productId}`: `name` is the English name; `names` (per reply language: `{en,
 * 'zh-TW', ja}`) and `nameKeys` (the names' lookup keys, for finding a product by name) are
 * optional extras.
 */
export const ProductDoc = z.looseObject({
  name: z.string().min(1),
  stock: z.number().int().min(0),
  names: z
    .looseObject({
      en: z.string().min(1).optional(),
      'zh-TW': z.string().min(1).optional(),
      ja: z.string().min(1).optional(),
    })
    .optional(),
  nameKeys: z.array(z.string()).optional(),
});
export type ProductDoc = z.infer<typeof ProductDoc>;

export const ORDERS = 'orders';
export const PRODUCTS = 'products';

export const readOrder = (db: FirestoreFactory, id: string, budget: Budget) =>
  readDocument(db, ORDERS, id, OrderDoc, budget);

export const readProduct = (db: FirestoreFactory, id: string, budget: Budget) =>
  readDocument(db, PRODUCTS, id, ProductDoc, budget);
