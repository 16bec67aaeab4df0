import {
  say,
  show,
  type Card,
  type IntentHandler,
  type TurnContext,
} from '@dialogflow-functions/core/conversation';
import { isSafeDocumentId, type FirestoreFactory } from '@dialogflow-functions/core/firestore';
import { readOrder, type OrderDoc } from '../documents';
import { backendFailure } from './backend-failure';

/**
 * check_order (order_id): the order's status and delivery date as a card, with a sentence for
 * text-only channels. Asks when the id is missing, says so when it is not an order number.
 */
export function checkOrder(db: FirestoreFactory): IntentHandler {
  return async (ctx) => {
    // A value of the wrong shape (an object, a boolean) counts as missing: ask again.
    const typed = ctx.params.string('order_id');
    if (!typed) return say(ctx.t.askOrderId);
    const id = ctx.params.id('order_id');
    if (!id || !isSafeDocumentId(id)) return say(ctx.t.orderIdInvalid);
    try {
      const order = await readOrder(db, id, ctx.budget);
      if (!order) return say(ctx.t.orderNotFound({ id }));
      return show(orderCard(ctx, id, order), { suggestions: ctx.t.orderSuggestions });
    } catch (err) {
      return backendFailure(ctx, 'firestore', err);
    }
  };
}

/** The order as a card: status as the subtitle, the delivery date (none for a cancelled order). */
function orderCard(ctx: TurnContext, id: string, order: OrderDoc): Card {
  const { t } = ctx;
  const key = order.status.toLowerCase();
  const status = t.orderStatusNames[key] ?? order.status;
  const { deliveryDate } = order;
  const card = {
    kind: 'card',
    title: t.orderCardTitle({ id }),
    subtitle: capitalise(status),
  } as const;
  switch (key) {
    case 'cancelled':
      return { ...card, fallback: t.orderCancelled({ id }) };
    case 'delivered':
      return {
        ...card,
        text: t.orderCardDeliveredOn({ deliveryDate }),
        fallback: t.orderDelivered({ id, deliveryDate }),
      };
    default:
      return {
        ...card,
        text: t.orderCardDeliveryDate({ deliveryDate }),
        fallback: t.orderStatus({ id, status, deliveryDate }),
      };
  }
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * validate_order_id: a CX form-validation webhook. A malformed order_id is marked INVALID
 * (and cleared) with a message, so CX asks again; a well-formed one is marked FILLED (valid); an absent
 * one is left to the form.
 */
export const validateOrderId: IntentHandler = (ctx) => {
  const present = ctx.parameters.order_id !== undefined && ctx.parameters.order_id !== '';
  if (!present) return { texts: [] };
  const id = ctx.params.id('order_id');
  if (id && isSafeDocumentId(id)) {
    return { texts: [], form: [{ parameter: 'order_id', state: 'FILLED' }] };
  }
  return { texts: [ctx.t.orderIdInvalid], form: [{ parameter: 'order_id', state: 'INVALID' }] };
};
