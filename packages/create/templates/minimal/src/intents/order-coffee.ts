import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import { MAX_CUPS } from '../jobs/brew';
import { en } from '../messages';

/**
 * order_coffee (parameter `cups`, @sys.number): checks the number, then hands the brewing to
 * the worker (the `brew` job) and answers at once with the order number.
 */
export const orderCoffee: IntentHandler = async (ctx) => {
  const cups = ctx.params.number('cups');
  if (cups === undefined) return say(en.askCups);
  if (!Number.isInteger(cups) || cups < 1 || cups > MAX_CUPS) return say(en.tooMany(MAX_CUPS));
  const outcome = await ctx.defer({ type: 'brew', request: { cups } });
  if (!outcome.ok) return say(en.notQueued);
  return say(en.brewing(cups, outcome.jobId));
};
