import { describe, expect, it } from 'vitest';
import { Budget, createTurnContext, type TurnContext } from '../src/conversation';
import { parseWebhookRequest } from '../src/dialogflow';
import { createLogger } from '../src/logger';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';

function contextOf(body: unknown): TurnContext {
  return createTurnContext(
    parseWebhookRequest(body),
    new Budget(Date.now() + 4000, new AbortController().signal),
    createLogger({ sink: () => {} }),
  );
}

const AGENT = 'projects/demo-local/locations/global/agents/a1';
const PAGE = `${AGENT}/flows/00000000-0000-0000-0000-000000000000/pages/order-page`;

/** A CX request with every request feature the context reads, as CX sends them. */
const cxFull = {
  detectIntentResponseId: 'd7a3c1b2-0000-4000-8000-000000000001',
  intentInfo: {
    lastMatchedIntent: `${AGENT}/intents/i1`,
    displayName: 'order.check',
    parameters: { order_id: { originalValue: 'one thousand one', resolvedValue: 1001 } },
    confidence: 0.87,
  },
  pageInfo: {
    currentPage: PAGE,
    displayName: 'Order page',
    formInfo: {
      parameterInfo: [
        {
          displayName: 'order_id',
          required: true,
          state: 'FILLED',
          value: 1001,
          justCollected: true,
        },
        { displayName: 'email', required: false, state: 'EMPTY' },
        {
          displayName: 'postcode',
          required: true,
          state: 'INVALID',
          value: 'x',
          justCollected: true,
        },
        { displayName: 'odd', state: 'PARAMETER_STATE_UNSPECIFIED' },
        { state: 'FILLED' }, // no displayName: dropped
      ],
    },
  },
  sessionInfo: { session: `${AGENT}/sessions/s-42`, parameters: { order_id: 1001, tier: 'gold' } },
  fulfillmentInfo: { tag: 'check_order' },
  messages: [
    {
      text: { text: ['Let me look that up.'], redactedText: ['…'] },
      responseType: 'ENTRY_PROMPT',
      source: 'VIRTUAL_AGENT',
    },
    {
      payload: { richContent: [[{ type: 'chips' }]] },
      responseType: 'HANDLER_PROMPT',
      source: 'VIRTUAL_AGENT',
    },
    'not a message',
  ],
  transcript: 'check order one thousand one',
  languageCode: 'en',
  languageInfo: { inputLanguageCode: 'en', resolvedLanguageCode: 'zh-HK', confidenceScore: 0.9 },
  sentimentAnalysisResult: { score: -0.6, magnitude: 1.8 },
  payload: { source: 'telegram' },
};

describe('the CX turn context', () => {
  it('reads every request feature', () => {
    const ctx = contextOf(cxFull);
    expect(ctx).toMatchObject({
      edition: 'cx',
      name: 'check_order',
      tag: 'check_order',
      intentDisplayName: 'order.check',
      intentConfidence: 0.87,
      query: { kind: 'transcript', value: 'check order one thousand one' },
      queryText: 'check order one thousand one',
      sentiment: { score: -0.6, magnitude: 1.8 },
      languageCode: 'zh-HK', // resolved wins over the requested 'en'
      language: 'zh-TW',
      page: { name: PAGE, displayName: 'Order page' },
      sessionParameters: { order_id: 1001, tier: 'gold' },
      platform: 'TELEGRAM',
      responseId: 'd7a3c1b2-0000-4000-8000-000000000001',
    });
    expect(ctx.form).toEqual([
      {
        displayName: 'order_id',
        state: 'FILLED',
        value: 1001,
        justCollected: true,
        required: true,
      },
      {
        displayName: 'email',
        state: 'EMPTY',
        value: undefined,
        justCollected: false,
        required: false,
      },
      {
        displayName: 'postcode',
        state: 'INVALID',
        value: 'x',
        justCollected: true,
        required: true,
      },
      {
        displayName: 'odd',
        state: undefined,
        value: undefined,
        justCollected: false,
        required: false,
      },
    ]);
    expect(ctx.agentMessages).toEqual([
      {
        text: ['Let me look that up.'],
        payload: undefined,
        responseType: 'ENTRY_PROMPT',
        source: 'VIRTUAL_AGENT',
      },
      {
        text: undefined,
        payload: { richContent: [[{ type: 'chips' }]] },
        responseType: 'HANDLER_PROMPT',
        source: 'VIRTUAL_AGENT',
      },
    ]);
    expect(ctx.t.apology).toMatch(/抱歉/);
    expect(ctx.params.id('order_id')).toBe('1001');
  });

  it.each([
    [{ text: 'hello' }, { kind: 'text', value: 'hello' }],
    [{ transcript: 'hello' }, { kind: 'transcript', value: 'hello' }],
    [{ triggerIntent: `${AGENT}/intents/i9` }, { kind: 'intent', value: `${AGENT}/intents/i9` }],
    [{ triggerEvent: 'sys.no-match-default' }, { kind: 'event', value: 'sys.no-match-default' }],
    [{ dtmfDigits: '1234#' }, { kind: 'dtmf', value: '1234#' }],
    [{}, undefined],
    [{ dtmfDigits: 1234 }, undefined],
  ])('the query %o', (query, expected) => {
    const body = { fulfillmentInfo: { tag: 't' }, ...query };
    expect(contextOf(body).query).toEqual(expected);
  });

  it.each([
    [
      'resolved language present',
      { languageCode: 'en', languageInfo: { resolvedLanguageCode: 'ja' } },
      'ja',
      'ja',
    ],
    ['no languageInfo', { languageCode: 'ja-JP' }, 'ja-JP', 'ja'],
    [
      'empty resolved language',
      { languageCode: 'zh-TW', languageInfo: { resolvedLanguageCode: '' } },
      'zh-TW',
      'zh-TW',
    ],
    ['languageInfo of the wrong kind', { languageCode: 'en-GB', languageInfo: [] }, 'en-GB', 'en'],
  ])('language: %s', (_n, fields, code, language) => {
    const ctx = contextOf({ fulfillmentInfo: { tag: 't' }, ...fields });
    expect(ctx.languageCode).toBe(code);
    expect(ctx.language).toBe(language);
  });

  it('ignores malformed features instead of failing the turn', () => {
    const ctx = contextOf({
      fulfillmentInfo: { tag: 't' },
      sentimentAnalysisResult: { score: 'very', magnitude: 2 },
      intentInfo: { confidence: 'high' },
      pageInfo: { currentPage: 7, formInfo: { parameterInfo: 'x' } },
      messages: { text: 'x' },
    });
    expect(ctx.sentiment).toBeUndefined();
    expect(ctx.intentConfidence).toBeUndefined();
    expect(ctx.page).toBeUndefined();
    expect(ctx.form).toEqual([]);
    expect(ctx.agentMessages).toEqual([]);
  });

  it('the simulator request reads as a CX request with its features', () => {
    const ctx = contextOf(
      cxRequest({ name: 'check_order', parameters: { order_id: 1001 }, languageCode: 'ja' }),
    );
    expect(ctx.language).toBe('ja');
    expect(ctx.intentConfidence).toBe(0.93);
    expect(ctx.form[0]).toMatchObject({
      displayName: 'order_id',
      state: 'FILLED',
      justCollected: true,
    });
    expect(ctx.agentMessages[0]?.text).toEqual(['…']);
  });
});

describe('the ES turn context', () => {
  it('reads intent confidence, sentiment, query text, language and contexts', () => {
    const body = esRequest({
      name: 'check_order',
      parameters: { order_id: 1001 },
      languageCode: 'zh-MO',
      contexts: { pending_job: { job_id: 'r-1' } },
      queryText: '查訂單 1001',
    });
    const ctx = contextOf(body);
    expect(ctx).toMatchObject({
      edition: 'es',
      intentConfidence: 1,
      sentiment: { score: 0.1, magnitude: 0.1 },
      query: { kind: 'text', value: '查訂單 1001' },
      language: 'zh-TW',
      page: undefined,
      form: [],
      agentMessages: [],
    });
    expect(ctx.contexts.find((c) => c.name === 'pending_job')).toEqual({
      name: 'pending_job',
      lifespanCount: 5,
      parameters: { job_id: 'r-1' },
    });
  });

  it('clamps out-of-range numbers and drops malformed sentiment', () => {
    const ctx = contextOf({
      queryResult: {
        intentDetectionConfidence: 3,
        sentimentAnalysisResult: { queryTextSentiment: { score: -7, magnitude: -1 } },
      },
    });
    expect(ctx.intentConfidence).toBe(1);
    expect(ctx.sentiment).toEqual({ score: -1, magnitude: 0 });
    const bad = contextOf({
      queryResult: { sentimentAnalysisResult: { queryTextSentiment: 'x' } },
    });
    expect(bad.sentiment).toBeUndefined();
  });
});
