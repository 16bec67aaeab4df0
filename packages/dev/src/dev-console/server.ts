import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Config } from '@dialogflow-functions/core/config';
import { loadBot } from '../project';
import type { JobRegistry } from '@dialogflow-functions/core/jobs';
import { createMessages, type BotMessages } from '@dialogflow-functions/core/messages';
import { notificationKey } from '@dialogflow-functions/core/notify';
import type { NotifySink } from '../lib/notify-sink';
import type { SmtpSink } from '../lib/smtp-sink';
import { consoleLanguages, CONSOLE_SOURCES, demoIntents } from './catalogue';
import {
  editionOf,
  exchangeOf,
  newSession,
  runTurn,
  SESSION_ID,
  sessionPathOf,
  stateOf,
  TurnInput,
  TurnUnavailableError,
  type ConsoleSession,
  type Detector,
  type Exchange,
} from './conversation';
import { watchJobs, pollTasks, type JobView, type JobsWatch, type TasksPoll } from './live';
import {
  createFeed,
  describeMail,
  describeSinkDelivery,
  sessionIdOf,
  type Feed,
} from './notifications';

/*
 * The local dev console: one page (public/) and a small JSON + server-sent-events API on
 * loopback. `npm start` runs it on DEV_CONSOLE_PORT; it is never part of the deployed functions.
 *
 *   GET  /                       the page (public/index.html, app.js, style.css)
 *   GET  /api/meta               intents, languages, sources, deadline, what is available
 *   GET  /api/sessions/:id       a conversation's turns and state
 *   POST /api/sessions/:id/turns run a turn (intent with parameters, or a sentence)
 *   GET  /api/events             server-sent events: jobs, tasks, notification, exchange
 *   POST /tap/…                  the stand-in's webhook URL: records the exchange, forwards it
 */

export interface DevConsoleOptions {
  /** 0: any free port. */
  port: number;
  config: Config;
  /** The webhook Dialogflow calls (the local function). */
  webhookUrl: string;
  /** The Firestore emulator the functions use (jobs are watched there). */
  firestoreHost: string | undefined;
  /** The Cloud Tasks emulator's JSON status page, when it was started here. */
  tasksStatusUrl: string | undefined;
  /** The local notification sink, whose deliveries the console shows. */
  notifySink?: NotifySink;
  /** The LINE channel token the sink accepts (to show that a push carried it). */
  lineToken?: string;
  /** The local SMTP sink, whose mails the console shows. */
  smtpSink?: SmtpSink;
  /** The bot's job types, to tell each job's state as the user would hear it (demo's by default). */
  jobs?: JobRegistry;
  /** The bot's strings, for those summaries (the project's bot's by default). */
  messages?: BotMessages;
  /** DetectIntent through the local stand-in, for typed sentences. */
  detect?: Detector;
  /** Where the stand-in is, to show on the page. */
  standInHost?: string;
  /** One line per notable event (listener errors). */
  log?: (line: string) => void;
}

export interface DevConsole {
  url: string;
  /** Give this to the Dialogflow stand-in as its webhook: exchanges are recorded, then forwarded. */
  tapUrl: string;
  feed: Feed;
  close(): Promise<void>;
}

const PUBLIC = join(__dirname, 'public');
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const MAX_BODY = 64 * 1024;
const MAX_TAP_BODY = 1024 * 1024 + 1;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    })
    .end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'too_large', `body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What the console's routes share while it runs. */
interface ConsoleState {
  options: DevConsoleOptions;
  sessions: Map<string, ConsoleSession>;
  sessionsByLineUser: Map<string, string>;
  /** The last 100 exchanges through the tap, with the console session they belong to. */
  tapped: (Exchange & { sessionId?: string })[];
  /** The pages listening to server-sent events. */
  clients: Set<ServerResponse>;
  /** The jobs in Firestore (when the console watches them). */
  jobs: JobsWatch | undefined;
  tasks: TasksPoll;
  feed: Feed;
  log: (line: string) => void;
  broadcast(event: string, data: unknown): void;
  sessionFor(id: string): ConsoleSession;
}

/** Starts the console on 127.0.0.1. */
export async function startDevConsole(options: DevConsoleOptions): Promise<DevConsole> {
  const partial = consoleState(options);
  if (options.firestoreHost) partial.jobs = await watchJobsFor(partial, options.firestoreHost);
  const state: ConsoleState = Object.assign(partial, {
    tasks: pollTasks({
      statusUrl: options.tasksStatusUrl,
      active: () => partial.clients.size > 0,
      onChange: (view) => partial.broadcast('tasks', view),
    }),
  });
  const lineToken = options.lineToken ?? '';
  // Each sink is one subscription: a new kind of notification is a describer and a line here.
  const unsubscribers = [
    options.notifySink?.subscribe((d) => state.feed.add(describeSinkDelivery(d, lineToken), d.at)),
    options.smtpSink?.subscribe((mail) => state.feed.add(describeMail(mail), mail.at)),
  ];
  const server = createServer((req, res) => {
    handle(state, req, res).catch((err: unknown) => answerError(state, res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const heartbeat = setInterval(() => {
    for (const c of state.clients) c.write(': ping\n\n');
  }, 15_000);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    tapUrl: `${url}tap/`,
    feed: state.feed,
    async close() {
      clearInterval(heartbeat);
      for (const unsubscribe of unsubscribers) unsubscribe?.();
      state.tasks.stop();
      for (const c of state.clients) c.end();
      state.clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await state.jobs?.stop();
    },
  };
}

/** The console's state before it watches anything: sessions, the page clients, the feed. */
function consoleState(options: DevConsoleOptions): Omit<ConsoleState, 'tasks'> {
  const clients = new Set<ServerResponse>();
  const sessions = new Map<string, ConsoleSession>();
  const sessionsByLineUser = new Map<string, string>();
  const broadcast = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(frame);
  };
  const state = {
    options,
    sessions,
    sessionsByLineUser,
    tapped: [],
    clients,
    jobs: undefined as JobsWatch | undefined,
    log: options.log ?? (() => undefined),
    broadcast,
    sessionFor(id: string): ConsoleSession {
      let s = sessions.get(id);
      if (!s) {
        s = newSession(id);
        sessions.set(id, s);
        sessionsByLineUser.set(s.lineUserId, id);
      }
      return s;
    },
  };
  // The feed reads the jobs the state will watch: the same object, filled in later.
  return Object.assign(state, { feed: notificationFeed(state) });
}

/** Notifications for the page; each waits for its job to be known (Firestore listener). */
function notificationFeed(
  state: Pick<ConsoleState, 'jobs' | 'sessionsByLineUser' | 'broadcast'>,
): Feed {
  const jobById = (id: string): JobView | undefined => state.jobs?.get(id);
  return createFeed(
    {
      sessionOfLineUser: (userId) => state.sessionsByLineUser.get(userId),
      sessionOfJob: (id) => jobById(id)?.sessionId,
      jobOfKey: (channel, key) =>
        state.jobs?.jobs().find((j) => notificationKey(j.id, channel) === key)?.id,
      jobSentAt: (channel, at, taken) => {
        let best: { id: string; gap: number } | undefined;
        for (const j of state.jobs?.jobs() ?? []) {
          const sentAt = j.notify[channel]?.sentAt;
          if (sentAt === undefined || taken.has(j.id)) continue;
          const gap = sentAt - at; // marked sent just after the sink answered
          if (gap < -1000 || gap > 10_000) continue;
          if (!best || Math.abs(gap) < Math.abs(best.gap)) best = { id: j.id, gap };
        }
        return best?.id;
      },
    },
    (entry) => state.broadcast('notification', entry),
  );
}

/** Jobs (Firestore listener) → page, told as the user would hear them (the bot's job types). */
function watchJobsFor(state: Omit<ConsoleState, 'tasks'>, host: string): Promise<JobsWatch> {
  const { options } = state;
  let reported = false;
  return watchJobs({
    host,
    projectId: options.config.projectId,
    jobs: options.jobs ?? loadBot().jobs,
    messages: createMessages(options.messages ?? loadBot().messages),
    onChange: (list) => {
      reported = false;
      state.broadcast('jobs', list);
      state.feed.resolvePending();
    },
    onError: (err) => {
      if (!reported) state.log(`jobs listener: ${err.message} (retrying)`);
      reported = true;
    },
  });
}

/** What the page needs to know about the stack. */
function metaOf(options: DevConsoleOptions) {
  return {
    project: options.config.projectId,
    webhookUrl: options.webhookUrl,
    deadlineMs: options.config.webhook.deadlineMs,
    // Dialogflow's own timeouts: ES 5 s (fixed); CX 5 s by default (configurable up to 30 s).
    dialogflowTimeoutMs: { es: 5000, cx: 5000 },
    languages: consoleLanguages(),
    sources: CONSOLE_SOURCES,
    intents: demoIntents(),
    detect: options.detect ? { available: true, host: options.standInHost } : { available: false },
    jobs: { available: Boolean(options.firestoreHost) },
    tasks: { available: Boolean(options.tasksStatusUrl) },
    notifications: { available: Boolean(options.notifySink || options.smtpSink) },
    webhookAuth: options.config.webhook.auth.oidc
      ? 'WEBHOOK_OIDC_AUDIENCE is set: the console cannot sign Google ID tokens, so the webhook will refuse its requests'
      : undefined,
  };
}

/** A request that failed: its HttpError as JSON, anything else a 500 (and a log line). */
function answerError(state: ConsoleState, res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof HttpError) {
    sendJson(res, err.status, { error: { code: err.code, message: err.message } });
  } else {
    state.log(`dev console: ${(err as Error).message}`);
    sendJson(res, 500, { error: { code: 'internal', message: (err as Error).message } });
  }
}

async function handle(state: ConsoleState, req: IncomingMessage, res: ServerResponse) {
  // Loopback only, and only for pages served from here (no DNS rebinding, no cross-site posts).
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new HttpError(403, 'forbidden_host', 'the dev console answers only on loopback');
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;

  if (path.startsWith('/tap')) return tap(state, req, res);

  const file = STATIC[path];
  if (file) return serveStatic(req, res, file);
  if (path === '/api/meta') return sendJson(res, 200, metaOf(state.options));
  if (path === '/api/events') return events(state, req, res);
  if (path === '/api/jobs') return sendJson(res, 200, state.jobs?.jobs() ?? []);
  if (path === '/api/tasks') return sendJson(res, 200, await state.tasks.refresh());
  if (path === '/api/notifications') return sendJson(res, 200, state.feed.entries());

  const m = path.match(/^\/api\/sessions\/([^/]+)(\/turns)?$/);
  if (m) {
    const id = decodeURIComponent(m[1]!);
    if (!SESSION_ID.test(id)) {
      throw new HttpError(400, 'bad_session', 'session ids are 1-64 letters, digits, _ or -');
    }
    if (!m[2]) {
      if (req.method !== 'GET') throw new HttpError(405, 'method', 'GET only');
      const s = state.sessionFor(id);
      return sendJson(res, 200, {
        id,
        lineUserId: s.lineUserId,
        turns: s.turns,
        state: stateOf(s),
      });
    }
    return postTurn(state, req, res, id);
  }
  throw new HttpError(404, 'not_found', `nothing at ${path}`);
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, file: string) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method', 'GET only');
  const body = await readFile(join(PUBLIC, file));
  res
    .writeHead(200, {
      'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    .end(req.method === 'HEAD' ? undefined : body);
}

/** `POST /api/sessions/:id/turns`: one turn of a console session. */
async function postTurn(
  state: ConsoleState,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  if (req.method !== 'POST') throw new HttpError(405, 'method', 'POST only');
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'content_type', 'send application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readBody(req, MAX_BODY));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, 'bad_json', 'the body is not JSON');
  }
  const input = TurnInput.safeParse(parsed);
  if (!input.success) {
    const issue = input.error.issues[0];
    throw new HttpError(
      400,
      'bad_turn',
      `${issue?.path.join('.') || 'turn'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  try {
    const turn = await runTurn(state.sessionFor(id), input.data, {
      config: state.options.config,
      webhookUrl: state.options.webhookUrl,
      detect: state.options.detect,
      tapped: (sessionId, since) =>
        state.tapped.filter((e) => e.sessionId === sessionId && e.at >= since),
    });
    return sendJson(res, 200, turn);
  } catch (err) {
    if (err instanceof TurnUnavailableError) throw new HttpError(409, 'unavailable', err.message);
    throw err;
  }
}

/** Server-sent events: the current state first, then every change. */
function events(state: ConsoleState, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  const first = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  first('jobs', state.jobs?.jobs() ?? []);
  first('tasks', state.tasks.current());
  for (const e of state.feed.entries()) first('notification', e);
  state.clients.add(res);
  req.on('close', () => state.clients.delete(res));
}

/** The stand-in's webhook: forward to the real one, record what went through. */
async function tap(state: ConsoleState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { webhookUrl } = state.options;
  const body = await readBody(req, MAX_TAP_BODY);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k))
      headers[k] = v;
  }
  const at = Date.now();
  const started = performance.now();
  let status: number;
  let text: string;
  let contentType = 'application/json';
  try {
    const answer = await fetch(webhookUrl, {
      method: req.method ?? 'POST',
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      signal: AbortSignal.timeout(30_000),
    });
    status = answer.status;
    text = await answer.text();
    contentType = answer.headers.get('content-type') ?? contentType;
  } catch (err) {
    sendJson(res, 502, {
      error: { code: 'webhook_unreachable', message: (err as Error).message },
    });
    return;
  }
  let request: unknown = body;
  try {
    request = JSON.parse(body);
  } catch {
    // recorded as text
  }
  const edition = editionOf(request) ?? 'es';
  const exchange: Exchange & { sessionId?: string } = {
    ...exchangeOf(edition, webhookUrl, at, request, status, text, performance.now() - started),
    sessionId: sessionIdOf(sessionPathOf(request)),
  };
  state.tapped.push(exchange);
  if (state.tapped.length > 100) state.tapped.splice(0, state.tapped.length - 100);
  state.broadcast('exchange', {
    sessionId: exchange.sessionId,
    at,
    status,
    latencyMs: exchange.latencyMs,
  });
  res.writeHead(status, { 'content-type': contentType }).end(text);
}
