import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import { messagesFor } from '../src/messages';
import {
  cxRequest,
  esRequest,
  REQUEST_SOURCES,
  type RequestSource,
} from '@dialogflow-functions/testing/requests';
import { post, startWebhook, type TestWebhook } from './helpers/servers';
import { suggestionsOf, textOf } from '@dialogflow-functions/testing/replies';
import { assertValidResponse } from '@dialogflow-functions/testing/proto-check';
import { TEST_PROJECT } from '@dialogflow-functions/testing/firestore';

const en = messagesFor('en');
const zh = messagesFor('zh-TW');
const ja = messagesFor('ja');

const PLATFORM: Partial<Record<RequestSource, string>> = {
  line: 'LINE',
  'line-legacy': 'LINE',
  slack: 'SLACK',
  telegram: 'TELEGRAM',
  facebook: 'FACEBOOK',
  google: 'ACTIONS_ON_GOOGLE',
};

const LANGUAGES: [string, typeof en][] = [
  ['en', en],
  ['en-US', en],
  ['zh-TW', zh],
  ['zh-tw', zh],
  ['zh-Hant-TW', zh],
  ['zh-HK', zh],
  ['zh-CN', zh],
  ['ja', ja],
  ['ja-JP', ja],
  ['fr', en],
];

describe('webhook', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startWebhook();
  });
  afterAll(() => webhook.close());

  describe.each(REQUEST_SOURCES)('ES from %s', (source) => {
    it.each(LANGUAGES)('welcome in %s', async (languageCode, t) => {
      const res = await post(
        webhook.url,
        esRequest({ name: 'Default Welcome Intent', languageCode, source }),
      );
      expect(res.status).toBe(200);
      expect(textOf('es', res.body)).toBe(t.welcome);
      expect(suggestionsOf('es', res.body)).toEqual(t.welcomeSuggestions);
      const messages = (res.body as { fulfillmentMessages: Record<string, unknown>[] })
        .fulfillmentMessages;
      const platform = PLATFORM[source];
      if (platform) {
        expect(messages.some((m) => m.platform === platform)).toBe(true);
      } else {
        expect(
          messages.every((m) => m.platform === undefined || m.platform === 'PLATFORM_UNSPECIFIED'),
        ).toBe(true);
      }
      if (platform && platform !== 'ACTIONS_ON_GOOGLE' && platform !== 'LINE') {
        const qr = messages.find((m) => m.platform === platform && m.quickReplies) as
          | { quickReplies: { quickReplies: string[] } }
          | undefined;
        expect(qr?.quickReplies.quickReplies).toEqual(t.welcomeSuggestions);
      }
      if (platform === 'LINE') {
        // One LINE message: the text with LINE's native quick reply, nothing else for LINE.
        const line = messages.filter((m) => m.platform === 'LINE');
        expect(line).toHaveLength(1);
        const message = (line[0] as { payload: { line: Record<string, unknown> } }).payload.line;
        expect(message).toMatchObject({ type: 'text', text: t.welcome });
        const items = (message.quickReply as { items: { action: { text: string } }[] }).items;
        expect(items.map((i) => i.action.text)).toEqual(t.welcomeSuggestions);
      }
    });

    it.each(LANGUAGES)('unknown intent falls back in %s', async (languageCode, t) => {
      const res = await post(
        webhook.url,
        esRequest({ name: 'book_a_flight', languageCode, source }),
      );
      expect(res.status).toBe(200);
      expect(textOf('es', res.body)).toBe(t.fallback);
    });
  });

  describe.each(['console', 'line', 'telegram'] as RequestSource[])('CX from %s', (source) => {
    it.each(LANGUAGES)('welcome in %s', async (languageCode, t) => {
      const res = await post(webhook.url, cxRequest({ name: 'welcome', languageCode, source }));
      expect(res.status).toBe(200);
      expect(textOf('cx', res.body)).toBe(t.welcome);
      expect(suggestionsOf('cx', res.body)).toEqual(t.welcomeSuggestions);
    });

    it.each(LANGUAGES)('fallback tag and unknown tags in %s', async (languageCode, t) => {
      for (const name of ['fallback', 'no-such-tag']) {
        const res = await post(webhook.url, cxRequest({ name, languageCode, source }));
        expect(res.status).toBe(200);
        expect(textOf('cx', res.body)).toBe(t.fallback);
      }
    });
  });

  const minimal: [string, 'es' | 'cx', unknown, string][] = [
    ['ES without session, intent or language', 'es', { queryResult: {} }, en.fallback],
    [
      'ES with only a display name',
      'es',
      { queryResult: { intent: { displayName: 'Default Welcome Intent' } } },
      en.welcome,
    ],
    [
      'ES with null intent',
      'es',
      { queryResult: { intent: null, languageCode: 'zh-TW' } },
      zh.fallback,
    ],
    [
      'ES with parameters of the wrong kind',
      'es',
      {
        queryResult: {
          parameters: 'x',
          outputContexts: 'y',
          intent: { displayName: 'Default Welcome Intent' },
        },
      },
      en.welcome,
    ],
    ['CX with only sessionInfo', 'cx', { sessionInfo: {} }, en.fallback],
    [
      'CX with only a tag',
      'cx',
      { fulfillmentInfo: { tag: 'welcome' }, languageCode: 'zh-hant' },
      zh.welcome,
    ],
    [
      'CX whose agent resolved another language than the client asked',
      'cx',
      {
        fulfillmentInfo: { tag: 'welcome' },
        languageCode: 'en',
        languageInfo: { inputLanguageCode: 'en', resolvedLanguageCode: 'ja' },
      },
      ja.welcome,
    ],
    [
      'CX with a languageInfo of the wrong kind (languageCode then)',
      'cx',
      { fulfillmentInfo: { tag: 'welcome' }, languageCode: 'zh-HK', languageInfo: 'ja' },
      zh.welcome,
    ],
    [
      'CX with garbage in fields it does not need',
      'cx',
      {
        fulfillmentInfo: { tag: 'welcome' },
        sessionInfo: 7,
        pageInfo: [],
        intentInfo: 'x',
        messages: 'x',
        sentimentAnalysisResult: [],
        dtmfDigits: 5,
      },
      en.welcome,
    ],
  ];
  it.each(minimal)('answers %s', async (_name, edition, body, expected) => {
    const res = await post(webhook.url, body);
    expect(res.status).toBe(200);
    expect(textOf(edition, res.body)).toBe(expected);
  });

  it('writes one JSON log line per turn with severity, trace, intent and no request data', async () => {
    const before = webhook.logs.length;
    const secret = 'secret-parameter-value-7731';
    const res = await post(
      webhook.url,
      esRequest({
        name: 'Default Welcome Intent',
        parameters: { order_id: secret },
        queryText: secret,
      }),
      { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
    );
    expect(res.status).toBe(200);
    const entries = webhook.logs.slice(before);
    const turn = entries.find((e) => e.message === 'turn answered');
    expect(turn).toMatchObject({
      severity: 'INFO',
      intent: 'Default Welcome Intent',
      edition: 'es',
      outcome: 'handled',
      'logging.googleapis.com/trace': `projects/${TEST_PROJECT}/traces/105445aa7843bc8bf206b12000100000`,
    });
    expect(typeof turn?.latencyMs).toBe('number');
    expect(turn?.session).toMatch(/^[0-9a-f]{16}$/);
    expect(webhook.rawLogs.slice(before).join('\n')).not.toContain(secret);
  });

  it('takes the trace from traceparent too', async () => {
    const before = webhook.logs.length;
    await post(webhook.url, cxRequest({ name: 'welcome' }), {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const turn = webhook.logs.slice(before).find((e) => e.message === 'turn answered');
    expect(turn?.['logging.googleapis.com/trace']).toBe(
      `projects/${TEST_PROJECT}/traces/4bf92f3577b34da6a3ce929d0e0e4736`,
    );
  });
});

describe('bad input', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startWebhook();
  });
  afterAll(() => webhook.close());
  afterEach(async () => {
    // The server keeps serving after every bad request.
    const res = await post(webhook.url, esRequest({ name: 'Default Welcome Intent' }));
    expect(res.status).toBe(200);
    expect(textOf('es', res.body)).toBe(en.welcome);
  });

  const cases: [string, number, string, RequestInit][] = [
    ['GET', 405, 'method-not-allowed', { method: 'GET' }],
    [
      'PUT',
      405,
      'method-not-allowed',
      { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } },
    ],
    [
      'text/plain',
      415,
      'unsupported-media-type',
      { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } },
    ],
    [
      'form data',
      415,
      'unsupported-media-type',
      {
        method: 'POST',
        body: 'a=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    ],
    [
      'no content type',
      415,
      'unsupported-media-type',
      { method: 'POST', body: new Uint8Array([1, 2, 3]) },
    ],
    ['a JSON array', 400, 'invalid-argument', json([])],
    ['an empty object', 400, 'invalid-argument', json({})],
    ['an unrelated object', 400, 'invalid-argument', json({ hello: 'world' })],
    ['queryResult that is a string', 400, 'invalid-argument', json({ queryResult: 'x' })],
    ['queryResult that is null', 400, 'invalid-argument', json({ queryResult: null })],
    [
      'intent that is a string',
      400,
      'invalid-argument',
      json({ queryResult: { intent: 'welcome' } }),
    ],
    [
      'displayName that is a number',
      400,
      'invalid-argument',
      json({ queryResult: { intent: { displayName: 5 } } }),
    ],
    [
      'displayName that is an object',
      400,
      'invalid-argument',
      json({ queryResult: { intent: { displayName: { a: 1 } } } }),
    ],
    [
      'fulfillmentInfo that is a string',
      400,
      'invalid-argument',
      json({ fulfillmentInfo: 'welcome' }),
    ],
    ['tag that is a number', 400, 'invalid-argument', json({ fulfillmentInfo: { tag: 1 } })],
    [
      'tag that is a list',
      400,
      'invalid-argument',
      json({ sessionInfo: {}, fulfillmentInfo: { tag: ['welcome'] } }),
    ],
    [
      'a body over 1 MiB',
      413,
      'payload-too-large',
      json({ queryResult: { queryText: 'x'.repeat(1024 * 1024 + 10) } }),
    ],
  ];
  it.each(cases)('%s → %i', async (_name, status, code, init) => {
    const res = await fetch(webhook.url, init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toBeTruthy();
    expect(JSON.stringify(body)).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
  });

  // functions-framework's JSON parser answers these itself (strict JSON: objects and arrays only)
  // before the handler runs; test/deployed.test.ts checks no stack trace leaks in production.
  it.each(['{"queryResult": {', '"hello"', '42', 'null', '{"a":1}}'])(
    'JSON the framework refuses (%s) gets a 400 and never reaches the handler',
    async (text) => {
      const before = webhook.logs.length;
      const res = await post(webhook.url, text);
      expect(res.status).toBe(400);
      expect(webhook.logs.slice(before)).toEqual([]);
    },
  );
});

function json(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

describe('deadline and failures', () => {
  const never: IntentHandler = () => new Promise(() => {});
  const slow: IntentHandler = (ctx) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(say('late')), 5_000);
      ctx.budget.signal.addEventListener('abort', () => clearTimeout(timer));
    });
  const throws: IntentHandler = () => {
    throw new Error('boom with a secret 123');
  };
  const rejects: IntentHandler = async () =>
    Promise.reject(new TypeError('cannot read x of undefined'));
  const garbage = (() => ({ speech: 'old format' })) as unknown as IntentHandler;
  const huge: IntentHandler = () => say(Array.from({ length: 100 }, () => 'x'.repeat(1000)));

  let webhook: TestWebhook;
  let aborted = false;
  beforeAll(async () => {
    const watch: IntentHandler = (ctx) =>
      new Promise(() => {
        ctx.budget.signal.addEventListener('abort', () => {
          aborted = true;
        });
      });
    webhook = await startWebhook({
      env: { WEBHOOK_DEADLINE_MS: '300' },
      intents: {
        never,
        slow,
        throws,
        rejects,
        garbage,
        huge,
        watch,
        'Default Welcome Intent': (ctx) => say(ctx.t.welcome),
      },
    });
  });
  afterAll(() => webhook.close());

  const table: [string, (t: typeof en) => string][] = [
    ['never', (t) => t.stillWorking],
    ['slow', (t) => t.stillWorking],
    ['throws', (t) => t.apology],
    ['rejects', (t) => t.apology],
    ['garbage', (t) => t.apology],
  ];
  describe.each(['es', 'cx'] as const)('%s', (edition) => {
    it.each(table)('a handler that %s gets a valid reply', async (name, expected) => {
      for (const [languageCode, t] of [
        ['en', en],
        ['zh-TW', zh],
      ] as const) {
        const build = edition === 'es' ? esRequest : cxRequest;
        const res = await post(webhook.url, build({ name, languageCode }));
        expect(res.status).toBe(200);
        expect(textOf(edition, res.body)).toBe(expected(t));
      }
    });
  });

  it('a reply over 64 KiB becomes the apology for ES', async () => {
    const res = await post(webhook.url, esRequest({ name: 'huge' }));
    expect(res.status).toBe(200);
    expect(textOf('es', res.body)).toBe(en.apology);
    expect(res.text.length).toBeLessThan(64 * 1024);
  });

  it('aborts the handler signal at the deadline and logs the timeout', async () => {
    const before = webhook.logs.length;
    await post(webhook.url, esRequest({ name: 'watch' }));
    expect(aborted).toBe(true);
    const entries = webhook.logs.slice(before);
    expect(
      entries.some((e) => e.severity === 'WARNING' && /deadline/.test(String(e.message))),
    ).toBe(true);
    expect(entries.find((e) => e.message === 'turn answered')?.outcome).toBe('timeout');
  });

  it('logs a failing handler as an error without the request', async () => {
    const before = webhook.logs.length;
    await post(webhook.url, esRequest({ name: 'throws' }));
    const failure = webhook.logs.slice(before).find((e) => e.message === 'handler failed');
    expect(failure?.severity).toBe('ERROR');
    expect(failure?.intent).toBe('throws');
  });

  it('every answer, including the timeout reply, passes the strict check', async () => {
    const res = await post(
      webhook.url,
      esRequest({ name: 'never', source: 'line', languageCode: 'zh-TW' }),
    );
    assertValidResponse('es', res.body);
  });
});

describe('webhook auth', () => {
  const token = 'a-long-webhook-token-1234567890';
  let basic: TestWebhook;
  let header: TestWebhook;
  let oidc: TestWebhook;
  beforeAll(async () => {
    basic = await startWebhook({ env: { WEBHOOK_BASIC_AUTH: 'dialogflow:s3cr3t:with:colons' } });
    header = await startWebhook({ env: { WEBHOOK_TOKEN: token } });
    oidc = await startWebhook({
      env: {
        WEBHOOK_OIDC_AUDIENCE: 'https://webhook.example',
        WEBHOOK_OIDC_EMAILS: 'service-1@gcp-sa-dialogflow.iam.gserviceaccount.com',
      },
      // A stand-in for Google's verifier: token "good" for the audience, "other" from another identity.
      verifyIdToken: async (t, audience) => {
        if (audience !== 'https://webhook.example') throw new Error('wrong audience');
        if (t === 'good')
          return {
            email: 'service-1@gcp-sa-dialogflow.iam.gserviceaccount.com',
            email_verified: true,
          };
        if (t === 'other') return { email: 'someone@example.com', email_verified: true };
        throw new Error('bad signature');
      },
    });
  });
  afterAll(async () => {
    await Promise.all([basic.close(), header.close(), oidc.close()]);
  });

  const body = () => esRequest({ name: 'Default Welcome Intent' });
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it.each([
    ['no credentials', 401, {}],
    ['wrong password', 401, { authorization: `Basic ${b64('dialogflow:nope')}` }],
    ['bearer instead of basic', 401, { authorization: 'Bearer x' }],
    ['right credentials', 200, { authorization: `Basic ${b64('dialogflow:s3cr3t:with:colons')}` }],
  ] as [string, number, Record<string, string>][])(
    'basic auth: %s → %i',
    async (_n, status, headers) => {
      const res = await post(basic.url, body(), headers);
      expect(res.status).toBe(status);
      if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
      else textOf('es', res.body);
    },
  );

  it.each([
    ['no token', 401, {}],
    ['wrong token', 401, { 'x-webhook-token': 'nope' }],
    ['right token', 200, { 'x-webhook-token': token }],
  ] as [string, number, Record<string, string>][])(
    'token header: %s → %i',
    async (_n, status, headers) => {
      const res = await post(header.url, body(), headers);
      expect(res.status).toBe(status);
    },
  );

  it.each([
    ['no token', 401, {}],
    ['invalid token', 401, { authorization: 'Bearer forged' }],
    ['token from another identity', 403, { authorization: 'Bearer other' }],
    ['token from the Dialogflow service agent', 200, { authorization: 'Bearer good' }],
  ] as [string, number, Record<string, string>][])('OIDC: %s → %i', async (_n, status, headers) => {
    const res = await post(oidc.url, body(), headers);
    expect(res.status).toBe(status);
  });
});
