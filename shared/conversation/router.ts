import { errorMessage } from '../errors';
import type { TurnContext } from './context';
import { say, type Reply } from './reply';

/** A handler receives the turn and returns its reply; nothing to forget to call. */
export type IntentHandler = (ctx: TurnContext) => Reply | Promise<Reply>;

/** Intent display names (ES) and tags (CX) to handlers: a `Map` or a plain object. */
export type IntentMap =
  ReadonlyMap<string, IntentHandler> | Readonly<Record<string, IntentHandler>>;

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
  abort: AbortController,
): Promise<TurnResult> {
  const found = ctx.name === '' ? undefined : lookupHandler(intents, ctx.name);
  const handler = found ?? fallback;
  const outcome: TurnOutcome = found ? 'handled' : 'fallback';

  let timer: NodeJS.Timeout | undefined;
  const timedOut = Symbol('timeout');
  const expiry = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), ctx.budget.remaining());
  });
  const work = Promise.resolve().then(() => handler(ctx));
  try {
    const result = await Promise.race([work, expiry]);
    if (result === timedOut) {
      abort.abort(new Error('webhook deadline reached'));
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
    if (!isReply(result)) {
      ctx.log.error('handler returned something that is not a reply', { intent: ctx.name });
      return { reply: say(ctx.t.apology), outcome: 'error' };
    }
    return { reply: result, outcome };
  } catch (err) {
    ctx.log.error('handler failed', { intent: ctx.name, error: errorMessage(err) });
    return { reply: say(ctx.t.apology), outcome: 'error' };
  } finally {
    clearTimeout(timer);
  }
}

function isReply(value: unknown): value is Reply {
  if (typeof value !== 'object' || value === null) return false;
  const texts = (value as { texts?: unknown }).texts;
  return Array.isArray(texts) && texts.every((t) => typeof t === 'string');
}
