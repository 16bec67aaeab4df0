import { checkWebhookAuth, googleIdTokenVerifier, type IdTokenVerifier } from '../../shared/auth';
import type { Config } from '../../shared/config';
import {
  Budget,
  createTurnContext,
  jsonBytes,
  renderCx,
  renderEs,
  runTurn,
  say,
  type IntentHandler,
  type IntentMap,
  type Reply,
  type TurnContext,
} from '../../shared/conversation';
import { lagAdjustedBudget } from '../../shared/deadline';
import {
  ES_RESPONSE_MAX_BYTES,
  parseWebhookRequest,
  type ParsedRequest,
} from '../../shared/dialogflow';
import { errorMessage } from '../../shared/errors';
import {
  readJsonBody,
  rejectRequest,
  requireJson,
  requirePost,
  type IncomingRequest,
  type OutgoingResponse,
} from '../../shared/http';
import type { Deferrer } from '../../shared/jobs';
import { createLogger, traceFields, type Logger } from '../../shared/logger';

/** What the webhook needs; tests and self-hosted apps pass their own. */
export interface WebhookDeps {
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

export type WebhookHandler = (req: IncomingRequest, res: OutgoingResponse) => Promise<void>;

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

  return async function webhook(req, res) {
    const started = now();
    const log = logger.child(traceFields(deps.config.projectId, req.headers));
    let parsed: ParsedRequest;
    try {
      requirePost(req);
      await checkWebhookAuth(req, auth, verifyIdToken);
      requireJson(req);
      parsed = parseWebhookRequest(await readJsonBody(req));
    } catch (err) {
      rejectRequest(res, log, err);
      return;
    }

    const abort = new AbortController();
    // Under CPU saturation timers fire late: answer earlier by what the event loop lags.
    const budget = new Budget(started + lagAdjustedBudget(deadlineMs), abort.signal, now);
    const ctx = createTurnContext(parsed, budget, (fields) => log.child(fields), deps.defer);

    const { reply, outcome } = await runTurn(ctx, deps.intents, deps.fallback, abort);
    const body = renderSafely(ctx, reply);
    if (res.headersSent) return;
    res.status(200).json(body);
    ctx.log.info('turn answered', {
      outcome,
      platform: ctx.platform,
      language: ctx.language,
      latencyMs: now() - started,
    });
  };
}

/** Renders the reply; a reply that cannot be rendered (or is too big for ES) becomes the apology. */
function renderSafely(ctx: TurnContext, reply: Reply): object {
  const render = (r: Reply) =>
    ctx.edition === 'es'
      ? renderEs(r, {
          session: ctx.session,
          platform: ctx.platform,
          languageCode: ctx.languageCode,
          t: ctx.t,
        })
      : renderCx(r, { platform: ctx.platform });
  try {
    const body = render(reply);
    if (ctx.edition === 'es' && jsonBytes(body) > ES_RESPONSE_MAX_BYTES) {
      ctx.log.error('reply over the 64 KiB ES limit replaced by the apology', {
        bytes: jsonBytes(body),
      });
      return render(say(ctx.t.apology));
    }
    return body;
  } catch (err) {
    ctx.log.error('reply could not be rendered', { error: errorMessage(err) });
    return render(say(ctx.t.apology));
  }
}
