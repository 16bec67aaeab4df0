import { z } from 'zod';

/** `orders/{orderId}` */
export const OrderDoc = z.looseObject({
  status: z.string().min(1),
  deliveryDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  items: z.array(z.unknown()).optional(),
});
export type OrderDoc = z.infer<typeof OrderDoc>;

/** `products/{productId}` */
export const ProductDoc = z.looseObject({
  name: z.string().min(1),
  stock: z.number().int().min(0),
});
export type ProductDoc = z.infer<typeof ProductDoc>;

/** Document ids we read: never a path (`/`), never `.`/`..`, never `__reserved__`. */
export function isSafeDocumentId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) && !/^__.*__$/.test(id);
}
