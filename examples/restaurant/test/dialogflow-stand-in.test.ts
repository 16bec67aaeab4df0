import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateCondition } from '@dialogflow-functions/dev/dialogflow-stand-in/condition';
import { zonedNow } from '@dialogflow-functions/dev/dialogflow-stand-in/entities';
import { loadAgents } from '@dialogflow-functions/dev/dialogflow-stand-in/load-agents';
import { extractParameter, matchIntent } from '@dialogflow-functions/dev/dialogflow-stand-in/match';
import {
  startDialogflowStandIn,
  type RunningStandIn,
} from '@dialogflow-functions/dev/dialogflow-stand-in/server';
import { DetectIntentClient } from '@dialogflow-functions/dev/lib/dialogflow-client';
import { createSessionsClient, sessionsClientOptions } from '@dialogflow-functions/core/chat';
import { listen, type Running } from './helpers/servers';
import { protoErrors } from '@dialogflow-functions/testing/proto-check';

const agents = loadAgents();
const NOW = { year: 2026, month: 11, day: 28, offset: '+08:00' };

describe('matching text to intents', () => {
  const cases: [string, string, string | undefined, Record<string, unknown>][] = [
    ['where is my order 1001', 'en', 'check_order', { order_id: '1001' }],
    ['Where is my order A-1004?', 'en', 'check_order', { order_id: 'A-1004' }],
    ['我的訂單 1001 在哪裡？', 'zh-tw', 'check_order', { order_id: '1001' }],
    ['is Matcha in stock', 'en', 'check_inventory', { product: 'matcha' }],
    ['拿鐵還有貨嗎', 'zh-tw', 'check_inventory', { product: 'latte' }],
    ["What's the weather in new york", 'en', 'get_weather', { 'geo-city': 'New York' }],
    [
      'book a table for four people tomorrow at 7 pm under Lin',
      'en',
      'make_reservation',
      {
        party_size: { kind: 'number', value: 4 },
        date: { kind: 'date', year: 2026, month: 11, day: 29 },
        time: { kind: 'time', hours: 19, minutes: 0 },
        name: { kind: 'person', name: 'Lin' },
      },
    ],
    [
      '幫我訂明天晚上七點半4位，名字是林',
      'zh-tw',
      'make_reservation',
      { time: { kind: 'time', hours: 19, minutes: 30 } },
    ],
    [
      'reserve a table for 2 on Jan 3 at 19:00 under Lin',
      'en',
      'make_reservation',
      { date: { kind: 'date', year: 2027, month: 1, day: 3 } }, // the next Jan 3
    ],
    ['status of request r-0123456789ab', 'en', 'task_status', { task_id: 'r-0123456789ab' }],
    ['talk to a human', 'en', 'talk_to_agent', {}],
    // Not an NLU: extra words, paraphrases and unknown cities do not match.
    ['hi, where is my order 1001', 'en', undefined, {}],
    ['where can my order 1001 be', 'en', undefined, {}],
    ['weather in Atlantis', 'en', undefined, {}],
    ['book a table on 2026-02-30', 'en', undefined, {}],
  ];
  it.each(cases)('%s (%s) → %s', (text, lang, intent, params) => {
    const m = matchIntent(agents.es, text, lang, { now: NOW });
    expect(m?.intent.name).toBe(intent);
    for (const [name, want] of Object.entries(params)) {
      const got = m?.parameters.find((p) => p.name === name)?.value;
      expect(typeof want === 'string' ? (got as { value?: unknown })?.value : got).toEqual(want);
    }
  });

  it('fills a prompted parameter from a short reply', () => {
    const order = { name: 'order_id', entityType: 'order-id' };
    expect(extractParameter(agents.es, "it's 1001", 'en', order, NOW)?.original).toBe('1001');
    expect(extractParameter(agents.es, 'no idea', 'en', order, NOW)).toBeUndefined();
    const date = { name: 'date', entityType: 'sys.date' };
    expect(extractParameter(agents.es, '12月24日', 'zh-tw', date, NOW)?.value).toEqual({
      kind: 'date',
      year: 2026,
      month: 12,
      day: 24,
    });
  });

  it('knows the agent time zone’s date and offset', () => {
    const at = new Date('2026-11-28T17:30:00Z'); // 01:30 the next day in Taipei
    expect(zonedNow('Asia/Taipei', at)).toEqual({
      year: 2026,
      month: 11,
      day: 29,
      offset: '+08:00',
    });
    expect(zonedNow('UTC', at).offset).toBe('+00:00');
  });
});

describe('CX conditions', () => {
  const page = agents.cx.flows.get('Default Start Flow')!.pages.get('Check Order')!;
  const cases: [string, Record<string, unknown>, boolean, boolean][] = [
    ['true', {}, false, true],
    ['$page.params.status = "FINAL"', {}, true, true],
    ['$page.params.status = "FINAL"', {}, false, false],
    ['$session.params.job_id != null', { job_id: 'r-1' }, false, true],
    ['$session.params.n >= 2 AND $session.params.n < 3', { n: 2 }, false, true],
    ['$session.params.a = "x" OR $session.params.b = "y"', { b: 'y' }, false, true],
  ];
  it.each(cases)('%s with %j', (condition, state, formComplete, want) => {
    expect(evaluateCondition(condition, { state: state as never, page, formComplete })).toBe(want);
  });
  it('refuses what it does not know', () => {
    expect(() =>
      evaluateCondition('$sys.func.FORMAT_DATE($session.params.d, "yyyy") = "2026"', {
        state: {},
        page,
        formComplete: false,
      }),
    ).toThrow(/not run here/);
  });
});

/** A loopback webhook that records requests and answers what the test sets. */
interface StubWebhook extends Running {
  requests: Record<string, unknown>[];
  answer: (body: Record<string, unknown>) => { status: number; body: unknown };
}

async function startStubWebhook(): Promise<StubWebhook> {
  const stub = {
    requests: [] as Record<string, unknown>[],
    answer: (() => ({ status: 200, body: {} })) as StubWebhook['answer'],
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      stub.requests.push(body);
      const { status, body: out } = stub.answer(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  return Object.assign(stub, await listen(server));
}

describe('the stand-in calls the webhook as Dialogflow does', () => {
  let hook: StubWebhook;
  let standIn: RunningStandIn;
  let esClient: DetectIntentClient;
  let cxClient: DetectIntentClient;
  let n = 0;
  const session = () => `stand-in-test-${++n}`;

  beforeAll(async () => {
    hook = await startStubWebhook();
    standIn = await startDialogflowStandIn({
      ...agents,
      webhookUrl: hook.url,
      webhookHeaders: { 'x-webhook-token': 'secret-token-1234567' },
    });
    // What these cases check is the requests and the answers, not `dff detect`'s 6 s limit
    // (detect-unanswered.test.ts): a minute, so a starved CPU (the suite runs at nice 19 beside
    // the load test) cannot decide them.
    const target = { agent: undefined, emulatorHost: standIn.host, timeoutMs: 60_000 };
    esClient = new DetectIntentClient('es', target);
    cxClient = new DetectIntentClient('cx', target);
  });
  afterAll(async () => {
    await esClient.close();
    await cxClient.close();
    await standIn.stop();
    await hook.close();
  });
  beforeEach(() => {
    hook.requests.length = 0;
    hook.answer = () => ({ status: 200, body: { fulfillmentText: 'from the webhook' } });
  });

  it('ES: a v2 WebhookRequest with the parameters in ES shapes; contexts age per turn', async () => {
    hook.answer = (body) => ({
      status: 200,
      body: {
        fulfillmentText: 'booked',
        outputContexts: [
          {
            name: `${String(body.session)}/contexts/pending_job`,
            lifespanCount: 2,
            parameters: { job_id: 'r-1' },
          },
        ],
      },
    });
    const id = session();
    const r = await esClient.detect({
      text: 'book a table for 2 tomorrow at 7pm under Lin',
      sessionId: id,
      payload: { source: 'test' },
    });
    expect(r.intent).toBe('make_reservation');
    expect(r.texts).toEqual(['booked']);
    expect(r.webhook).toMatchObject({ outcome: 'ok', code: 0 });
    const request = hook.requests[0]!;
    expect(protoErrors('es', request, 'google.cloud.dialogflow.v2.WebhookRequest')).toEqual([]);
    expect(request).toMatchObject({
      session: `projects/demo-local/agent/sessions/${id}`,
      originalDetectIntentRequest: { payload: { source: 'test' } },
      queryResult: {
        queryText: 'book a table for 2 tomorrow at 7pm under Lin',
        languageCode: 'en',
        allRequiredParamsPresent: true,
        intent: { displayName: 'make_reservation' },
        parameters: { party_size: 2, name: { name: 'Lin' }, email: '' },
      },
    });
    expect(request.responseId).toMatch(/^[0-9a-f-]{36}-[0-9a-f]{8}$/);
    const params = (request.queryResult as { parameters: Record<string, string> }).parameters;
    expect(params.date).toMatch(/^\d{4}-\d{2}-\d{2}T12:00:00\+08:00$/);
    expect(params.time).toMatch(/^\d{4}-\d{2}-\d{2}T19:00:00\+08:00$/);

    const lifespans: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      hook.answer = () => ({ status: 200, body: { fulfillmentText: 'hi' } });
      const turn = await esClient.detect({ text: 'hello', sessionId: id });
      lifespans.push(turn.contexts.find((c) => c.name === 'pending_job')?.lifespanCount);
    }
    expect(lifespans).toEqual([1, undefined, undefined]);
    const seen = hook.requests[1]!.queryResult as {
      outputContexts: { name: string; lifespanCount: number }[];
    };
    expect(seen.outputContexts).toEqual([
      expect.objectContaining({
        name: `projects/demo-local/agent/sessions/${id}/contexts/pending_job`,
        lifespanCount: 1,
      }),
    ]);
  });

  it('ES: slot filling asks with the intent’s prompts and calls the webhook once all are there', async () => {
    const id = session();
    const first = await esClient.detect({ text: 'check my order', sessionId: id });
    expect(first.texts).toEqual(['Which order? Please tell me the order number.']);
    expect(first.webhook.outcome).toBe('none');
    expect(first.contexts.map((c) => c.name)).toContain('check_order_dialog_params_order_id');
    const second = await esClient.detect({ text: 'it is 1002', sessionId: id });
    expect(second.parameters).toEqual({ order_id: '1002' });
    expect(hook.requests).toHaveLength(1);
    expect(second.texts).toEqual(['from the webhook']);
  });

  it('ES: a failing or malformed webhook answer gives the static reply and the status', async () => {
    hook.answer = () => ({ status: 500, body: { error: 'boom' } });
    const failed = await esClient.detect({ text: 'where is my order 1001', sessionId: session() });
    expect(failed.webhook).toMatchObject({ outcome: 'error', code: 14 });
    expect(failed.texts).toEqual(['Sorry, something went wrong on my side. Please try again.']);
    hook.answer = () => ({ status: 200, body: { fulfillmentText: 'x', speech: 'v1 field' } });
    const bad = await esClient.detect({ text: 'where is my order 1001', sessionId: session() });
    expect(bad.webhook.code).toBe(13);
    expect(bad.webhook.message).toMatch(/Cannot find field "speech"/);
  });

  it('sends the webhook the auth headers of the configuration', async () => {
    let headers: Record<string, unknown> = {};
    const server = createServer((req, res) => {
      headers = req.headers;
      req.resume().on('end', () => res.end('{}'));
    });
    const running = await listen(server);
    const other = await startDialogflowStandIn({
      ...agents,
      webhookUrl: running.url,
      webhookHeaders: { 'x-webhook-token': 'secret-token-1234567' },
    });
    const client = new DetectIntentClient('es', {
      agent: undefined,
      emulatorHost: other.host,
      timeoutMs: 60_000,
    });
    try {
      await client.detect({ text: 'hello', sessionId: session() });
      expect(headers['x-webhook-token']).toBe('secret-token-1234567');
      expect(headers['content-type']).toMatch(/^application\/json/);
    } finally {
      await client.close();
      await other.stop();
      await running.close();
    }
  });

  it('CX: a v3 WebhookRequest with tag, intent info, form info and session; the answer merged', async () => {
    hook.answer = (body) => ({
      status: 200,
      body: {
        fulfillmentResponse: {
          messages: [
            { text: { text: [`tag ${String((body.fulfillmentInfo as { tag: string }).tag)}`] } },
          ],
        },
        sessionInfo: { parameters: { job_id: 'r-0123456789ab' } },
      },
    });
    const id = session();
    const r = await cxClient.detect({
      text: 'book a table for 2 tomorrow at 7pm under Lin',
      sessionId: id,
      languageCode: 'en-US',
    });
    expect(r.intent).toBe('make_reservation');
    expect(r.texts).toEqual(['tag make_reservation']);
    expect(r.page).toBe('Answered');
    expect(r.sessionParameters).toEqual({ job_id: 'r-0123456789ab' });
    const request = hook.requests[0]!;
    expect(protoErrors('cx', request, 'google.cloud.dialogflow.cx.v3.WebhookRequest')).toEqual([]);
    expect(request).toMatchObject({
      fulfillmentInfo: { tag: 'make_reservation' },
      text: 'book a table for 2 tomorrow at 7pm under Lin',
      languageCode: 'en-US',
      languageInfo: { resolvedLanguageCode: 'en' },
      intentInfo: {
        displayName: 'make_reservation',
        parameters: {
          party_size: { originalValue: '2', resolvedValue: 2 },
          time: {
            originalValue: '7pm',
            resolvedValue: { hours: 19, minutes: 0, seconds: 0, nanos: 0 },
          },
          name: { resolvedValue: { name: 'Lin' } },
        },
      },
      pageInfo: { displayName: 'Make Reservation' },
      sessionInfo: {
        session: `projects/demo-local/locations/global/agents/demo/sessions/${id}`,
        parameters: { party_size: 2, name: { name: 'Lin' } },
      },
    });
    const form = (request.pageInfo as { formInfo: { parameterInfo: Record<string, unknown>[] } })
      .formInfo.parameterInfo;
    expect(form.find((p) => p.displayName === 'date')).toMatchObject({
      state: 'FILLED',
      justCollected: true,
      required: true,
    });
    expect(form.find((p) => p.displayName === 'email')).toMatchObject({
      state: 'EMPTY',
      required: false,
    });
  });

  it('CX: an invalidated form parameter is asked for again; a failing webhook runs webhook.error', async () => {
    hook.answer = (body) =>
      (body.fulfillmentInfo as { tag: string }).tag === 'validate_order_id'
        ? {
            status: 200,
            body: {
              fulfillmentResponse: { messages: [{ text: { text: ['bad id'] } }] },
              pageInfo: {
                formInfo: { parameterInfo: [{ displayName: 'order_id', state: 'INVALID' }] },
              },
              sessionInfo: { parameters: { order_id: null } },
            },
          }
        : { status: 200, body: {} };
    const id = session();
    const r = await cxClient.detect({ text: 'where is my order 1001', sessionId: id });
    expect(r.page).toBe('Check Order');
    expect(r.texts).toEqual(['bad id', 'Which order? Please tell me the order number.']);
    expect(hook.requests.map((q) => (q.fulfillmentInfo as { tag: string }).tag)).toEqual([
      'validate_order_id',
    ]);

    hook.answer = () => ({ status: 503, body: {} });
    const failed = await cxClient.detect({ text: 'hello', sessionId: session() });
    expect(failed.webhook).toMatchObject({ outcome: 'error', code: 14 });
    expect(failed.texts).toEqual(['Sorry, something went wrong on my side. Please try again.']);
  });

  it('refuses a malformed session name with INVALID_ARGUMENT', async () => {
    // The official v2 client, made as the chat function makes it (core's createSessionsClient).
    const client = await createSessionsClient(
      'es',
      await sessionsClientOptions({ emulatorHost: standIn.host }, undefined),
    );
    try {
      await expect(
        client.detectIntent(
          { session: 'not/a/session', queryInput: { text: { text: 'hi', languageCode: 'en' } } },
          { timeout: 10_000 },
        ),
      ).rejects.toMatchObject({ code: 3 });
    } finally {
      await client.close();
    }
  });
});
