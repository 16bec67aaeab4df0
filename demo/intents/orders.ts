import { say, type IntentHandler } from '../../shared/conversation';
import { isSafeDocumentId, type FirestoreFactory } from '../../shared/firestore';
import { readOrder } from '../documents';
import { backendFailure } from './backend-failure';

/** check_order (order_id): status and delivery date of `orders/{order_id}`. */
export function checkOrder(db: FirestoreFactory): IntentHandler {
  return async (ctx) => {
    const id = ctx.params.id('order_id');
    if (!id || !isSafeDocumentId(id)) return say(ctx.t.askOrderId);
    try {
      const order = await readOrder(db, id, ctx.budget);
      if (!order) return say(ctx.t.orderNotFound({ id }));
      const status = ctx.t.orderStatusNames[order.status.toLowerCase()] ?? order.status;
      return say(ctx.t.orderStatus({ id, status, deliveryDate: order.deliveryDate }));
    } catch (err) {
      return backendFailure(ctx, 'firestore', err);
    }
  };
}

/**
 * validate_order_id: a CX form-validation webhook. A malformed order_id is marked INVALID
 * (and cleared) with a message, so CX asks again; a well-formed or absent one is left alone.
 */
export const validateOrderId: IntentHandler = (ctx) => {
  const present = ctx.parameters.order_id !== undefined && ctx.parameters.order_id !== '';
  if (!present) return { texts: [] };
  const id = ctx.params.id('order_id');
  if (id && isSafeDocumentId(id)) return { texts: [] };
  return { texts: [ctx.t.orderIdInvalid], form: [{ parameter: 'order_id', state: 'INVALID' }] };
};
