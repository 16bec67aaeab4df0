import { errorMessage } from '../errors';
import type { TurnContext } from './context';
import { say, type Reply } from './reply';

/** A handler receives the turn and returns its reply; nothing to forget to call. */
export type IntentHandler = (ctx: TurnContext) => Reply | Promise<Reply>;

/** Intent display names (ES) and tags (CX) to handlers: a `Map` or a plain object. */
export type IntentMap =
  | ReadonlyMap<string, IntentHandler>
  | Readonly<Record<string, IntentHandler>>;

export type TurnOutcome = 'handled' | 'fallback' | 'timeout' | 'error';

export interface TurnResult {
  reply: Reply;
  outcome: TurnOutcome;
}

/** Finds the handler for a name, or `undefined`. */
export function lookupHandler(intents: IntentMap, name: string): IntentHandler | undefined {
  if (intents instanceof Map) return intents.get(name);
  const record = intents as Readonly<Record<string, IntentHandler>>;
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

/**
 * Routes a turn to its handler (unknown names to `fallback`) and guarantees an answer by the
 * budget's deadline: a handler still running then is abandoned (its late result is dropped and
 * `abort` signals its I/O) and the turn gets the "still working" reply; a handler that throws or
 * returns something that is not a reply gets the apology reply. Never rejects.
 */
export async function runTurn(
  ctx: TurnContext,
  intents: IntentMap,
  fallback: IntentHandler,
  abort?: AbortController,
): Promise<TurnResult> {
  return routeTurn(ctx, intents, fallback, abort);
}

/**
 * {@link runTurn} without a promise hop when the handler answers synchronously: the result is
 * returned as it is, with no timer, no race and no abort signal created. A handler that returns a
 * promise is raced against the deadline as `runTurn` describes. `abort` (default: the budget's own
 * signal) is aborted when the deadline wins. Never throws, never rejects.
 */
export function routeTurn(
  ctx: TurnContext,
  intents: IntentMap,
  fallback: IntentHandler,
  abort?: AbortController,
): TurnResult | Promise<TurnResult> {
  const found = ctx.name === '' ? undefined : lookupHandler(intents, ctx.name);
  const handler = found ?? fallback;
  const outcome: TurnOutcome = found ? 'handled' : 'fallback';
  let value: unknown;
  try {
    value = handler(ctx);
  } catch (err) {
    return failed(ctx, err);
  }
  if (!isThenable(value)) return settled(ctx, value, outcome);
  return raceDeadline(ctx, Promise.resolve(value), outcome, abort);
}

const TIMED_OUT = Symbol('timeout');

async function raceDeadline(
  ctx: TurnContext,
  work: Promise<unknown>,
  outcome: TurnOutcome,
  abort: AbortController | undefined,
): Promise<TurnResult> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ctx.budget.remaining(), TIMED_OUT);
  });
  try {
    const result = await Promise.race([work, expiry]);
    if (result === TIMED_OUT) {
      const reason = new Error('webhook deadline reached');
      if (abort) abort.abort(reason);
      else ctx.budget.abort(reason);
      work.then(
        () => ctx.log.warn('late handler result dropped', { intent: ctx.name }),
        (err: unknown) =>
          ctx.log.warn('late handler failure dropped', {
            intent: ctx.name,
            error: errorMessage(err),
          }),
      );
      ctx.log.warn('deadline reached before the handler answered', { intent: ctx.name });
      return { reply: say(ctx.t.stillWorking), outcome: 'timeout' };
    }
    return settled(ctx, result, outcome);
  } catch (err) {
    return failed(ctx, err);
  } finally {
    clearTimeout(timer);
  }
}

function settled(ctx: TurnContext, value: unknown, outcome: TurnOutcome): TurnResult {
  if (!isReply(value)) {
    ctx.log.error('handler returned something that is not a reply', { intent: ctx.name });
    return { reply: say(ctx.t.apology), outcome: 'error' };
  }
  return { reply: value, outcome };
}

function failed(ctx: TurnContext, err: unknown): TurnResult {
  ctx.log.error('handler failed', { intent: ctx.name, error: errorMessage(err) });
  return { reply: say(ctx.t.apology), outcome: 'error' };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isReply(value: unknown): value is Reply {
  if (typeof value !== 'object' || value === null) return false;
  const texts = (value as { texts?: unknown }).texts;
  return Array.isArray(texts) && texts.every((t) => typeof t === 'string');
}
