import { describe, expect, it } from 'vitest';
import type { Deferrer } from '@dialogflow-functions/core/jobs';
import { cxRequest, esRequest, runIntent } from '@dialogflow-functions/testing';
import { intents } from '../src/intents';

/*
 * Each handler on a request shaped like Dialogflow's, ES and CX: runIntent renders the reply as
 * the webhook does and checks it against Google's protos. The conversations in conversations/
 * run the whole bot (agent, webhook, worker) in `npm test` too.
 */

const handlers = intents();
const run = (name: string, parameters: Record<string, unknown> = {}, defer?: Deferrer) =>
  runIntent(handlers.get(name)!, esRequest({ name, parameters }), { defer });

describe('welcome and fallback', () => {
  it('greets in both editions', async () => {
    expect((await run('Default Welcome Intent')).text).toMatch(/brew coffee/);
    const cx = await runIntent(handlers.get('welcome')!, cxRequest({ name: 'welcome' }));
    expect(cx.text).toMatch(/brew coffee/);
  });

  it('the fallback suggests what the bot can do', async () => {
    expect((await run('Default Fallback Intent')).text).toMatch(/order a coffee/);
  });
});

describe('order_coffee', () => {
  it('asks for the number of cups when there is none', async () => {
    expect((await run('order_coffee')).text).toMatch(/How many cups/);
  });

  it('refuses a number it cannot brew, without deferring', async () => {
    const deferred: unknown[] = [];
    const defer: Deferrer = async (_origin, job) => {
      deferred.push(job);
      return { ok: true, jobId: 'never', existing: false };
    };
    expect((await run('order_coffee', { cups: 12 }, defer)).text).toMatch(/1 to 10 cups/);
    expect((await run('order_coffee', { cups: 1.5 }, defer)).text).toMatch(/1 to 10 cups/);
    expect(deferred).toEqual([]);
  });

  it('defers a brew job and answers with its number', async () => {
    const deferred: unknown[] = [];
    const defer: Deferrer = async (_origin, job) => {
      deferred.push(job);
      return { ok: true, jobId: 'job-1', existing: false };
    };
    const turn = await run('order_coffee', { cups: 2 }, defer);
    expect(turn.text).toBe('Brewing 2 cups of coffee. Your order number is job-1.');
    expect(deferred).toEqual([{ type: 'brew', request: { cups: 2 } }]);
  });

  it('says so when the job could not be queued', async () => {
    const defer: Deferrer = async () => ({ ok: false, jobId: 'job-2', reason: 'tasks down' });
    expect((await run('order_coffee', { cups: 2 }, defer)).text).toMatch(
      /could not take the order/,
    );
  });
});
