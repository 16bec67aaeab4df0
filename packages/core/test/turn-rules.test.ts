import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Budget,
  createTurnContext,
  lookupHandler,
  platformOf,
  routeTurn,
  runTurn,
  say,
  type IntentHandler,
} from '../src/conversation';
import { parseWebhookRequest } from '../src/dialogflow';
import type { Deferrer, JobOrigin } from '../src/jobs';
import { createLogger, hashId } from '../src/logger';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';

/*
 * What the router logs and answers for each way a handler can end, and what the turn context
 * reads from the request's edges (platform, LINE user, missing parts) and hands to a deferral.
 */

type Line = Record<string, unknown>;

function turnOf(body: unknown, deferrer?: Deferrer, deadlineMs = 4000) {
  const logs: Line[] = [];
  const budget = new Budget(Date.now() + deadlineMs);
  const ctx = createTurnContext(
    parseWebhookRequest(body),
    budget,
    createLogger({ sink: (l) => logs.push(JSON.parse(l) as Line) }),
    deferrer,
  );
  return { ctx, logs, budget };
}

describe('routing', () => {
  it('a turn without a name goes to the fallback, even with a handler for ""', () => {
    const { ctx } = turnOf(esRequest({ name: '' }));
    expect(ctx.name).toBe('');
    const result = routeTurn(ctx, { '': () => say('empty') }, () => say('fallback'));
    expect(result).toEqual({ reply: say('fallback'), outcome: 'fallback' });
  });

  it('finds handlers in a Map and in an object, never inherited ones', () => {
    const h: IntentHandler = () => say('x');
    expect(lookupHandler(new Map([['a', h]]), 'a')).toBe(h);
    expect(lookupHandler(new Map([['a', h]]), 'b')).toBeUndefined();
    expect(lookupHandler({ a: h }, 'a')).toBe(h);
    expect(lookupHandler({ a: h }, 'constructor')).toBeUndefined();
  });

  it('a handler that throws gets the apology, and the log names the intent and the error', () => {
    const { ctx, logs } = turnOf(esRequest({ name: 'boom' }));
    const result = routeTurn(
      ctx,
      {
        boom: () => {
          throw new TypeError('bad input');
        },
      },
      () => say('fallback'),
    );
    expect(result).toEqual({ reply: say(ctx.t.apology), outcome: 'error' });
    expect(logs).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        message: 'handler failed',
        intent: 'boom',
        error: 'TypeError: bad input',
      }),
    ]);
  });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['texts that are not a list', { texts: 'hello' }],
    ['texts that are not all strings', { texts: ['a', 1] }],
    ['no texts', { suggestions: [] }],
    ['a function', () => say('x')],
  ])('a handler that returns %s gets the apology, logged', (_what, value) => {
    const { ctx, logs } = turnOf(esRequest({ name: 'odd' }));
    const result = routeTurn(ctx, { odd: () => value as never }, () => say('fallback'));
    expect(result).toEqual({ reply: say(ctx.t.apology), outcome: 'error' });
    expect(logs).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        message: 'handler returned something that is not a reply',
        intent: 'odd',
      }),
    ]);
  });

  it('an empty list of texts is a reply', () => {
    const { ctx } = turnOf(esRequest({ name: 'quiet' }));
    expect(routeTurn(ctx, { quiet: () => ({ texts: [] }) }, () => say('f'))).toEqual({
      reply: { texts: [] },
      outcome: 'handled',
    });
  });

  it('awaits any thenable, and its rejection is the apology', async () => {
    const { ctx, logs } = turnOf(esRequest({ name: 'later' }));
    const thenable = { then: (resolve: (r: unknown) => void) => resolve(say('done')) };
    await expect(runTurn(ctx, { later: () => thenable as never }, () => say('f'))).resolves.toEqual(
      { reply: say('done'), outcome: 'handled' },
    );
    const failing = await runTurn(
      ctx,
      { later: () => Promise.reject(new Error('backend down')) },
      () => say('f'),
    );
    expect(failing).toEqual({ reply: say(ctx.t.apology), outcome: 'error' });
    expect(logs).toEqual([
      expect.objectContaining({ message: 'handler failed', error: 'Error: backend down' }),
    ]);
    const odd = await runTurn(ctx, { later: async () => 42 as never }, () => say('f'));
    expect(odd.outcome).toBe('error');
  });

  describe('at the deadline', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('aborts the budget with its reason, logs the intent, drops the late answer', async () => {
      const { ctx, logs, budget } = turnOf(esRequest({ name: 'slow' }), undefined, 300);
      let finish: ((r: unknown) => void) | undefined;
      const result = runTurn(
        ctx,
        { slow: () => new Promise((resolve) => (finish = resolve)) as never },
        () => say('f'),
      );
      await vi.advanceTimersByTimeAsync(300);
      expect(await result).toEqual({ reply: say(ctx.t.stillWorking), outcome: 'timeout' });
      expect(budget.aborted).toBe(true);
      expect((budget.signal.reason as Error).message).toBe('webhook deadline reached');
      expect(logs).toEqual([
        expect.objectContaining({
          severity: 'WARNING',
          message: 'deadline reached before the handler answered',
          intent: 'slow',
        }),
      ]);
      finish?.(say('late'));
      await vi.advanceTimersByTimeAsync(0);
      expect(logs[1]).toEqual(
        expect.objectContaining({ message: 'late handler result dropped', intent: 'slow' }),
      );
    });

    it('a late failure is logged with its error', async () => {
      const { ctx, logs } = turnOf(esRequest({ name: 'slow' }), undefined, 100);
      let fail: ((e: Error) => void) | undefined;
      const result = runTurn(
        ctx,
        { slow: () => new Promise((_r, reject) => (fail = reject)) as never },
        () => say('f'),
      );
      await vi.advanceTimersByTimeAsync(100);
      expect((await result).outcome).toBe('timeout');
      fail?.(new Error('too late'));
      await vi.advanceTimersByTimeAsync(0);
      expect(logs[1]).toEqual(
        expect.objectContaining({
          message: 'late handler failure dropped',
          intent: 'slow',
          error: 'Error: too late',
        }),
      );
    });

    it('an answer in time clears the deadline timer', async () => {
      const { ctx } = turnOf(esRequest({ name: 'quick' }), undefined, 5000);
      const result = runTurn(ctx, { quick: async () => say('ok') }, () => say('f'));
      expect(vi.getTimerCount()).toBe(1);
      expect((await result).outcome).toBe('handled');
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});

describe('the turn context at its edges', () => {
  it('logs with the edition, the intent and the session hash', () => {
    const es = turnOf(esRequest({ name: 'hello', sessionId: 's-1' }));
    es.ctx.log.info('x');
    expect(es.logs[0]).toMatchObject({
      edition: 'es',
      intent: 'hello',
      session: hashId(es.ctx.session),
    });
    const cx = turnOf(cxRequest({ name: 'tag_1', sessionId: 's-2' }));
    cx.ctx.log.info('x');
    expect(cx.logs[0]).toMatchObject({
      edition: 'cx',
      intent: 'tag_1',
      session: hashId(cx.ctx.session),
    });
    const logger = createLogger({ sink: () => {} });
    const fields: unknown[] = [];
    createTurnContext(
      parseWebhookRequest(cxRequest({ name: 't' })),
      new Budget(Date.now() + 1000),
      (f) => {
        fields.push(f);
        return logger;
      },
    );
    expect(fields).toEqual([expect.objectContaining({ edition: 'cx', intent: 't' })]);
  });

  it('a CX request without a tag or intent parameters', () => {
    const { ctx, logs } = turnOf({
      detectIntentResponseId: 'r',
      sessionInfo: { session: 'projects/p/locations/l/agents/a/sessions/s' },
      intentInfo: { displayName: 'i', parameters: { plain: 'x', wrapped: { resolvedValue: 3 } } },
      pageInfo: { displayName: 'Only a name' },
      payload: { platform: 'line' },
    });
    expect(ctx.name).toBe('');
    expect(ctx.tag).toBeUndefined();
    expect(ctx.parameters).toEqual({ wrapped: 3 });
    expect(ctx.page).toEqual({ name: undefined, displayName: 'Only a name' });
    expect(ctx.source).toBe('line');
    expect(ctx.platform).toBe('LINE');
    expect(ctx.user).toBeUndefined(); // no user id in the payload
    ctx.log.info('x');
    expect(logs[0]).toMatchObject({ edition: 'cx', intent: '' });
  });

  it('CX: a form parameter without a value leaves the session value alone', () => {
    const { ctx } = turnOf({
      fulfillmentInfo: { tag: 't' },
      sessionInfo: { session: 's', parameters: { date: '2026-12-24', kept: 1 } },
      pageInfo: {
        currentPage: 'p',
        formInfo: {
          parameterInfo: [
            { displayName: 'date', state: 'EMPTY' },
            { displayName: 'time', state: 'FILLED', value: '19:00' },
          ],
        },
      },
    });
    expect(ctx.parameters).toEqual({ date: '2026-12-24', kept: 1, time: '19:00' });
    expect(ctx.page).toEqual({ name: 'p', displayName: undefined });
  });

  it('reads the LINE user only on LINE, in both editions', () => {
    const line = turnOf(esRequest({ name: 'x', source: 'line', lineUserId: 'U0123abc' }));
    expect(line.ctx.user).toEqual({ platform: 'LINE', userId: 'U0123abc' });
    const cx = turnOf(cxRequest({ name: 'x', source: 'line', lineUserId: 'U0123abc' }));
    expect(cx.ctx.user).toEqual({ platform: 'LINE', userId: 'U0123abc' });
    const body = esRequest({ name: 'x', source: 'line', lineUserId: 'U0123abc' }) as {
      originalDetectIntentRequest: { source: string };
    };
    body.originalDetectIntentRequest.source = 'telegram';
    expect(turnOf(body).ctx.user).toBeUndefined();
    const bad = turnOf(esRequest({ name: 'x', source: 'line', lineUserId: 'not an id!' }));
    expect(bad.ctx.platform).toBe('LINE');
    expect(bad.ctx.user).toBeUndefined();
    const long = turnOf(esRequest({ name: 'x', source: 'line', lineUserId: 'U'.repeat(101) }));
    expect(long.ctx.user).toBeUndefined();
    const longest = turnOf(esRequest({ name: 'x', source: 'line', lineUserId: 'U'.repeat(100) }));
    expect(longest.ctx.user?.userId).toBe('U'.repeat(100));
  });

  it('ES: the platform named only in the payload, and a request missing its parts', () => {
    const body = esRequest({ name: 'x', source: 'line', lineUserId: 'U1' }) as {
      originalDetectIntentRequest: { source?: string; payload: { source?: string } };
    };
    body.originalDetectIntentRequest.source = '';
    body.originalDetectIntentRequest.payload.source = 'line';
    const { ctx } = turnOf(body);
    expect(ctx.source).toBe('line');
    expect(ctx.user).toEqual({ platform: 'LINE', userId: 'U1' });
    const bare = turnOf({ queryResult: {} });
    expect(bare.ctx).toMatchObject({
      name: '',
      intentDisplayName: undefined,
      parameters: {},
      sentiment: undefined,
      source: undefined,
      platform: undefined,
      user: undefined,
    });
    bare.ctx.log.info('x');
    expect(bare.logs[0]).toMatchObject({ edition: 'es', intent: '' });
  });

  it('platformOf trims and ignores case; numbers must be finite', () => {
    expect(platformOf(' LINE ')).toBe('LINE');
    expect(platformOf('Slack_TestBot')).toBe('SLACK');
    expect(platformOf('')).toBeUndefined();
    expect(platformOf('other')).toBeUndefined();
    const sentiment = (score: unknown, magnitude: unknown) =>
      turnOf({
        queryResult: { sentimentAnalysisResult: { queryTextSentiment: { score, magnitude } } },
      }).ctx.sentiment;
    expect(sentiment(0.5, Number.NaN)).toEqual({ score: 0.5, magnitude: 0 });
    expect(sentiment(0.5, 'big')).toEqual({ score: 0.5, magnitude: 0 });
    expect(sentiment(0.5, 2)).toEqual({ score: 0.5, magnitude: 2 });
    expect(sentiment(Number.POSITIVE_INFINITY, 1)).toBeUndefined();
    expect(sentiment(Number.NaN, 1)).toBeUndefined();
    const confidence = (c: unknown) =>
      turnOf({ queryResult: { intentDetectionConfidence: c } }).ctx.intentConfidence;
    expect(confidence(Number.NaN)).toBeUndefined();
    expect(confidence(-0.5)).toBe(0);
    expect(confidence(0.25)).toBe(0.25);
  });
});

describe('defer from a turn', () => {
  it('without jobs configured, says so and queues nothing', async () => {
    const { ctx } = turnOf(esRequest({ name: 'x' }));
    await expect(ctx.defer({ type: 'any', request: {} } as never)).resolves.toEqual({
      ok: false,
      jobId: '',
      reason: 'jobs are not configured',
    });
  });

  it('hands the deferral what the worker needs to run the job and tell the user', async () => {
    const origins: JobOrigin[] = [];
    const deferrer: Deferrer = async (origin, job) => {
      origins.push(origin);
      return { ok: true, jobId: `j-${job.type}`, existing: false };
    };
    const line = turnOf(
      esRequest({
        name: 'x',
        source: 'line',
        lineUserId: 'U9',
        responseId: 'resp-1',
        languageCode: 'ja',
      }),
      deferrer,
    );
    await expect(
      line.ctx.defer({ type: 'echo', request: {} } as never, { email: 'a@example.com' }),
    ).resolves.toEqual({ ok: true, jobId: 'j-echo', existing: false });
    expect(origins[0]).toEqual({
      responseId: 'resp-1',
      session: line.ctx.session,
      sessionKey: line.ctx.sessionKey,
      language: 'ja',
      recipients: { line: 'U9', email: 'a@example.com' },
      budget: line.budget,
      log: line.ctx.log,
    });
    const web = turnOf(esRequest({ name: 'x', source: 'telegram' }), deferrer);
    await web.ctx.defer({ type: 'echo', request: {} } as never);
    expect(origins[1]?.recipients).toEqual({});
    await web.ctx.defer({ type: 'echo', request: {} } as never, { email: '' });
    expect(origins[2]?.recipients).toEqual({});
  });
});
