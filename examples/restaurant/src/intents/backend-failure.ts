import { say, type Reply, type TurnContext } from '@dialogflow-functions/core/conversation';
import { errorMessage, FulfillmentError } from '@dialogflow-functions/core/errors';

/**
 * The polite reply for a backend that failed or ran out of time, with a logged warning
 * (kind of failure only: never the parameters).
 */
export function backendFailure(
  ctx: TurnContext,
  backend: string,
  err: unknown,
  /** What to say when the backend failed (not merely slow); default: "can't look that up". */
  downMessage: string = ctx.t.backendDown,
): Reply {
  const slow = err instanceof FulfillmentError && err.code === 'deadline-exceeded';
  ctx.log.warn(slow ? 'backend too slow for the budget' : 'backend failed', {
    backend,
    error: errorMessage(err),
    remainingMs: ctx.budget.remaining(),
  });
  return say(slow ? ctx.t.backendSlow : downMessage);
}
