import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import { MAX_PRODUCT_QUERY_LENGTH, type Inventory } from '../inventory';
import { backendFailure } from './backend-failure';

/** check_inventory (product): stock of the product with that id or name (INVENTORY_SOURCE). */
export function checkInventory(inventory: Inventory): IntentHandler {
  return async (ctx) => {
    const product = ctx.params.string('product');
    if (!product || product.length > MAX_PRODUCT_QUERY_LENGTH) return say(ctx.t.askProduct);
    try {
      const found = await inventory.findProduct(product, ctx.budget);
      if (!found) return say(ctx.t.productUnknown({ product }));
      const name = found.names[ctx.language] ?? found.names.en;
      if (found.stock <= 0) return say(ctx.t.productOutOfStock({ name }));
      return say(ctx.t.productInStock({ name, stock: found.stock }));
    } catch (err) {
      return backendFailure(ctx, inventory.source, err);
    }
  };
}
