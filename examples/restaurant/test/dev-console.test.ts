import { createServer } from 'node:http';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { languages } from '@dialogflow-functions/core/messages';
import { demoJobs } from '../src/jobs';
import { messagesFor, restaurantMessages } from '../src/messages';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { SINK_LINE_TOKEN } from '@dialogflow-functions/dev/lib/notify-sink';
import { startDevConsole, type DevConsole } from '@dialogflow-functions/dev/dev-console';
import {
  createStandInDetector,
  type StandInDetector,
} from '@dialogflow-functions/dev/dev-console/detect';
import { loadAgents } from '@dialogflow-functions/dev/dialogflow-stand-in/load-agents';
import {
  startDialogflowStandIn,
  type RunningStandIn,
} from '@dialogflow-functions/dev/dialogflow-stand-in/server';
import { freePort } from '@dialogflow-functions/testing/processes';
import { demoIntents } from '@dialogflow-functions/dev/dev-console/catalogue';
import { displayCx, displayEs } from '@dialogflow-functions/dev/dev-console/display';
import { lineUserIdFor, type TurnRecord } from '@dialogflow-functions/dev/dev-console/conversation';
import type { FeedEntry } from '@dialogflow-functions/dev/dev-console/notifications';
import type { JobView, TasksView } from '@dialogflow-functions/dev/dev-console/live';
import { seedDemoData } from '../src/seed-data';
import {
  firestoreHost,
  resetTestFirestore,
  testFirestore,
} from '@dialogflow-functions/testing/firestore';
import { listen, testConfig } from './helpers/servers';
import { startStack, type Stack } from './helpers/stack';
import { until } from '@dialogflow-functions/testing/wait';

const en = messagesFor('en');
const zh = messagesFor('zh-TW');
/**
 * The demo agents, loaded once for the file: loading starts training their classifiers, which
 * the intents' test below has no use for and the stand-in then finds done.
 */
let loaded: ReturnType<typeof loadAgents> | undefined;
const agents = () => (loaded ??= loadAgents());

describe('what the user sees (display items)', () => {
  const esMessages = [
    { text: { text: ['Hello'] } },
    {
      platform: 'PLATFORM_UNSPECIFIED',
      quickReplies: { title: 'You can say:', quickReplies: ['A', 'B'] },
    },
    { platform: 'LINE', text: { text: ['Hello on LINE'] } },
    {
      platform: 'LINE',
      payload: {
        line: {
          type: 'text',
          text: 'Pick one',
          quickReply: {
            items: [{ type: 'action', action: { type: 'message', label: 'A', text: 'A' } }],
          },
        },
      },
    },
    { platform: 'SLACK', text: { text: ['Hello on Slack'] } },
  ];

  it.each([
    ['the default messages without a platform', undefined, ['text:Hello', 'chips:A|B']],
    ['the platform’s own messages when it has some', 'SLACK', ['text:Hello on Slack']],
    [
      'LINE’s own messages, with its payload’s quick replies',
      'LINE',
      ['text:Hello on LINE', 'text:Pick one', 'chips:A'],
    ],
    [
      'the default messages for a platform without its own',
      'TELEGRAM',
      ['text:Hello', 'chips:A|B'],
    ],
  ] as const)('ES shows %s', (_what, platform, expected) => {
    const items = displayEs(esMessages, 'Hello', platform);
    expect(
      items.map((i) =>
        i.kind === 'text'
          ? `text:${i.text}`
          : i.kind === 'chips'
            ? `chips:${i.options.join('|')}`
            : i.kind,
      ),
    ).toEqual(expected);
  });

  it('ES falls back to fulfillmentText, and draws cards, images and unknown payloads', () => {
    expect(displayEs([], 'Only text', undefined)).toEqual([{ kind: 'text', text: 'Only text' }]);
    const items = displayEs(
      [
        {
          card: {
            title: 'Latte',
            subtitle: '42 in stock',
            imageUri: 'https://example.com/l.png',
            buttons: [{ text: 'Buy', postback: 'https://example.com/buy' }],
          },
        },
        { image: { imageUri: 'https://example.com/i.png', accessibilityText: 'a cup' } },
        { payload: { custom: { anything: 1 } } },
      ],
      '',
      undefined,
    );
    expect(items).toEqual([
      {
        kind: 'card',
        title: 'Latte',
        subtitle: '42 in stock',
        imageUri: 'https://example.com/l.png',
        buttons: [{ text: 'Buy', uri: 'https://example.com/buy' }],
      },
      { kind: 'image', uri: 'https://example.com/i.png', alt: 'a cup' },
      { kind: 'payload', json: { custom: { anything: 1 } } },
    ]);
  });

  it('a LINE Flex message becomes cards, its quick reply chips; a handoff payload a banner', () => {
    const line = {
      type: 'flex',
      altText: 'Order 1001',
      contents: {
        type: 'carousel',
        contents: [
          {
            type: 'bubble',
            hero: { type: 'image', url: 'https://example.com/box.png' },
            body: {
              type: 'box',
              layout: 'vertical',
              contents: [
                { type: 'text', text: 'Order 1001' },
                { type: 'text', text: 'shipped' },
              ],
            },
            footer: {
              type: 'box',
              layout: 'vertical',
              contents: [
                {
                  type: 'button',
                  action: { type: 'uri', label: 'Track', uri: 'https://example.com/t' },
                },
              ],
            },
          },
        ],
      },
      quickReply: {
        items: [{ type: 'action', action: { type: 'message', label: 'Help', text: 'Help' } }],
      },
    };
    expect(
      displayEs(
        [
          { platform: 'LINE', payload: { line } },
          { payload: { liveAgentHandoff: { metadata: { queue: 'support' } } } },
        ],
        '',
        'LINE',
      ),
    ).toEqual([
      {
        kind: 'card',
        title: 'Order 1001',
        text: 'shipped',
        imageUri: 'https://example.com/box.png',
        buttons: [{ text: 'Track', uri: 'https://example.com/t' }],
      },
      { kind: 'chips', options: ['Help'] },
    ]);
    expect(
      displayEs(
        [{ payload: { liveAgentHandoff: { metadata: { queue: 'support' } } } }],
        '',
        undefined,
      ),
    ).toEqual([{ kind: 'handoff', metadata: { queue: 'support' } }]);
  });

  it('CX draws texts, richContent chips and cards, handoff, and skips other channels', () => {
    const items = displayCx(
      [
        { text: { text: ['Hi'] } },
        { text: { text: ['Only on LINE'] }, channel: 'line' },
        {
          payload: {
            richContent: [
              [
                { type: 'info', title: 'Order 1001', subtitle: 'shipped' },
                { type: 'chips', options: [{ text: 'Track' }] },
              ],
            ],
          },
        },
        { liveAgentHandoff: { metadata: { reason: 'asked' } } },
      ],
      'console',
    );
    expect(items).toEqual([
      { kind: 'text', text: 'Hi' },
      { kind: 'card', title: 'Order 1001', subtitle: 'shipped', buttons: [] },
      { kind: 'chips', options: ['Track'] },
      { kind: 'handoff', metadata: { reason: 'asked' } },
    ]);
    expect(displayCx([{ text: { text: ['Only on LINE'] }, channel: 'line' }], 'line')).toHaveLength(
      1,
    );
  });
});

describe('the intents the console offers', () => {
  /** The parameter kind the console types for an entity type of the agent files. */
  const kindOf = (entityType: string) =>
    ({
      'sys.number': 'number',
      'sys.number-integer': 'number',
      'sys.date': 'date',
      'sys.time': 'time',
      'sys.person': 'person',
    })[entityType] ?? 'text';

  it('match the ES agent in agent/: every intent, its parameters and their kinds', () => {
    const { es } = agents();
    for (const spec of demoIntents()) {
      if (spec.es === 'validate_order_id') continue; // a CX form validation tag, no ES intent
      const intent = es.intents.find((i) => i.name === spec.es);
      expect(intent, spec.es).toBeDefined();
      expect(
        spec.parameters.map((p) => [p.name, p.kind]),
        spec.es,
      ).toEqual(intent!.parameters.map((p) => [p.name, kindOf(p.entityType)]));
    }
  });
});

interface ConsoleStack extends Stack {
  console: DevConsole;
}

/** The test stack (functions, Cloud Tasks emulator with its status page, sinks) and a console. */
async function startConsoleStack(): Promise<ConsoleStack> {
  const stack = await startStack();
  const devConsole = await startDevConsole({
    port: 0,
    config: testConfig({ WORKER_URL: stack.worker.url }),
    webhookUrl: stack.webhook.url,
    firestoreHost: firestoreHost(),
    tasksStatusUrl: stack.tasks.statusUrl,
    notifySink: stack.sink,
    smtpSink: stack.smtp,
    lineToken: SINK_LINE_TOKEN,
    jobs: demoJobs,
    messages: restaurantMessages,
  });
  const close = stack.close.bind(stack);
  return Object.assign(stack, {
    console: devConsole,
    async close() {
      await devConsole.close();
      await close();
    },
  });
}

async function api(
  stack: ConsoleStack,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read field by field
): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, stack.console.url), {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...init.headers },
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text
  }
  return { status: res.status, body };
}

function turn(stack: ConsoleStack, session: string, body: Record<string, unknown>) {
  return api(stack, `/api/sessions/${session}/turns`, {
    body: { edition: 'es', languageCode: 'en', source: 'console', ...body },
  });
}

/**
 * Waits until the job's task is done (the worker answered 2xx: every notification sent), so no
 * work is left in flight when the next test resets Firestore or the stack stops.
 */
async function settled(stack: ConsoleStack, jobId: string): Promise<void> {
  await until(
    async () => {
      const view = (await api(stack, '/api/tasks')).body as TasksView;
      return (
        view.dispatches.some((d) => d.jobId === jobId && d.outcome === 'done') &&
        !view.tasks.some((t) => t.jobId === jobId)
      );
    },
    20_000,
    `job ${jobId} settled`,
  );
}

const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
const RESERVATION = [
  { name: 'date', kind: 'date', value: nextWeek },
  { name: 'time', kind: 'time', value: '19:00' },
  { name: 'party_size', kind: 'number', value: '4' },
  { name: 'name', kind: 'person', value: 'Lin' },
];

describe('the dev console API', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => resetTestFirestore());

  it('serves the page, its script and styles, and what it offers', async () => {
    const page = await fetch(stack.console.url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script src="/app.js"');
    expect((await fetch(new URL('/app.js', stack.console.url))).status).toBe(200);
    expect((await fetch(new URL('/style.css', stack.console.url))).status).toBe(200);
    const meta = await api(stack, '/api/meta');
    expect(meta.status).toBe(200);
    expect(meta.body.languages).toEqual(languages);
    expect(meta.body.sources).toEqual([
      'console',
      'line',
      'slack',
      'telegram',
      'facebook',
      'google',
    ]);
    expect(meta.body.intents.map((i: { es: string }) => i.es)).toContain('make_reservation');
    expect(meta.body.deadlineMs).toBe(4000);
    expect(meta.body.detect).toEqual({ available: false });
  });

  it('an intent turn: the request Dialogflow would send, the reply as the user sees it, a valid verdict', async () => {
    const r = await turn(stack, 'welcome-1', { intent: 'Default Welcome Intent', source: 'line' });
    expect(r.status).toBe(200);
    const t = r.body as TurnRecord;
    expect(t.id).toBe(1);
    expect(t.exchanges).toHaveLength(1);
    const ex = t.exchanges[0]!;
    expect(ex.status).toBe(200);
    expect(ex.protoErrors).toEqual([]);
    expect(ex.latencyMs).toBeGreaterThanOrEqual(0);
    expect(t.deadlineMs).toBe(4000);
    expect(ex.request).toMatchObject({
      session: 'projects/demo-local/agent/sessions/welcome-1',
      originalDetectIntentRequest: {
        source: 'line',
        payload: { data: { source: { userId: lineUserIdFor('welcome-1') } } },
      },
    });
    // LINE shows its own message: the text with LINE's quick-reply chips.
    expect(t.display).toEqual([
      { kind: 'text', text: en.welcome },
      { kind: 'chips', options: en.welcomeSuggestions },
    ]);
    const session = await api(stack, '/api/sessions/welcome-1');
    expect(session.body.turns).toHaveLength(1);
    expect(session.body.lineUserId).toBe(lineUserIdFor('welcome-1'));
  });

  it('a reservation: job id carried in the ES context, the job succeeds, the LINE push lands in the conversation', async () => {
    const session = 'resv-es';
    const r = await turn(stack, session, {
      intent: 'make_reservation',
      parameters: [...RESERVATION, { name: 'email', kind: 'text', value: 'lin@example.com' }],
      source: 'line',
    });
    expect(r.status).toBe(200);
    const t = r.body as TurnRecord;
    expect(t.exchanges[0]!.protoErrors).toEqual([]);
    const jobId = t.state.jobIds[0]!;
    expect(jobId).toMatch(/^r-[0-9a-z]{12}$/);
    expect(t.state.contexts).toEqual([
      { name: 'pending_job', lifespanCount: 20, parameters: { job_id: jobId } },
    ]);
    expect(t.display[0]).toEqual({
      kind: 'text',
      text: en.reservationQueued({
        jobId,
        date: nextWeek,
        time: '19:00',
        partySize: 4,
        name: 'Lin',
      }),
    });

    // The job moves to succeeded in the console's live view, with every channel sent, and the
    // emulator lists its dispatch (answered once the worker has notified).
    await settled(stack, jobId);
    const job = ((await api(stack, '/api/jobs')).body as JobView[]).find((j) => j.id === jobId)!;
    expect(job).toMatchObject({
      sessionId: session,
      status: 'succeeded',
      result: { outcome: 'confirmed' },
    });
    for (const channel of ['line', 'slack', 'webhook', 'email']) {
      expect(job.notify[channel]?.state, channel).toBe('sent');
    }
    expect(job.summary).toMatch(/is confirmed\. Confirmation code: [A-Z0-9]+\.$/);

    // Every notification is in this conversation, tied to the job, the signed ones verified.
    await until(
      async () => {
        const feed = (await api(stack, '/api/notifications')).body as FeedEntry[];
        return ['line', 'slack', 'webhook', 'email'].every((c) =>
          feed.some((e) => e.channel === c && e.jobId === jobId && e.session === session),
        );
      },
      10_000,
      'notifications placed',
    );
    const feed = (await api(stack, '/api/notifications')).body as FeedEntry[];
    const line = feed.find((e) => e.channel === 'line' && e.jobId === jobId)!;
    expect(line.to).toBe(lineUserIdFor(session));
    expect(line.verification).toEqual({ ok: true, how: 'Bearer channel token + X-Line-Retry-Key' });
    expect(line.text).toMatch(/is confirmed\. Confirmation code: [A-Z0-9]+\.$/);
    expect(JSON.stringify(line.raw)).not.toContain(SINK_LINE_TOKEN);
    expect(feed.find((e) => e.channel === 'webhook' && e.jobId === jobId)!.verification?.ok).toBe(
      true,
    );

    // The next turn carries the context: task_status without an id reports this job.
    const status = await turn(stack, session, { intent: 'task_status', source: 'line' });
    const req = status.body.exchanges[0].request;
    expect(req.queryResult.outputContexts).toContainEqual(
      expect.objectContaining({
        name: `${req.session}/contexts/pending_job`,
        lifespanCount: 19,
        parameters: { job_id: jobId },
      }),
    );
    expect(status.body.display[0].text).toContain(jobId);
    expect(status.body.display[0].text).toMatch(/is done/);
  });

  it('CX in zh-TW: the job id rides in the session parameters to the next turn', async () => {
    const session = 'resv-cx';
    const r = await turn(stack, session, {
      edition: 'cx',
      languageCode: 'zh-TW',
      intent: 'make_reservation',
      parameters: RESERVATION,
    });
    expect(r.status).toBe(200);
    expect(r.body.exchanges[0].protoErrors).toEqual([]);
    const jobId = r.body.state.parameters.job_id as string;
    expect(r.body.state.jobIds).toEqual([jobId]);
    expect(r.body.display[0].text).toBe(
      zh.reservationQueued({ jobId, date: nextWeek, time: '19:00', partySize: 4, name: 'Lin' }),
    );
    const next = await turn(stack, session, {
      edition: 'cx',
      languageCode: 'zh-TW',
      intent: 'task_status',
    });
    expect(next.body.exchanges[0].request.sessionInfo.parameters.job_id).toBe(jobId);
    expect(next.body.display[0].text).toContain(jobId);
    await settled(stack, jobId);
  });

  it('CX form validation is reported with the turn', async () => {
    const r = await turn(stack, 'form-cx', {
      edition: 'cx',
      intent: 'validate_order_id',
      parameters: [{ name: 'order_id', kind: 'text', value: '12/34' }],
    });
    expect(r.body.exchanges[0].protoErrors).toEqual([]);
    expect(r.body.notes).toEqual(['form order_id: INVALID']);
    expect(r.body.display[0].text).toBe(en.orderIdInvalid);
  });

  it('an invalid webhook response gets the proto checker’s problems as its verdict', async () => {
    const bad = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ fulfillmentText: 'hi', fulfilmentMessages: [], outputContexts: 'x' }),
        );
      }),
    );
    const c = await startDevConsole({
      port: 0,
      config: testConfig(),
      webhookUrl: bad.url,
      firestoreHost: undefined,
      tasksStatusUrl: undefined,
    });
    try {
      const res = await fetch(new URL('/api/sessions/bad/turns', c.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ edition: 'es', languageCode: 'en', source: 'console', intent: 'x' }),
      });
      const t = (await res.json()) as TurnRecord;
      expect(t.exchanges[0]!.protoErrors).toEqual([
        'fulfilmentMessages: Cannot find field "fulfilmentMessages" in message google.cloud.dialogflow.v2.WebhookResponse',
        'outputContexts: repeated field must be an array, got string',
      ]);
      const tasks = (await (await fetch(new URL('/api/tasks', c.url))).json()) as {
        available: boolean;
      };
      expect(tasks.available).toBe(false);
    } finally {
      await c.close();
      await bad.close();
    }
  });

  it('the tap records what the stand-in exchanges with the webhook and passes the answer back', async () => {
    const body = esRequest({
      name: 'check_inventory',
      parameters: { product: 'latte' },
      sessionId: 'tapped-1',
    });
    const res = await fetch(stack.console.tapUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { fulfillmentText: string };
    expect(answer.fulfillmentText).toContain('latte');
    expect(stack.webhook.logs.some((l) => l.intent === 'check_inventory')).toBe(true);
  });

  it.each([
    ['a body that is not JSON', 400, 'bad_json', '/api/sessions/s1/turns', { body: '{oops' }],
    [
      'a turn with neither intent nor text',
      400,
      'bad_turn',
      '/api/sessions/s1/turns',
      { body: { edition: 'es', languageCode: 'en', source: 'console' } },
    ],
    [
      'an unknown platform',
      400,
      'bad_turn',
      '/api/sessions/s1/turns',
      { body: { edition: 'es', languageCode: 'en', source: 'myspace', intent: 'x' } },
    ],
    [
      'a malformed session id',
      400,
      'bad_session',
      '/api/sessions/a%20b/turns',
      { body: { edition: 'es', languageCode: 'en', source: 'console', intent: 'x' } },
    ],
    [
      'a form post',
      415,
      'content_type',
      '/api/sessions/s1/turns',
      { body: 'intent=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ],
    [
      'a sentence without the stand-in',
      409,
      'unavailable',
      '/api/sessions/s1/turns',
      { body: { edition: 'es', languageCode: 'en', source: 'console', text: 'hi' } },
    ],
    [
      'a body over 64 KiB',
      413,
      'too_large',
      '/api/sessions/s1/turns',
      { body: 'x'.repeat(70_000) },
    ],
    ['an unknown path', 404, 'not_found', '/api/nothing', {}],
    ['a GET on turns', 405, 'method', '/api/sessions/s1/turns', { method: 'GET' }],
  ] as const)('%s gets a clear %i', async (_what, status, code, path, init) => {
    const r = await api(stack, path, init as Parameters<typeof api>[2]);
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('refuses a request for another host name (DNS rebinding)', async () => {
    const url = new URL(stack.console.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          path: '/api/meta',
          headers: { host: 'evil.example:80' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('streams jobs, tasks and notifications as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(new URL('/api/events', stack.console.url), {
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const r = await turn(stack, 'sse-1', {
      intent: 'make_reservation',
      parameters: RESERVATION,
      source: 'line',
    });
    const jobId = (r.body as TurnRecord).state.jobIds[0]!;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const seen = { retry: false, tasks: false, succeeded: false, line: false };
    await until(
      async () => {
        const { value } = await reader.read();
        buffer += decoder.decode(value, { stream: true });
        const frames = buffer.split('\n\n');
        buffer = frames.pop()!;
        for (const frame of frames) {
          if (frame.startsWith('retry: 2000')) seen.retry = true;
          const event = frame.match(/^event: (\w+)\ndata: (.*)$/s);
          if (!event) continue;
          const data = JSON.parse(event[2]!) as unknown;
          if (event[1] === 'tasks') seen.tasks = true;
          if (event[1] === 'jobs') {
            seen.succeeded ||= (data as JobView[]).some(
              (j) => j.id === jobId && j.status === 'succeeded',
            );
          }
          if (event[1] === 'notification') {
            const n = data as FeedEntry;
            seen.line ||= n.channel === 'line' && n.jobId === jobId && n.session === 'sse-1';
          }
        }
        return Object.values(seen).every(Boolean);
      },
      15_000,
      'events for the reservation',
    );
    controller.abort();
    await settled(stack, jobId);
  });
});

describe('typed sentences through the Dialogflow stand-in', () => {
  let stack: Stack;
  let standIn: RunningStandIn;
  let detector: StandInDetector;
  let devConsole: DevConsole;

  beforeAll(async () => {
    stack = await startStack();
    // As npm start wires them: the console knows where the stand-in will listen, and the
    // stand-in's webhook calls pass through the console's tap.
    const port = await freePort();
    detector = createStandInDetector({ host: `127.0.0.1:${port}`, projectId: 'demo-local' });
    devConsole = await startDevConsole({
      port: 0,
      config: testConfig({ WORKER_URL: stack.worker.url }),
      webhookUrl: stack.webhook.url,
      firestoreHost: firestoreHost(),
      tasksStatusUrl: stack.tasks.statusUrl,
      notifySink: stack.sink,
      lineToken: SINK_LINE_TOKEN,
      detect: detector.detect,
      jobs: demoJobs,
      messages: restaurantMessages,
      standInHost: `127.0.0.1:${port}`,
    });
    standIn = await startDialogflowStandIn({
      ...agents(),
      webhookUrl: devConsole.tapUrl,
      port,
    });
  });
  afterAll(async () => {
    await standIn.stop();
    await detector.close();
    await devConsole.close();
    await stack.close();
  });
  beforeEach(async () => {
    await resetTestFirestore();
    await seedDemoData(testFirestore());
  });

  const say = (session: string, body: Record<string, unknown>) =>
    fetch(new URL(`/api/sessions/${session}/turns`, devConsole.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ edition: 'es', languageCode: 'en', source: 'console', ...body }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as TurnRecord }));

  it('ES from LINE: "hi" matches the welcome intent; the webhook exchange is recorded and valid', async () => {
    const meta = (await (await fetch(new URL('/api/meta', devConsole.url))).json()) as {
      detect: unknown;
    };
    expect(meta.detect).toEqual({ available: true, host: standIn.host });
    const r = await say('text-es', { text: 'hi', source: 'line' });
    expect(r.status).toBe(200);
    expect(r.body.detection?.match).toMatchObject({ intent: 'Default Welcome Intent' });
    expect(r.body.display[0]).toEqual({ kind: 'text', text: en.welcome });
    expect(r.body.exchanges).toHaveLength(1);
    const ex = r.body.exchanges[0]!;
    expect(ex.protoErrors).toEqual([]);
    expect(ex.request).toMatchObject({
      session: 'projects/demo-local/agent/sessions/text-es',
      queryResult: { queryText: 'hi', intent: { displayName: 'Default Welcome Intent' } },
      originalDetectIntentRequest: {
        payload: { source: 'line', data: { source: { userId: lineUserIdFor('text-es') } } },
      },
    });
  });

  it('ES: a sentence with a parameter, then the picked intent path in the same conversation', async () => {
    const r = await say('text-order', { text: 'where is my order 1001' });
    expect(r.body.detection?.match).toMatchObject({ intent: 'check_order' });
    expect(r.body.detection?.match.parameters).toMatchObject({ order_id: expect.anything() });
    expect(r.body.display[0]?.kind).toBe('text');
    expect((r.body.display[0] as { text: string }).text).toMatch(/^Order 1001 is /);
    const next = await say('text-order', { intent: 'Default Welcome Intent' });
    expect(next.body.id).toBe(2);
    expect(next.body.exchanges[0]!.protoErrors).toEqual([]);
  });

  it('CX in zh-TW: the page, both webhook calls (form validation, then the answer)', async () => {
    const r = await say('text-cx', {
      edition: 'cx',
      languageCode: 'zh-TW',
      text: '我的訂單1001在哪裡',
    });
    expect(r.status).toBe(200);
    expect(r.body.detection?.match).toMatchObject({ intent: 'check_order' });
    expect(r.body.detection?.match.page).toBeDefined();
    // Both calls, in order, each answered 200 with a valid response.
    expect(
      r.body.exchanges.map(
        (ex) => (ex.request as { fulfillmentInfo?: { tag?: string } }).fulfillmentInfo?.tag,
      ),
    ).toEqual(['validate_order_id', 'check_order']);
    for (const ex of r.body.exchanges) {
      expect(ex.status).toBe(200);
      expect(ex.protoErrors).toEqual([]);
    }
    // The answer: its text (a card or chips may follow it).
    const texts = (r.body.display as { kind: string; text?: string }[])
      .filter((d) => d.kind === 'text')
      .map((d) => d.text);
    expect(texts.at(-1)).toMatch(/^訂單 1001 /);
  });
});
