import * as z from 'zod';
import { isSafeDocumentId } from '@dialogflow-functions/core/firestore';
import { defineJob, type Refusal } from '@dialogflow-functions/core/jobs';
import type { Messages } from '@dialogflow-functions/core/messages';
import { ORDERS, OrderDoc } from '../documents';

/*
 * The watch_order job ("tell me when order 1002 ships"): checks the order, and while it has not
 * shipped runs again WATCH_ORDER_CHECK_SECONDS later (its own scheduled Cloud Task); finishes
 * once it has shipped, or after seven days, and the user is notified once either way.
 */

/** How long an order is watched before giving up. */
export const WATCH_DAYS = 7;
/** Order statuses that count as shipped. */
export const SHIPPED_STATUSES = new Set(['shipped', 'delivered']);

export const WatchOrderRequest = z.strictObject({ orderId: z.string().min(1).max(64) });
export type WatchOrderRequest = z.infer<typeof WatchOrderRequest>;

export const WatchOrderResult = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('shipped'),
    orderId: z.string(),
    status: z.string(),
    deliveryDate: z.string(),
  }),
  z.strictObject({ outcome: z.literal('gave-up'), orderId: z.string(), days: z.number() }),
  z.strictObject({ outcome: z.literal('missing'), orderId: z.string() }),
]);
export type WatchOrderResult = z.infer<typeof WatchOrderResult>;

/** Whether an order status counts as shipped. */
export function hasShipped(status: string): boolean {
  return SHIPPED_STATUSES.has(status.toLowerCase());
}

function explainWatch(refusal: Refusal, t: Messages): string {
  return refusal.code === 'order-id' ? t.orderIdInvalid : t.apology;
}

export const watchOrder = defineJob({
  type: 'watch_order',
  request: WatchOrderRequest,
  result: WatchOrderResult,
  validate: (request) => (isSafeDocumentId(request.orderId) ? undefined : { code: 'order-id' }),
  explain: explainWatch,

  /** One check of the order: done when it shipped (or is gone, or after 7 days), else later. */
  async run({ db, request, createdAt, config, now }) {
    const snap = await db.collection(ORDERS).doc(request.orderId).get();
    if (!snap.exists) return { result: { outcome: 'missing' as const, orderId: request.orderId } };
    const order = OrderDoc.parse(snap.data());
    if (hasShipped(order.status)) {
      return {
        result: {
          outcome: 'shipped' as const,
          orderId: request.orderId,
          status: order.status.toLowerCase(),
          deliveryDate: order.deliveryDate,
        },
      };
    }
    const next = new Date(now().getTime() + config.watchOrder.checkSeconds * 1000);
    if (next.getTime() - createdAt.getTime() > WATCH_DAYS * 86_400_000) {
      return {
        result: { outcome: 'gave-up' as const, orderId: request.orderId, days: WATCH_DAYS },
      };
    }
    return { later: next };
  },

  describe(view, t) {
    const orderId = view.request.orderId;
    switch (view.status) {
      case 'queued':
      case 'running':
        return t.watchOrderWatching({ orderId, jobId: view.jobId });
      case 'succeeded': {
        const r = view.result;
        if (r.outcome === 'shipped') {
          const status = t.orderStatusNames[r.status] ?? r.status;
          return t.watchOrderShipped({ orderId, status, deliveryDate: r.deliveryDate });
        }
        if (r.outcome === 'gave-up') return t.watchOrderGaveUp({ orderId, days: r.days });
        return t.orderNotFound({ id: orderId });
      }
      case 'failed':
        return view.refusal
          ? t.jobRefused({ jobId: view.jobId, reason: explainWatch(view.refusal, t) })
          : t.jobFailed({ jobId: view.jobId });
    }
  },
  notifies: 'all',
});
