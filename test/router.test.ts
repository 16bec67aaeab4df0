import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Budget,
  createTurnContext,
  runTurn,
  say,
  type IntentHandler,
} from '../shared/conversation';
import { parseWebhookRequest } from '../shared/dialogflow';
import { createLogger } from '../shared/logger';
import { esRequest } from '../scripts/lib/requests';

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
