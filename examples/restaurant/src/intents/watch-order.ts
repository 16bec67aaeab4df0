import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import type { FirestoreFactory } from '@dialogflow-functions/core/firestore';
import { readOrder } from '../documents';
import { hasShipped } from '../jobs/watch-order';
import { backendFailure } from './backend-failure';
import { emailAddress, withJobId } from './job-reply';
import { orderIdParam } from './order-id';

/**
 * watch_order (order_id, email optional): "tell me when order 1002 ships". Says at once when
 * the order is unknown or already shipped; otherwise queues a watch_order job that notifies
 * once it ships.
 */
export function watchOrderIntent(db: FirestoreFactory): IntentHandler {
  return async (ctx) => {
    const id = orderIdParam(ctx);
    if (id.kind === 'missing') return say(ctx.t.askOrderId);
    if (id.kind === 'invalid') return say(ctx.t.orderIdInvalid);
    const orderId = id.value;
    try {
      const order = await readOrder(db, orderId, ctx.budget);
      if (!order) return say(ctx.t.orderNotFound({ id: orderId }));
      if (hasShipped(order.status)) {
        const status = ctx.t.orderStatusNames[order.status.toLowerCase()] ?? order.status;
        return say(
          ctx.t.watchOrderAlreadyShipped({ orderId, status, deliveryDate: order.deliveryDate }),
        );
      }
    } catch (err) {
      return backendFailure(ctx, 'firestore', err);
    }
    const email = emailAddress(ctx.params.string('email'));
    const outcome = await ctx.defer({ type: 'watch_order', request: { orderId } }, { email });
    if (!outcome.ok) {
      return say(outcome.uncertain ? ctx.t.jobUncertain(outcome) : ctx.t.watchOrderNotQueued);
    }
    return withJobId(say(ctx.t.watchOrderQueued({ orderId, jobId: outcome.jobId })), outcome.jobId);
  };
}
