import { Readable } from 'node:stream';
import {
  Budget,
  createTurnContext,
  renderCx,
  renderEs,
  runTurn,
  type IntentHandler,
  type Reply,
  type TurnOutcome,
} from '@dialogflow-functions/core/conversation';
import { parseWebhookRequest } from '@dialogflow-functions/core/dialogflow';
import type { IncomingRequest, OutgoingResponse } from '@dialogflow-functions/core/http';
import type { Deferrer } from '@dialogflow-functions/core/jobs';
import { createLogger, type Logger } from '@dialogflow-functions/core/logger';
import { createMessages, type BotMessages } from '@dialogflow-functions/core/messages';
import { assertValidResponse } from './proto-check';
import { textsOf } from './replies';
import { editionOfRequest } from './strict-webhook';

/** One handler's turn, run in-process. */
export interface IntentRun {
  /** What the handler returned (or the apology / still-working reply the router gave instead). */
  reply: Reply;
  outcome: TurnOutcome;
  /** The rendered WebhookResponse, already checked against Google's protos. */
  response: object;
  /** The reply's texts joined by newlines, as the user reads them. */
  text: string;
  /** The JSON log lines the turn wrote. */
  logs: Record<string, unknown>[];
}

/**
 * Runs one handler on a request built with `esRequest`/`cxRequest` (or any Dialogflow body):
 * parses it as the webhook does, gives it a budget of `deadlineMs`, routes it through the same
 * deadline guard, renders the reply and checks it strictly. Throws when the response would be
 * rejected by Dialogflow.
 */
export async function runIntent(
  handler: IntentHandler,
  body: unknown,
  options: {
    deadlineMs?: number;
    defer?: Deferrer;
    logger?: Logger;
    /** The bot's strings (`defineBot({ messages })`), for handlers that read them from `ctx.t`. */
    messages?: BotMessages;
  } = {},
): Promise<IntentRun> {
  const logs: Record<string, unknown>[] = [];
  const logger =
    options.logger ??
    createLogger({ sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const parsed = parseWebhookRequest(body);
  const abort = new AbortController();
  const budget = new Budget(Date.now() + (options.deadlineMs ?? 4000), abort.signal);
  const ctx = createTurnContext(
    parsed,
    budget,
    logger,
    options.defer,
    createMessages(options.messages),
  );
  const { reply, outcome } = await runTurn(ctx, new Map([[ctx.name, handler]]), handler, abort);
  const response =
    ctx.edition === 'es'
      ? renderEs(reply, {
          session: ctx.session,
          platform: ctx.platform,
          languageCode: ctx.languageCode,
          t: ctx.t,
        })
      : renderCx(reply);
  assertValidResponse(ctx.edition, response);
  return { reply, outcome, response, text: textsOf(ctx.edition, response).join('\n'), logs };
}

/** A webhook's answer to one in-process call. */
export interface WebhookCall {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Calls a whole webhook (or worker) handler in-process, without HTTP: the body is handed over
 * as functions-framework hands it (parsed JSON plus `rawBody`). A 200 answer to a Dialogflow
 * request (or to any body when `edition` is given) is checked against the protos.
 */
export async function callWebhook(
  handler: (req: IncomingRequest, res: OutgoingResponse) => void | Promise<void>,
  body: unknown,
  options: { headers?: Record<string, string>; method?: string; edition?: 'es' | 'cx' } = {},
): Promise<WebhookCall> {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const req = Object.assign(Readable.from([raw]), {
    method: options.method ?? 'POST',
    url: '/',
    headers: { 'content-type': 'application/json', ...lower(options.headers ?? {}) },
    rawBody: raw,
    body: typeof body === 'string' ? undefined : body,
  }) as unknown as IncomingRequest;
  const answer: WebhookCall = { status: 200, headers: {}, body: undefined };
  let sent = false;
  const res: OutgoingResponse = {
    get headersSent() {
      return sent;
    },
    status(code) {
      answer.status = code;
      return res;
    },
    set(field, value) {
      answer.headers[field.toLowerCase()] = value;
      return res;
    },
    json(value) {
      answer.body = JSON.parse(JSON.stringify(value));
      sent = true;
      return res;
    },
    end() {
      sent = true;
      return res;
    },
  };
  await handler(req, res);
  const edition =
    options.edition ?? editionOfRequest(typeof body === 'string' ? parseOrUndefined(body) : body);
  if (edition && answer.status === 200) assertValidResponse(edition, answer.body);
  return answer;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
