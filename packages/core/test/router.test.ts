import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Budget,
  createTurnContext,
  routeTurn,
  runTurn,
  say,
  type IntentHandler,
} from '../src/conversation';
import { parseWebhookRequest } from '../src/dialogflow';
import { createLogger } from '../src/logger';
import { esRequest } from '@dialogflow-functions/testing/requests';

describe('runTurn with fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function turn(name: string, deadlineMs: number) {
    const abort = new AbortController();
    const budget = new Budget(Date.now() + deadlineMs, abort.signal);
    const logs: string[] = [];
    const ctx = createTurnContext(
      parseWebhookRequest(esRequest({ name })),
      budget,
      createLogger({ sink: (l) => logs.push(l) }),
    );
    return { ctx, abort, logs };
  }

  it('answers "still working" exactly at the deadline and drops the late result', async () => {
    let finish: ((r: ReturnType<typeof say>) => void) | undefined;
    const slow: IntentHandler = () => new Promise((resolve) => (finish = resolve));
    const { ctx, abort, logs } = turn('slow', 4000);
    let settled = false;
    const result = runTurn(ctx, { slow }, () => say('fallback'), abort).then((r) => {
      settled = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(3999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect((await result).outcome).toBe('timeout');
    expect((await result).reply.texts).toEqual([ctx.t.stillWorking]);
    expect(abort.signal.aborted).toBe(true);
    finish?.(say('too late'));
    await vi.advanceTimersByTimeAsync(0);
    expect(logs.some((l) => l.includes('late handler result dropped'))).toBe(true);
  });

  it('a late rejection is logged, never unhandled', async () => {
    let fail: ((e: Error) => void) | undefined;
    const slow: IntentHandler = () => new Promise((_r, reject) => (fail = reject));
    const { ctx, abort, logs } = turn('slow', 100);
    const result = runTurn(ctx, { slow }, () => say('fallback'), abort);
    await vi.advanceTimersByTimeAsync(100);
    expect((await result).outcome).toBe('timeout');
    fail?.(new Error('late'));
    await vi.advanceTimersByTimeAsync(0);
    expect(logs.some((l) => l.includes('late handler failure dropped'))).toBe(true);
  });

  it('a fast handler clears its timer', async () => {
    const { ctx, abort } = turn('fast', 4000);
    const r = await runTurn(
      ctx,
      new Map([['fast', () => say('ok')]]),
      () => say('fallback'),
      abort,
    );
    expect(r).toEqual({ reply: say('ok'), outcome: 'handled' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('routes unknown names and inherited object keys to the fallback', async () => {
    for (const name of ['unknown', 'toString', 'constructor', '__proto__']) {
      const { ctx, abort } = turn(name, 4000);
      const r = await runTurn(ctx, { known: () => say('known') }, () => say('fallback'), abort);
      expect(r.outcome).toBe('fallback');
      expect(r.reply.texts).toEqual(['fallback']);
    }
  });
});

describe('routeTurn: no promise, timer or abort signal for an answer from memory', () => {
  function ctxFor(name: string, budget: Budget) {
    return createTurnContext(
      parseWebhookRequest(esRequest({ name })),
      budget,
      createLogger({ sink: () => {} }),
    );
  }

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns a synchronous reply as it is, with no timer and no signal created', () => {
    const budget = new Budget(Date.now() + 4000);
    const r = routeTurn(ctxFor('fast', budget), { fast: () => say('ok') }, () => say('no'));
    expect(r).toEqual({ reply: say('ok'), outcome: 'handled' });
    expect(vi.getTimerCount()).toBe(0);
    expect(budget.aborted).toBe(false);
  });

  it('a synchronous throw or a non-reply becomes the apology, synchronously', () => {
    const budget = new Budget(Date.now() + 4000);
    const ctx = ctxFor('bad', budget);
    const thrown = routeTurn(
      ctx,
      {
        bad: () => {
          throw new Error('boom');
        },
      },
      () => say('no'),
    );
    expect(thrown).toEqual({ reply: say(ctx.t.apology), outcome: 'error' });
    const junk = routeTurn(ctx, { bad: () => ({ texts: 3 }) as never }, () => say('no'));
    expect(junk).toEqual({ reply: say(ctx.t.apology), outcome: 'error' });
  });

  it("aborts the budget's own signal at the deadline, even when it was never asked for", async () => {
    const budget = new Budget(Date.now() + 50);
    const ctx = ctxFor('slow', budget);
    const result = routeTurn(ctx, { slow: () => new Promise(() => {}) }, () => say('no'));
    expect(result).toBeInstanceOf(Promise);
    await vi.advanceTimersByTimeAsync(50);
    expect((await result).outcome).toBe('timeout');
    expect(budget.aborted).toBe(true);
    expect(budget.signal.aborted).toBe(true);
    expect(budget.expired()).toBe(true);
  });

  it('a signal handed out before the deadline aborts at the deadline', async () => {
    const budget = new Budget(Date.now() + 50);
    const ctx = ctxFor('slow', budget);
    const { signal } = budget;
    const result = routeTurn(ctx, { slow: () => new Promise(() => {}) }, () => say('no'));
    await vi.advanceTimersByTimeAsync(50);
    await result;
    expect(signal.aborted).toBe(true);
  });

  it("a caller's signal is left to the caller", () => {
    const abort = new AbortController();
    const budget = new Budget(Date.now() + 50, abort.signal);
    budget.abort(new Error('x'));
    expect(budget.signal).toBe(abort.signal);
    expect(budget.aborted).toBe(false);
  });
});
