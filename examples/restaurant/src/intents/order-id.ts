import type { TurnContext } from '@dialogflow-functions/core/conversation';
import { isSafeDocumentId } from '@dialogflow-functions/core/firestore';

export type OrderIdParam =
  | { kind: 'missing' }
  | { kind: 'invalid' }
  | { kind: 'ok'; value: string };

/** The `order_id` parameter: missing (ask for it), malformed (say so) or an id to look up. */
export function orderIdParam(ctx: TurnContext, name = 'order_id'): OrderIdParam {
  if (ctx.params.raw(name) === undefined) return { kind: 'missing' };
  const id = ctx.params.id(name);
  return id && isSafeDocumentId(id) ? { kind: 'ok', value: id } : { kind: 'invalid' };
}
