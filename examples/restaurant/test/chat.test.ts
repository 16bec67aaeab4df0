import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatDeps } from '@dialogflow-functions/core/chat';
import {
  createDetectIntent,
  renderWeb,
  signSessionToken,
  turnFromCx,
  verifySessionToken,
  type ChatResponse,
  type DetectIntent,
  type Edition,
} from '@dialogflow-functions/core/chat';
import { parseConfig } from '@dialogflow-functions/core/config';
import { renderCx, renderEs, show, type Reply } from '@dialogflow-functions/core/conversation';
import { createLogger } from '@dialogflow-functions/core/logger';
import { messagesFor } from '@dialogflow-functions/core/messages';
import {
  startDialogflowStandIn,
  type RunningStandIn,
} from '@dialogflow-functions/dev/dialogflow-stand-in/server';
import { loadAgents } from '@dialogflow-functions/dev/dialogflow-stand-in/load-agents';
import { listen, post, serveFunction, type Running } from './helpers/servers';
import { protoErrors } from '@dialogflow-functions/testing/proto-check';

/*
 * The chat function with the real @google-cloud/dialogflow and @google-cloud/dialogflow-cx
 * clients against the local Dialogflow stand-in, which calls a loopback webhook answering with
 * the project's own renderers (checked against the protos): every reply kind goes the whole way.
 */

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const PAGE = 'http://127.0.0.1:8097';

/** What the loopback webhook answers per ES intent / CX tag: one reply kind each. */
const REPLIES: Record<string, Reply> = {
  check_order: show(
    {
      kind: 'card',
      title: 'Order 1001',
      subtitle: 'Shipped',
      text: 'Arrives 2026-12-03',
      image: { url: 'https://example.com/box.png', alt: 'a parcel' },
      buttons: [
        { text: 'Track', url: 'https://example.com/track/1001' },
        { text: 'Another order', postback: 'where is my order 1002' },
      ],
    },
    { texts: ['Here is order 1001.'], suggestions: ['Book a table', 'Weather'] },
  ),
  get_weather: show({ kind: 'image', image: { url: 'https://example.com/sun.png', alt: 'sunny' } }),
  check_inventory: show({
    kind: 'list',
    style: 'list',
    title: 'In stock',
    items: [
      { title: 'Latte', description: '12 left', postback: 'is latte in stock' },
      { title: 'Matcha', postback: 'is matcha in stock' },
    ],
  }),
  talk_to_agent: { texts: ['Connecting you to a person.'], handoff: {} },
};

interface Hook extends Running {
  sessions: string[];
}

async function startHook(): Promise<Hook> {
  const sessions: string[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as {
        session?: string;
        queryResult?: { intent?: { displayName?: string } };
        fulfillmentInfo?: { tag?: string };
        sessionInfo?: { session?: string };
      };
      const cx = body.fulfillmentInfo !== undefined || body.sessionInfo !== undefined;
      sessions.push(String(cx ? body.sessionInfo?.session : body.session));
      const name = cx ? body.fulfillmentInfo?.tag : body.queryResult?.intent?.displayName;
      const reply = REPLIES[name ?? ''] ?? { texts: ['fallback'] };
      const out = cx
        ? renderCx(reply)
        : renderEs(reply, {
            session: body.session,
            platform: undefined,
            languageCode: 'en',
            t: messagesFor('en'),
          });
      expect(protoErrors(cx ? 'cx' : 'es', out)).toEqual([]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  return Object.assign(await listen(server), { sessions });
}

/** The demo agents, loaded (and their classifiers trained) once for every stand-in here. */
let loaded: ReturnType<typeof loadAgents> | undefined;
const agents = () => (loaded ??= loadAgents());

let hook: Hook;
let standIn: RunningStandIn;
const clients: DetectIntent[] = [];
const closers: (() => Promise<void>)[] = [];

function detectFor(edition: Edition, emulatorHost = standIn.host): DetectIntent {
  const client = createDetectIntent(edition, {
    agent: undefined,
    emulatorHost,
    localProject: 'demo-local',
  });
  clients.push(client);
  return client;
}

interface Chat extends Running {
  logs: Record<string, unknown>[];
}

async function startChat(deps: Partial<ChatDeps> & { edition?: Edition } = {}): Promise<Chat> {
  const logs: Record<string, unknown>[] = [];
  const { edition, ...rest } = deps;
  const handler = createChatHandler({
    projectId: 'demo-local',
    dialogflow: detectFor(edition ?? 'es'),
    sessionSecret: SECRET,
    allowedOrigins: [PAGE],
    logger: createLogger({ sink: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) }),
    ...rest,
  });
  const running = await serveFunction(handler);
  closers.push(running.close);
  return { ...running, logs };
}

beforeAll(async () => {
  hook = await startHook();
  standIn = await startDialogflowStandIn({ ...agents(), webhookUrl: hook.url });
});
afterAll(async () => {
  for (const close of closers) await close();
  for (const c of clients) await c.close();
  await standIn.stop();
  await hook.close();
});

describe.each<Edition>(['es', 'cx'])('%s: DetectIntent through the chat function', (edition) => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat({ edition });
  });

  it('starts a session, renders every reply kind, and keeps the session with its token', async () => {
    const first = await post(chat.url, { text: 'where is my order 1001', languageCode: 'en' });
    expect(first.status).toBe(200);
    const body = first.body as ChatResponse;
    expect(body.intent).toBe('check_order');
    expect(body.messages).toContainEqual({ type: 'text', text: 'Here is order 1001.' });
    expect(body.messages).toContainEqual({
      type: 'card',
      title: 'Order 1001',
      subtitle: 'Shipped\nArrives 2026-12-03',
      imageUrl: 'https://example.com/box.png',
      buttons: [
        { text: 'Track', url: 'https://example.com/track/1001' },
        // CX Messenger chips carry one text: the postback is what the button shows there.
        edition === 'es'
          ? { text: 'Another order', postback: 'where is my order 1002' }
          : { text: 'where is my order 1002', postback: 'where is my order 1002' },
      ],
    });
    expect(body.messages.at(-1)).toEqual({
      type: 'chips',
      chips: [{ text: 'Book a table' }, { text: 'Weather' }],
    });
    const verified = verifySessionToken(SECRET, body.session);
    expect(typeof verified).toBe('object');

    const sessionsBefore = hook.sessions.length;
    const next = await post(chat.url, {
      text: "What's the weather in new york",
      session: body.session,
    });
    expect(next.status).toBe(200);
    expect((next.body as ChatResponse).messages).toContainEqual({
      type: 'image',
      url: 'https://example.com/sun.png',
      alt: 'sunny',
    });
    // The same Dialogflow session, named by the server: the path ends in the token's id.
    const id = (verified as { id: string }).id;
    expect(hook.sessions.slice(sessionsBefore).every((s) => s.endsWith(`/sessions/${id}`))).toBe(
      true,
    );
    expect(hook.sessions.slice(sessionsBefore).length).toBeGreaterThan(0);
  });

  it('lists and handoff', async () => {
    const list = await post(chat.url, { text: 'is Matcha in stock' });
    const messages = (list.body as ChatResponse).messages;
    if (edition === 'cx') {
      expect(messages).toContainEqual({
        type: 'list',
        title: 'In stock',
        items: [
          { title: 'Latte', subtitle: '12 left', postback: 'is latte in stock' },
          { title: 'Matcha', postback: 'is matcha in stock' },
        ],
      });
    } else {
      // ES has no list message: the webhook sends one card per item with a postback button.
      expect(messages).toContainEqual({
        type: 'card',
        title: 'Latte',
        subtitle: '12 left',
        buttons: [{ text: messagesFor('en').choose, postback: 'is latte in stock' }],
      });
    }
    const handoff = await post(chat.url, { text: 'talk to a human' });
    expect((handoff.body as ChatResponse).messages).toEqual([
      { type: 'text', text: 'Connecting you to a person.' },
      { type: 'handoff' },
    ]);
  });
});

describe('session tokens', () => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat();
  });

  const forged = () => {
    const { token } = signSessionToken(SECRET, { sessionId: 'victim-session' });
    const [payload, mac] = token.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ s: 'attacker-choice', e: 9_999_999_999 })).toString(
      'base64url',
    );
    return { otherPayload: `${other}.${mac}`, payload };
  };

  it.each<[string, () => string]>([
    ['a payload with a MAC from another payload', () => forged().otherPayload],
    ['a token signed with another secret', () => signSessionToken('x'.repeat(40)).token],
    ['garbage', () => 'not-a-token'],
    [
      'a token that has expired',
      () => signSessionToken(SECRET, { nowMs: Date.now() - 7_200_000 }).token,
    ],
  ])('%s gets 401 JSON', async (_name, token) => {
    const answer = await post(chat.url, { text: 'hi', session: token() });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    expect(answer.body).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('an expired token is refused at its expiry and not before', () => {
    const { token, session } = signSessionToken(SECRET, { nowMs: 1_000_000, ttlSeconds: 60 });
    expect(verifySessionToken(SECRET, token, 1_000_000 + 59_000)).toEqual(session);
    expect(verifySessionToken(SECRET, token, 1_000_000 + 60_000)).toBe('expired');
  });
});

describe('origins, input and body size', () => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat();
  });

  it('an origin not on the list gets 403 and no CORS grant; a listed one gets the grant', async () => {
    const refused = await post(chat.url, { text: 'hi' }, { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'permission-denied' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(chat.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    const ok = await post(chat.url, { text: 'hi' }, { origin: PAGE });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('answers the preflight of an allowed origin', async () => {
    const res = await fetch(chat.url, {
      method: 'OPTIONS',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'content-type',
    );
    expect(res.headers.get('vary')).toMatch(/Origin/);
    // Without an Origin (no browser): no grant to anyone.
    const bare = await fetch(chat.url, { method: 'OPTIONS' });
    expect(bare.status).toBe(204);
    expect(bare.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each<[string, unknown]>([
    ['a 257-character text', { text: 'a'.repeat(257) }],
    ['text and event', { text: 'hi', event: 'WELCOME' }],
    ['neither text nor event', { languageCode: 'en' }],
    ['an empty text', { text: '   ' }],
    ['a text that is not a string', { text: 42 }],
    ['a malformed language', { text: 'hi', languageCode: 'en US; drop' }],
    ['not an object', [1, 2]],
  ])('%s gets 400', async (_name, body) => {
    const answer = await post(chat.url, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid-argument' } });
  });

  it('256 characters (not UTF-16 units) are fine', async () => {
    const answer = await post(chat.url, { text: '訂'.repeat(128) + '😀'.repeat(128) });
    expect(answer.status).toBe(200);
  });

  it('a body over 16 KiB gets 413', async () => {
    const answer = await post(chat.url, { text: 'hi', padding: 'x'.repeat(16 * 1024) });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ error: { code: 'payload-too-large' } });
  });

  it('an event starts a conversation too', async () => {
    const answer = await post(chat.url, { event: 'WELCOME', languageCode: 'en' });
    expect(answer.status).toBe(200);
    expect((answer.body as ChatResponse).intent).toBe('Default Welcome Intent');
  });
});

describe('rate limits', () => {
  it('100 requests in a burst from one client: the burst is answered, the rest 429 with Retry-After, others unharmed', async () => {
    const chat = await startChat({
      now: () => 1_000_000, // a stopped clock: no refill during the burst
      clientLimit: { burst: 30, perSecond: 2 },
    });
    const burst = await Promise.all(
      Array.from({ length: 100 }, () =>
        post(chat.url, { text: 'hi' }, { 'x-forwarded-for': '203.0.113.7' }),
      ),
    );
    const statuses = burst.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(70);
    for (const a of burst.filter((x) => x.status === 429)) {
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(a.body).toMatchObject({ error: { code: 'resource-exhausted' } });
    }
    for (const a of burst.filter((x) => x.status === 200)) {
      expect((a.body as ChatResponse).messages.length).toBeGreaterThan(0);
    }
    // Another client (the front end appends the real address last) is not affected.
    const other = await post(
      chat.url,
      { text: 'hi' },
      { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' },
    );
    expect(other.status).toBe(200);
  });

  it('one session is limited on its own, from any address', async () => {
    let now = 2_000_000;
    const chat = await startChat({ now: () => now, sessionLimit: { burst: 5, perSecond: 1 } });
    const first = await post(chat.url, { text: 'hi' });
    const session = (first.body as ChatResponse).session;
    const answers = [];
    for (let i = 0; i < 8; i++) {
      answers.push(
        await post(chat.url, { text: 'hi', session }, { 'x-forwarded-for': `192.0.2.${i}` }),
      );
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(answers[5]!.headers.get('retry-after')).toBe('1');
    now += 1000; // a second later the session has one request again
    expect((await post(chat.url, { text: 'hi', session })).status).toBe(200);
    expect((await post(chat.url, { text: 'hi' })).status).toBe(200);
  });
});

describe('when Dialogflow fails or hangs', () => {
  let hanging: Server | ReturnType<typeof createTcpServer>;
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hanging.close(() => r()));
  });

  it('a stopped stand-in: a polite 200 and the reason logged', async () => {
    const stopped = await startDialogflowStandIn({ ...agents(), webhookUrl: hook.url });
    const host = stopped.host;
    await stopped.stop();
    const chat = await startChat({ dialogflow: detectFor('es', host), deadlineMs: 2000 });
    const answer = await post(chat.url, { text: 'where is my order 1001', languageCode: 'zh-TW' });
    expect(answer.status).toBe(200);
    const body = answer.body as ChatResponse;
    expect(body.messages).toEqual([
      { type: 'text', text: '抱歉，我現在無法回覆，請稍後再試一次。' },
    ]);
    expect(typeof verifySessionToken(SECRET, body.session)).toBe('object');
    expect(chat.logs).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', reason: 'error' }),
    );
  });

  it('a stand-in that accepts the connection and never answers: a polite 200 at the deadline', async () => {
    hanging = createTcpServer((socket) => sockets.push(socket)); // reads nothing, writes nothing
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    const { port } = hanging.address() as { port: number };
    const chat = await startChat({
      dialogflow: detectFor('cx', `127.0.0.1:${port}`),
      deadlineMs: 1500,
    });
    const answer = await post(chat.url, { text: 'hi', languageCode: 'ja' });
    expect(answer.status).toBe(200);
    expect((answer.body as ChatResponse).messages[0]).toEqual({
      type: 'text',
      text: '申し訳ありません、ただいまお答えできません。少し時間をおいてもう一度お試しください。',
    });
    const failure = chat.logs.find((l) => l.severity === 'ERROR');
    expect(failure?.reason === 'timeout' || /DEADLINE_EXCEEDED/.test(String(failure?.error))).toBe(
      true,
    );
  });
});

describe('reading responses', () => {
  it('CX endInteraction ends the conversation; accordions become cards', () => {
    const turn = turnFromCx({
      queryResult: {
        responseMessages: [
          { text: { text: ['Bye'] } },
          {
            payload: {
              richContent: [[{ type: 'accordion', title: 'Hours', text: '9-5' }]],
            },
          },
          { endInteraction: {} },
        ],
        match: { intent: { displayName: 'goodbye' } },
      },
    });
    expect(turn.end).toBe(true);
    expect(turn.intent).toBe('goodbye');
    expect(renderWeb(turn.reply)).toEqual([
      { type: 'text', text: 'Bye' },
      { type: 'card', title: 'Hours', subtitle: '9-5' },
    ]);
  });

  it('config: origins are normalised, production needs the origins and the secret', () => {
    expect(parseConfig({ CHAT_PAGE_PORT: '9001' }).chat.allowedOrigins).toEqual([
      'http://127.0.0.1:9001',
      'http://localhost:9001',
    ]);
    expect(
      parseConfig({ CHAT_ALLOWED_ORIGINS: 'https://Shop.example/, http://localhost:3000' }).chat
        .allowedOrigins,
    ).toEqual(['https://shop.example', 'http://localhost:3000']);
    expect(() => parseConfig({ CHAT_ALLOWED_ORIGINS: 'shop.example' })).toThrow(
      /CHAT_ALLOWED_ORIGINS/,
    );
    expect(() => parseConfig({ NODE_ENV: 'production' }, 'chat')).toThrow(/CHAT_ALLOWED_ORIGINS/);
    expect(() =>
      parseConfig({ NODE_ENV: 'production', CHAT_ALLOWED_ORIGINS: 'https://a.example' }, 'chat'),
    ).toThrow(/CHAT_SESSION_SECRET/);
    const c = parseConfig(
      {
        NODE_ENV: 'production',
        CHAT_ALLOWED_ORIGINS: 'https://a.example',
        CHAT_SESSION_SECRET: SECRET,
      },
      'chat',
    );
    expect(c.chat).toMatchObject({ sessionSecret: SECRET, sessionSecretGenerated: false });
  });
});
