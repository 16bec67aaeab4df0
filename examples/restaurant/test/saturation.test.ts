import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntentHandler } from '@dialogflow-functions/core/conversation';
import { eventLoopLagMs, lagAdjustedBudget } from '@dialogflow-functions/core/deadline';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { messagesFor } from '@dialogflow-functions/core/messages';
import { textOf } from '@dialogflow-functions/testing/replies';
import { until } from '@dialogflow-functions/testing/wait';
import { post, startWebhook, type TestWebhook } from './helpers/servers';

/*
 * Under CPU saturation the event loop runs late: a deadline timer fires late and a request waits
 * before its handler starts. The webhook measures the lag and answers earlier by it, so replies
 * stay inside the budget Dialogflow allows.
 */
const DEADLINE_MS = 1000;
const en = messagesFor('en');

function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* the CPU is busy elsewhere in this process */
  }
}

describe('the deadline when the event loop lags', () => {
  let webhook: TestWebhook;
  /** What the webhook's injected clock read, in order: a request's first read is its start. */
  const clockReads: number[] = [];
  /** The deadline each turn's budget was given (epoch ms), as the handler saw it. */
  const deadlines: number[] = [];
  beforeAll(async () => {
    const never: IntentHandler = (ctx) => {
      deadlines.push(ctx.budget.deadline);
      return new Promise(() => {});
    };
    webhook = await startWebhook({
      env: { WEBHOOK_DEADLINE_MS: String(DEADLINE_MS) },
      intents: { never },
      now: () => {
        const t = Date.now();
        clockReads.push(t);
        return t;
      },
    });
  });
  afterAll(() => webhook.close());

  it('takes twice the lag off the budget, at most half of it', () => {
    expect(lagAdjustedBudget(4000, 0)).toBe(4000);
    expect(lagAdjustedBudget(4000, 200)).toBe(3600);
    expect(lagAdjustedBudget(4000, 5000)).toBe(2000);
  });

  it('measures the lag of a busy loop', async () => {
    eventLoopLagMs();
    await new Promise((r) => setTimeout(r, 120));
    block(250);
    await new Promise((r) => setTimeout(r, 120));
    expect(eventLoopLagMs()).toBeGreaterThanOrEqual(200);
  });

  it('answers a handler that never finishes with a budget shrunk by the lag, while the loop lags 250 ms', async () => {
    // Saturate this process's event loop: 250 ms of work every 300 ms.
    let blocks = 0;
    const hog = setInterval(() => {
      block(250);
      blocks++;
    }, 300);
    try {
      // The lag is seen before the requests: the probe timer has fired after a block of the hog.
      await until(() => blocks >= 2 && eventLoopLagMs() >= 200, 5000, 'the lag seen');
      for (let i = 0; i < 4; i++) {
        clockReads.length = 0;
        deadlines.length = 0;
        const logged = webhook.logs.length;
        const res = await post(webhook.url, esRequest({ name: 'never' }));
        expect(res.status).toBe(200);
        expect(textOf('es', res.body)).toBe(en.stillWorking);
        // What the webhook decided, read from its injected clock: every 250 ms block delays a
        // 50 ms probe by at least 200 ms, so the 1000 ms budget loses at least 400 ms (twice the
        // lag) and never more than half of it, however busy the machine is.
        const started = clockReads[0]!;
        expect(deadlines).toHaveLength(1);
        const budget = deadlines[0]! - started;
        expect(budget).toBeLessThanOrEqual(DEADLINE_MS - 2 * 200);
        expect(budget).toBeGreaterThanOrEqual(DEADLINE_MS / 2);
        expect(webhook.logs.slice(logged)).toContainEqual(
          expect.objectContaining({ message: 'turn answered', outcome: 'timeout' }),
        );
      }
    } finally {
      clearInterval(hog);
    }
  });
});
