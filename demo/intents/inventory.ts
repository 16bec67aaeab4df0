import { say, type IntentHandler } from '../../shared/conversation';
import { isSafeDocumentId, type FirestoreFactory } from '../../shared/firestore';
import { readProduct } from '../documents';
import { backendFailure } from './backend-failure';

/** check_inventory (product): stock of `products/{product}`. */
export function checkInventory(db: FirestoreFactory): IntentHandler {
  return async (ctx) => {
    const product = ctx.params.id('product');
    if (!product || !isSafeDocumentId(product)) return say(ctx.t.askProduct);
    try {
      // Entity values are often capitalised ("Latte"); ids are stored in lower case.
      const doc =
        (await readProduct(db, product, ctx.budget)) ??
        (product !== product.toLowerCase()
          ? await readProduct(db, product.toLowerCase(), ctx.budget)
          : undefined);
      if (!doc) return say(ctx.t.productUnknown({ product }));
      if (doc.stock <= 0) return say(ctx.t.productOutOfStock({ name: doc.name }));
      return say(ctx.t.productInStock({ name: doc.name, stock: doc.stock }));
    } catch (err) {
      return backendFailure(ctx, 'firestore', err);
    }
  };
}
