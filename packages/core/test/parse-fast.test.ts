import { describe, expect, it } from 'vitest';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { EsWebhookRequest, parseWebhookRequest } from '../src/dialogflow';

/*
 * parseWebhookRequest takes a well-formed ES request as it is (the warm path's shortcut) and
 * sends anything else through the lenient schema: either way its result is the schema's.
 */
const base = () =>
  esRequest({ name: 'check_order', parameters: { order_id: 1001 }, sessionId: 's' });
const withQuery = (patch: Record<string, unknown>) => {
  const body = base();
  return { ...body, queryResult: { ...(body.queryResult as object), ...patch } };
};

const cases: [string, Record<string, unknown>][] = [
  ['a request as the test kit builds it', base()],
  ['from LINE, with a payload', esRequest({ name: 'Default Welcome Intent', source: 'line' })],
  [
    'zh-TW with contexts',
    esRequest({ name: 'x', languageCode: 'zh-TW', contexts: { a: { b: 1 } } }),
  ],
  ['no output contexts', withQuery({ outputContexts: undefined })],
  ['no intent', withQuery({ intent: undefined })],
  ['a null intent', withQuery({ intent: null })],
  ['a null displayName', withQuery({ intent: { displayName: null } })],
  ['no session, no responseId', { queryResult: { queryText: 'hi' } }],
  [
    'with sentiment',
    withQuery({ sentimentAnalysisResult: { queryTextSentiment: { score: 0.5, magnitude: 1 } } }),
  ],
  [
    'unknown fields everywhere',
    { ...base(), extra: { a: 1 }, queryResult: { ...(base().queryResult as object), more: [1] } },
  ],
  // Wrong kinds: the schema drops or replaces them.
  ['a numeric queryText', withQuery({ queryText: 42 })],
  ['parameters as a list', withQuery({ parameters: [1, 2] })],
  [
    'a context without a name',
    withQuery({ outputContexts: [{ lifespanCount: 1 }, { name: 'ok' }] }),
  ],
  ['outputContexts not a list', withQuery({ outputContexts: 'x' })],
  ['a string lifespanCount', withQuery({ outputContexts: [{ name: 'c', lifespanCount: '2' }] })],
  ['a string confidence', withQuery({ intentDetectionConfidence: 'high' })],
  ['a string isFallback', withQuery({ intent: { displayName: 'x', isFallback: 'yes' } })],
  [
    'sentiment of the wrong kind',
    withQuery({ sentimentAnalysisResult: { queryTextSentiment: 3 } }),
  ],
  [
    'originalDetectIntentRequest of the wrong kind',
    { ...base(), originalDetectIntentRequest: 'line' },
  ],
  ['a numeric source', { ...base(), originalDetectIntentRequest: { source: 7, payload: {} } }],
  ['a numeric session', { ...base(), session: 12 }],
];

describe('parseWebhookRequest (ES) returns what the lenient schema returns', () => {
  it.each(cases)('%s', (_label, body) => {
    const expected = EsWebhookRequest.safeParse(structuredClone(body));
    expect(expected.success).toBe(true);
    const parsed = parseWebhookRequest(structuredClone(body));
    expect(parsed.edition).toBe('es');
    expect(parsed.request).toEqual(expected.data);
  });

  it.each([
    ['a numeric displayName', withQuery({ intent: { displayName: 3 } })],
    ['an intent of the wrong kind', withQuery({ intent: 'x' })],
  ])('still refuses a field the router needs of the wrong kind: %s', (_label, body) => {
    expect(() => parseWebhookRequest(body)).toThrow(/has the wrong type/);
  });
});
