import { say, type IntentHandler } from '../../shared/conversation';
import { isSafeDocumentId, type FirestoreFactory } from '../../shared/firestore';
import { productName, readProduct } from '../documents';
import { backendFailure } from './backend-failure';

/** check_inventory (product): stock of `products/{product}`, named in the user's language. */
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
      const name = productName(doc, ctx.language);
      if (doc.stock <= 0) return say(ctx.t.productOutOfStock({ name }));
      return say(ctx.t.productInStock({ name, stock: doc.stock }));
    } catch (err) {
      return backendFailure(ctx, 'firestore', err);
    }
  };
}
