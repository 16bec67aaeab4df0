import { checkWebhookAuth, googleIdTokenVerifier, type IdTokenVerifier } from '../auth';
import type { Config } from '../config';
import {
  Budget,
  createTurnContext,
  renderCx,
  renderEs,
  routeTurn,
  say,
  type IntentHandler,
  type IntentMap,
  type Reply,
  type TurnContext,
  type TurnResult,
} from '../conversation';
import { lagAdjustedBudget } from '../deadline';
import { ES_RESPONSE_MAX_BYTES, parseWebhookRequest, type ParsedRequest } from '../dialogflow';
import { errorMessage } from '../errors';
import {
  BODY_UNREAD,
  jsonBodyIfRead,
  readJsonBody,
  rejectRequest,
  requireJson,
  requirePost,
  sendJsonText,
  type IncomingRequest,
  type OutgoingResponse,
} from '../http';
import type { Deferrer } from '../jobs';
import { createLogger, traceFields, type Logger } from '../logger';
import { createMessages, type BotMessagesOption } from '../messages';

/**
 * What the webhook needs; tests and self-hosted apps pass their own. `messages`: the bot's strings
 * (`defineBot({ messages })`), required once it registers `Register['messages']`.
 */
export interface WebhookDeps extends BotMessagesOption {
  config: Pick<Config, 'projectId' | 'webhook'>;
  /** Intent display names (ES) and tags (CX) to handlers. */
  intents: IntentMap;
  /** Answers names the map does not know (and requests without one). */
  fallback: IntentHandler;
  logger?: Logger;
  /** Verifies Google ID tokens when WEBHOOK_OIDC_AUDIENCE is set (default: google-auth-library). */
  verifyIdToken?: IdTokenVerifier;
  /** Hands slow work to the worker (`ctx.defer`); without it, deferring answers "not queued". */
  defer?: Deferrer;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The webhook as an Express-style handler. It returns a promise only when the turn waits for
 * something (an ID token check, a body still to read, a handler doing I/O); a turn answered
 * from memory is answered synchronously, without a promise hop or a timer.
 */
export type WebhookHandler = (req: IncomingRequest, res: OutgoingResponse) => void | Promise<void>;

/**
 * Builds the Dialogflow ES/CX webhook as an Express-style `(req, res)` handler: usable with
 * functions-framework (`http('webhook', handler)`) or mounted in any Express app.
 *
 * Every well-formed request gets a 200 with a response Dialogflow accepts, within
 * `config.webhook.deadlineMs`; everything else gets a 4xx `{error:{code,message}}`.
 */
export function createWebhookHandler(deps: WebhookDeps): WebhookHandler {
  const logger = deps.logger ?? createLogger();
  const now = deps.now ?? Date.now;
  const verifyIdToken = deps.verifyIdToken ?? googleIdTokenVerifier();
  const { deadlineMs, auth } = deps.config.webhook;
  const messages = createMessages(deps.messages);

  /** The turn, once the request is known to be a Dialogflow request. */
  function answer(
    parsed: ParsedRequest,
    res: OutgoingResponse,
    log: Logger,
    started: number,
  ): void | Promise<void> {
    // The budget creates its abort signal only if a handler's I/O asks for it.
    // Under CPU saturation timers fire late: answer earlier by what the event loop lags.
    const budget = new Budget(started + lagAdjustedBudget(deadlineMs), undefined, now);
    const ctx = createTurnContext(
      parsed,
      budget,
      (fields) => log.child(fields),
      deps.defer,
      messages,
    );
    const turn = routeTurn(ctx, deps.intents, deps.fallback);
    if (turn instanceof Promise) return turn.then((t) => send(ctx, t, res, started));
    send(ctx, turn, res, started);
  }

  function send(ctx: TurnContext, turn: TurnResult, res: OutgoingResponse, started: number) {
    const text = renderSafely(ctx, turn.reply);
    if (res.headersSent) return;
    sendJsonText(res, 200, text);
    ctx.log.info('turn answered', {
      outcome: turn.outcome,
      platform: ctx.platform,
      language: ctx.language,
      latencyMs: now() - started,
    });
  }

  /** After auth: the body (read once, by the host or here) parsed into a request. */
  function afterAuth(
    req: IncomingRequest,
    res: OutgoingResponse,
    log: Logger,
    started: number,
  ): void | Promise<void> {
    let parsed: ParsedRequest;
    try {
      requireJson(req);
      const body = jsonBodyIfRead(req);
      if (body === BODY_UNREAD) {
        return readJsonBody(req)
          .then(parseWebhookRequest)
          .then(
            (p) => answer(p, res, log, started),
            (err: unknown) => rejectRequest(res, log, err),
          );
      }
      parsed = parseWebhookRequest(body);
    } catch (err) {
      rejectRequest(res, log, err);
      return;
    }
    return answer(parsed, res, log, started);
  }

  return function webhook(req, res) {
    const started = now();
    const log = logger.child(traceFields(deps.config.projectId, req.headers));
    let pendingAuth: void | Promise<void>;
    try {
      requirePost(req);
      pendingAuth = checkWebhookAuth(req, auth, verifyIdToken);
    } catch (err) {
      rejectRequest(res, log, err);
      return;
    }
    if (pendingAuth) {
      return pendingAuth.then(
        () => afterAuth(req, res, log, started),
        (err: unknown) => rejectRequest(res, log, err),
      );
    }
    return afterAuth(req, res, log, started);
  };
}

/**
 * The reply as the JSON text sent; a reply that cannot be rendered (or is too big for ES)
 * becomes the apology. Serialised once: the size check and the answer share the text.
 */
function renderSafely(ctx: TurnContext, reply: Reply): string {
  const render = (r: Reply) =>
    JSON.stringify(
      ctx.edition === 'es'
        ? renderEs(r, {
            session: ctx.session,
            platform: ctx.platform,
            languageCode: ctx.languageCode,
            t: ctx.t,
          })
        : renderCx(r, { platform: ctx.platform }),
    );
  try {
    const text = render(reply);
    if (ctx.edition === 'es' && text.length > ES_RESPONSE_MAX_BYTES / 3) {
      const bytes = Buffer.byteLength(text);
      if (bytes > ES_RESPONSE_MAX_BYTES) {
        ctx.log.error('reply over the 64 KiB ES limit replaced by the apology', { bytes });
        return render(say(ctx.t.apology));
      }
    }
    return text;
  } catch (err) {
    ctx.log.error('reply could not be rendered', { error: errorMessage(err) });
    return render(say(ctx.t.apology));
  }
}
