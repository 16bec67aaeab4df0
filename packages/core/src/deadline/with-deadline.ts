import { FulfillmentError } from '../errors';

/**
 * Resolves with `work`, or rejects with `deadline-exceeded` after `ms` (or when `signal`
 * aborts): the work is abandoned, never awaited past the budget. The timer is always cleared.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  if (ms <= 0 || signal?.aborted) {
    work.catch(() => {});
    throw new FulfillmentError('deadline-exceeded', `${what}: no time left`);
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new FulfillmentError('deadline-exceeded', `${what}: took longer than ${ms} ms`)),
      ms,
    );
    onAbort = () =>
      reject(new FulfillmentError('deadline-exceeded', `${what}: turn deadline reached`));
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the listener is removed in `finally` anyway
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
    // Stryker disable next-line ConditionalExpression: onAbort is always set (the executor runs at once)
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    work.catch(() => {}); // an abandoned read may fail later: that is expected, not unhandled
  }
}
