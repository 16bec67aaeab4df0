import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Budget, lagAdjustedBudget, withDeadline } from '../src/deadline';
import { FulfillmentError } from '../src/errors';

/*
 * The turn's deadline budget and the race that bounds one call by it, on an injected clock
 * (Budget's `now`) and vitest's fake timers: every case asserts what the code decided, never
 * how long the wall clock took.
 */

/** What `promise` settled with: `{ value }` or `{ error }`. */
async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

function assertDeadlineExceeded(error: unknown, message: string): void {
  expect(error).toBeInstanceOf(FulfillmentError);
  expect((error as FulfillmentError).code).toBe('deadline-exceeded');
  expect((error as FulfillmentError).message).toBe(message);
}

describe('Budget', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 10_000;
  });

  it('remaining() counts down on its clock and never goes below zero', () => {
    const budget = new Budget(15_000, undefined, now);
    expect(budget.deadline).toBe(15_000);
    expect(budget.remaining()).toBe(5000);
    clock = 14_999;
    expect(budget.remaining()).toBe(1);
    expect(budget.expired()).toBe(false);
    clock = 15_000;
    expect(budget.remaining()).toBe(0);
    expect(budget.expired()).toBe(true);
    clock = 16_000;
    expect(budget.remaining()).toBe(0);
  });

  it('reads Date.now when no clock is given', () => {
    const budget = new Budget(Date.now() + 60_000);
    expect(budget.remaining()).toBeGreaterThan(50_000);
    expect(budget.remaining()).toBeLessThanOrEqual(60_000);
  });

  it('forCall keeps 100 ms for the answer by default, and caps a call', () => {
    const budget = new Budget(15_000, undefined, now);
    expect(budget.forCall()).toBe(4900);
    expect(budget.forCall(250)).toBe(4750);
    expect(budget.forCall(100, 800)).toBe(800);
    expect(budget.forCall(100, 6000)).toBe(4900);
    expect(budget.forCall(5000)).toBe(0);
    expect(budget.forCall(6000)).toBe(0);
    clock = 20_000;
    expect(budget.forCall(0)).toBe(0);
  });

  it('creates its own signal only when asked, and an abort before that still shows', () => {
    const budget = new Budget(15_000, undefined, now);
    expect(budget.aborted).toBe(false);
    const reason = new Error('deadline');
    budget.abort(reason);
    budget.abort(new Error('a second abort keeps the first reason'));
    expect(budget.aborted).toBe(true);
    expect(budget.expired()).toBe(true);
    const signal = budget.signal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(budget.signal).toBe(signal);
  });

  it('aborts the signal it handed out', () => {
    const budget = new Budget(15_000, undefined, now);
    const signal = budget.signal;
    expect(signal.aborted).toBe(false);
    expect(budget.aborted).toBe(false);
    expect(budget.signal).toBe(signal);
    const reason = new Error('deadline');
    budget.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(budget.aborted).toBe(true);
    expect(budget.expired()).toBe(true);
  });

  it("leaves a caller's signal to the caller, and follows it", () => {
    const caller = new AbortController();
    const budget = new Budget(15_000, caller.signal, now);
    expect(budget.signal).toBe(caller.signal);
    budget.abort(new Error('not mine'));
    expect(caller.signal.aborted).toBe(false);
    expect(budget.aborted).toBe(false);
    expect(budget.expired()).toBe(false);
    caller.abort(new Error('deadline'));
    expect(budget.aborted).toBe(true);
    expect(budget.expired()).toBe(true);
  });

  describe('bound', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('gives the work what forCall(reserve) leaves, then rejects', async () => {
      const budget = new Budget(10_600, undefined, now);
      const never = new Promise<string>(() => {});
      const result = outcome(budget.bound(never, 'read', 100));
      await vi.advanceTimersByTimeAsync(499);
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      assertDeadlineExceeded((await result).error, 'read: took longer than 500 ms');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('reserves 100 ms by default', async () => {
      const budget = new Budget(10_600, undefined, now);
      const result = outcome(budget.bound(new Promise<string>(() => {}), 'read'));
      await vi.advanceTimersByTimeAsync(500);
      assertDeadlineExceeded((await result).error, 'read: took longer than 500 ms');
    });

    it('resolves with the work when it wins', async () => {
      const budget = new Budget(10_600, undefined, now);
      await expect(budget.bound(Promise.resolve(42), 'read')).resolves.toBe(42);
    });

    it("rejects at once when the budget's signal has aborted", async () => {
      const budget = new Budget(20_000, undefined, now);
      budget.abort(new Error('deadline'));
      const result = await outcome(budget.bound(Promise.resolve(1), 'read'));
      assertDeadlineExceeded(result.error, 'read: no time left');
    });

    it('rejects when the turn aborts mid-call', async () => {
      const budget = new Budget(20_000, undefined, now);
      const result = outcome(budget.bound(new Promise<string>(() => {}), 'read'));
      budget.abort(new Error('deadline'));
      assertDeadlineExceeded((await result).error, 'read: turn deadline reached');
    });
  });
});

describe('withDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with the work, clears its timer and its abort listener', async () => {
    const turn = new AbortController();
    let finish: ((v: string) => void) | undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const result = withDeadline(work, 1000, 'call', turn.signal);
    expect(getEventListeners(turn.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    finish?.('done');
    await expect(result).resolves.toBe('done');
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(turn.signal, 'abort')).toHaveLength(0);
  });

  it('rejects deadline-exceeded when the work takes longer than ms', async () => {
    const result = outcome(withDeadline(new Promise<never>(() => {}), 250, 'weather'));
    await vi.advanceTimersByTimeAsync(249);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    assertDeadlineExceeded((await result).error, 'weather: took longer than 250 ms');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes the work’s own failure through, and clears its timer', async () => {
    const result = await outcome(withDeadline(Promise.reject(new Error('boom')), 1000, 'call'));
    expect((result.error as Error).message).toBe('boom');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects when the signal aborts, and drops its listener', async () => {
    const turn = new AbortController();
    const result = outcome(withDeadline(new Promise<never>(() => {}), 10_000, 'call', turn.signal));
    turn.abort(new Error('deadline'));
    assertDeadlineExceeded((await result).error, 'call: turn deadline reached');
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(turn.signal, 'abort')).toHaveLength(0);
  });

  it('does not start with no time left, or an aborted signal', async () => {
    for (const ms of [0, -5]) {
      const result = await outcome(withDeadline(Promise.resolve('late'), ms, 'call'));
      assertDeadlineExceeded(result.error, 'call: no time left');
    }
    const turn = new AbortController();
    turn.abort();
    const result = await outcome(withDeadline(Promise.resolve('late'), 1000, 'call', turn.signal));
    assertDeadlineExceeded(result.error, 'call: no time left');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts with 1 ms left', async () => {
    await expect(withDeadline(Promise.resolve('in time'), 1, 'call')).resolves.toBe('in time');
  });

  it('an abandoned work that fails later is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let failLate: ((e: Error) => void) | undefined;
      const late = new Promise<never>((_r, reject) => (failLate = reject));
      const result = outcome(withDeadline(late, 10, 'call'));
      await vi.advanceTimersByTimeAsync(10);
      assertDeadlineExceeded((await result).error, 'call: took longer than 10 ms');
      failLate?.(new Error('late failure'));
      let failNow: ((e: Error) => void) | undefined;
      const refused = new Promise<never>((_r, reject) => (failNow = reject));
      await outcome(withDeadline(refused, 0, 'call'));
      failNow?.(new Error('failure of a call never started'));
      // Unhandled rejections are reported after the microtask queue drains.
      vi.useRealTimers();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('lagAdjustedBudget', () => {
  it('takes twice the lag off, never more than half the deadline', () => {
    expect(lagAdjustedBudget(5000, 0)).toBe(5000);
    expect(lagAdjustedBudget(5000, 100)).toBe(4800);
    expect(lagAdjustedBudget(5000, 1250)).toBe(2500);
    expect(lagAdjustedBudget(5000, 1249)).toBe(2502);
    expect(lagAdjustedBudget(5000, 4000)).toBe(2500);
  });
});
