import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say, type IntentHandler, type Reply } from '@dialogflow-functions/core/conversation';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import { callWebhook } from '@dialogflow-functions/testing';
import { post, startWebhook, type TestWebhook } from './helpers/servers';
import {
  lineMessagesOf,
  richContentOf,
  suggestionsOf,
  textOf,
  textsOf,
} from '@dialogflow-functions/testing/replies';
import { jobIdOf } from './helpers/stack';
import { assertNoViolations, editionOfRequest } from '@dialogflow-functions/testing/strict-webhook';

/*
 * No webhook reply in the tests escapes the strict proto check: the test webhook server checks
 * every 200 answer before it leaves, and every reply helper checks the body it reads. Here a
 * handler returns what the renderer turns into a response Dialogflow would reject.
 */

/** CX: an enum name that does not exist. ES: a string field given a number. */
const invalid: IntentHandler = () =>
  ({
    ...say('looks fine'),
    mergeBehavior: 'SOMETIMES',
    followupEvent: { name: 42 },
  }) as unknown as Reply;

const intents = new Map<string, IntentHandler>([
  ['invalid', invalid],
  ['fine', () => say('fine', ['a', 'b'])],
]);

describe('the test webhook server checks every 200 answer', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startWebhook({ intents, fallback: () => say('fallback') });
  });
  afterAll(async () => {
    webhook.violations.length = 0; // this file makes them on purpose
    await webhook.close();
  });

  it.each([
    ['es', () => esRequest({ name: 'invalid' }), /followupEventInput\.name/],
    ['cx', () => cxRequest({ name: 'invalid' }), /mergeBehavior/],
  ] as const)(
    '%s: a reply Dialogflow would reject becomes a 500 naming the problem',
    async (edition, body, problem) => {
      const before = webhook.violations.length;
      const res = await post(webhook.url, body());
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({
        error: { code: 'invalid-webhook-response', message: expect.stringMatching(problem) },
      });
      expect(webhook.violations).toHaveLength(before + 1);
      expect(webhook.violations.at(-1)?.problems.join('\n')).toMatch(problem);
      expect(() => assertNoViolations(webhook.violations)).toThrow(/Dialogflow would reject/);
    },
  );

  it.each([
    ['es', () => esRequest({ name: 'fine' })],
    ['cx', () => cxRequest({ name: 'fine' })],
  ] as const)('%s: a valid reply passes through unchanged', async (edition, body) => {
    const before = webhook.violations.length;
    const res = await post(webhook.url, body());
    expect(res.status).toBe(200);
    expect(textOf(edition, res.body)).toBe('fine');
    expect(suggestionsOf(edition, res.body)).toEqual(['a', 'b']);
    expect(webhook.violations).toHaveLength(before);
  });
});

describe('every reply helper checks the body it reads', () => {
  const badEs = { fulfillmentMessages: [{ text: { text: ['x'] }, shout: true }] };
  const badCx = { fulfillmentResponse: { messages: [{ text: { text: ['x'] } }] }, shout: true };
  it.each([
    ['textsOf', () => textsOf('es', badEs)],
    ['textOf', () => textOf('cx', badCx)],
    ['suggestionsOf (ES)', () => suggestionsOf('es', badEs)],
    ['suggestionsOf (CX)', () => suggestionsOf('cx', badCx)],
    ['richContentOf', () => richContentOf(badCx)],
    ['lineMessagesOf', () => lineMessagesOf(badEs)],
    ['jobIdOf', () => jobIdOf('cx', badCx)],
  ])('%s', (_name, read) => {
    expect(read).toThrow(/Cannot find field|Invalid (ES|CX) WebhookResponse/);
  });

  it('callWebhook (the test kit) checks a 200 answer to a Dialogflow request without being asked', async () => {
    const handler = (_req: unknown, res: { status(n: number): { json(v: unknown): void } }) =>
      res.status(200).json(badEs);
    await expect(callWebhook(handler as never, esRequest({ name: 'x' }))).rejects.toThrow(
      /Cannot find field/,
    );
    // A worker's task body is not a Dialogflow request: nothing to check against.
    await expect(callWebhook(handler as never, { jobId: 'r-1' })).resolves.toMatchObject({
      status: 200,
    });
  });

  it.each([
    [{ queryResult: {} }, 'es'],
    [{ fulfillmentInfo: { tag: 'x' } }, 'cx'],
    [{ sessionInfo: {} }, 'cx'],
    [{ jobId: 'r-1' }, undefined],
    ['text', undefined],
  ] as const)('editionOfRequest(%j) is %s', (body, edition) => {
    expect(editionOfRequest(body)).toBe(edition);
  });
});
