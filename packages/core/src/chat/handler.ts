import {
  answerPreflight,
  CHAT_BODY_MAX_BYTES,
  ChatRequest,
  checkOrigin,
  grantCors,
  RateLimiter,
  renderWeb,
  signSessionToken,
  unavailableText,
  verifySessionToken,
  type ChatResponse,
  type ChatTurn,
  type DetectIntent,
  type RateLimit,
} from './parts';
import { errorMessage, FulfillmentError } from '../errors';
import {
  header,
  readJsonBody,
  rejectRequest,
  requireJson,
  sendJsonText,
  type IncomingRequest,
  type OutgoingResponse,
} from '../http';
import { createLogger, traceFields, type Logger } from '../logger';

/** What the chat function needs; tests and self-hosted apps pass their own. */
export interface ChatDeps {
  projectId: string;
  /** DetectIntent on the agent (or the local stand-in). */
  dialogflow: DetectIntent;
  /** Signs and verifies the session tokens. */
  sessionSecret: string;
  /** Origins whose browsers may call (exact scheme://host[:port]). */
  allowedOrigins: readonly string[];
  /** Per session (default: a burst of 10, then 1 a second). */
  sessionLimit?: RateLimit;
  /** Per client address (default: a burst of 30, then 2 a second). */
  clientLimit?: RateLimit;
  /** Answer budget from the request's arrival (default 4500 ms: under 5 s with the network). */
  deadlineMs?: number;
  logger?: Logger;
  /** Clock, for tests (tokens and rate limits). */
  now?: () => number;
}

export type ChatHandler = ((req: IncomingRequest, res: OutgoingResponse) => Promise<void>) & {
  /** Creates the Dialogflow client ahead of the first turn. */
  warm(): Promise<void>;
};

export const DEFAULT_SESSION_LIMIT: RateLimit = { burst: 10, perSecond: 1 };
export const DEFAULT_CLIENT_LIMIT: RateLimit = { burst: 30, perSecond: 2 };
export const CHAT_DEADLINE_MS = 4500;

/**
 * The client's address: the last `X-Forwarded-For` entry (the one Google's front end appends:
 * what a client writes there itself comes before it), else the socket's peer.
 */
export function clientAddress(req: IncomingRequest): string {
  const forwarded = header(req, 'x-forwarded-for');
  const last = forwarded?.split(',').pop()?.trim();
  return last || req.socket?.remoteAddress || 'unknown';
}

/** Something that did not answer in time. */
class DetectTimeout extends Error {
  override readonly name = 'DetectTimeout';
}

/**
 * Builds the chat function (DetectIntent for web and mobile clients) as an Express-style
 * handler: `POST {text | event, languageCode?, session?}` → 200 `{session, messages, intent?,
 * end?}` (see DESIGN.md, "Wire formats"). Bad tokens 401, bad input 400, origins not allowed
 * 403, too many requests 429 with Retry-After, bodies over 16 KiB 413. Dialogflow failing or
 * hanging still gets a 200 with a polite text, within the deadline.
 */
export function createChatHandler(deps: ChatDeps): ChatHandler {
  const logger = deps.logger ?? createLogger();
  const now = deps.now ?? Date.now;
  const allowed = new Set(deps.allowedOrigins);
  const sessions = new RateLimiter(deps.sessionLimit ?? DEFAULT_SESSION_LIMIT, now);
  const clients = new RateLimiter(deps.clientLimit ?? DEFAULT_CLIENT_LIMIT, now);
  const deadlineMs = deps.deadlineMs ?? CHAT_DEADLINE_MS;

  /** The turn, or why not: a rejection (Dialogflow's error) or a timeout within the budget. */
  function detectWithin(
    query: Parameters<DetectIntent['detect']>[0],
    ms: number,
  ): Promise<ChatTurn> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DetectTimeout(`no answer within ${ms} ms`)), ms);
    });
    return Promise.race([deps.dialogflow.detect(query), timeout]).finally(() =>
      clearTimeout(timer),
    );
  }

  const chat = async function chat(req: IncomingRequest, res: OutgoingResponse): Promise<void> {
    const started = Date.now();
    const log = logger.child(traceFields(deps.projectId, req.headers));
    const origin = checkOrigin(req, allowed);
    // The answer depends on the Origin: caches must keep one per origin.
    res.set('Vary', 'Origin');
    if (origin === 'refused') {
      // No CORS grant: the browser keeps the answer from the page.
      rejectRequest(
        res,
        log,
        new FulfillmentError('permission-denied', 'This origin may not use the chat.'),
      );
      return;
    }
    if (origin === 'allowed') grantCors(req, res);
    if (req.method === 'OPTIONS') {
      if (origin === 'allowed') answerPreflight(req, res);
      else res.set('Allow', 'POST, OPTIONS').status(204).end();
      return;
    }
    try {
      if (req.method !== 'POST') {
        throw new FulfillmentError(
          'method-not-allowed',
          `Method ${req.method} is not allowed; use POST.`,
          {
            Allow: 'POST, OPTIONS',
          },
        );
      }
      const ip = clientAddress(req);
      const byClient = clients.take(ip);
      if (!byClient.ok) throw tooMany(byClient.retryAfterSeconds);
      requireJson(req);
      const body = await readJsonBody(req, CHAT_BODY_MAX_BYTES);
      const parsed = ChatRequest.safeParse(body);
      if (!parsed.success) {
        throw new FulfillmentError(
          'invalid-argument',
          parsed.error.issues[0]?.message ?? 'Bad request.',
        );
      }
      const input = parsed.data;
      let sessionId: string | undefined;
      if (input.session !== undefined) {
        const verified = verifySessionToken(deps.sessionSecret, input.session, now());
        if (typeof verified === 'string') {
          log.warn('session token refused', { reason: verified });
          throw new FulfillmentError(
            'unauthenticated',
            verified === 'expired'
              ? 'The session has expired; start a new one (send no session).'
              : 'The session token is not valid; start a new one (send no session).',
          );
        }
        sessionId = verified.id;
        const bySession = sessions.take(sessionId);
        if (!bySession.ok) throw tooMany(bySession.retryAfterSeconds);
      }
      const { token, session } = signSessionToken(deps.sessionSecret, {
        ...(sessionId ? { sessionId } : {}),
        nowMs: now(),
      });
      const languageCode = input.languageCode ?? 'en';
      let answer: ChatResponse;
      try {
        const left = deadlineMs - (Date.now() - started);
        const turn = await detectWithin(
          {
            sessionId: session.id,
            ...(input.text !== undefined ? { text: input.text } : { event: input.event ?? '' }),
            languageCode,
            timeoutMs: left,
          },
          left,
        );
        const messages = renderWeb(turn.reply);
        answer = {
          session: token,
          // An agent may say nothing (a CX event without a fulfillment): nothing to show.
          messages,
          ...(turn.intent ? { intent: turn.intent } : {}),
          ...(turn.end ? { end: true } : {}),
        };
        log.info('chat turn answered', {
          edition: deps.dialogflow.edition,
          intent: turn.intent,
          messages: messages.length,
          latencyMs: Date.now() - started,
        });
      } catch (err) {
        log.error('dialogflow did not answer; sent the apology', {
          reason: err instanceof DetectTimeout ? 'timeout' : 'error',
          error: errorMessage(err),
          latencyMs: Date.now() - started,
        });
        answer = {
          session: token,
          messages: [{ type: 'text', text: unavailableText(languageCode) }],
        };
      }
      if (res.headersSent) return;
      sendJsonText(res, 200, JSON.stringify(answer));
    } catch (err) {
      rejectRequest(res, log, err);
    }
  };
  return Object.assign(chat, { warm: () => deps.dialogflow.warm() });
}

function tooMany(retryAfterSeconds: number): FulfillmentError {
  return new FulfillmentError('resource-exhausted', 'Too many requests; try again later.', {
    'Retry-After': String(retryAfterSeconds),
  });
}
