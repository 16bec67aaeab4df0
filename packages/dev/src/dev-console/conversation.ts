import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '@dialogflow-functions/core/config';
import { platformOf } from '@dialogflow-functions/core/conversation';
import { protoErrors } from '@dialogflow-functions/testing/protos';
import { cxRequest, esRequest, type RequestSource } from '@dialogflow-functions/testing/requests';
import type { MatchExplanation } from '../lib/dialogflow-client';
import { typedValue } from '../lib/values';
import { CONSOLE_SOURCES } from './catalogue';
import { displayCx, displayEs, type DisplayItem, type DisplayPlatform } from './display';

/*
 * Console conversations: each keeps what Dialogflow would keep between turns (ES contexts with
 * their lifespans, CX session parameters) and the job ids the bot handed out. A turn is either
 * an intent (or CX tag) picked with typed parameters, posted to the webhook as Dialogflow
 * would after matching it, or a sentence sent through the local Dialogflow stand-in
 * (DetectIntent), which matches it and calls the webhook itself.
 */

export type Edition = 'es' | 'cx';

/** One webhook call: what went out, what came back, and whether Dialogflow would accept it. */
export interface Exchange {
  edition: Edition;
  url: string;
  at: number;
  request: unknown;
  /** HTTP status (0 when the webhook did not answer). */
  status: number;
  /** The parsed JSON answer, or its text when it was not JSON. */
  response: unknown;
  latencyMs: number;
  bytes: number;
  /** Problems under Google's WebhookResponse proto (empty: valid); unset when not a 200. */
  protoErrors?: string[];
  /** Network failure, when there was no answer. */
  error?: string;
}

/** A DetectIntent round trip through the stand-in (text turns). */
export interface Detection {
  request: unknown;
  response: unknown;
  latencyMs: number;
  /** The matched ES intent or CX page/intent, its confidence and the parameters extracted. */
  match: {
    intent?: string;
    page?: string;
    confidence?: number;
    parameters: Record<string, unknown>;
    /** The stand-in's top candidates and entities found (its "why it matched"). */
    why?: MatchExplanation;
  };
  /** What the user sees: ES fulfillmentMessages / CX responseMessages. */
  messages: unknown;
  fulfillmentText?: string;
  /** ES: the session's contexts after the turn (full resource names). */
  outputContexts?: { name: string; lifespanCount?: number; parameters?: Record<string, unknown> }[];
  /** CX: the session parameters after the turn. */
  sessionParameters?: Record<string, unknown>;
  /** The webhook call as DetectIntent reports it (status, latency). */
  webhook?: {
    outcome: 'ok' | 'error' | 'none';
    code?: number;
    message?: string;
    latencyMs?: number;
  };
}

export interface DetectInput {
  edition: Edition;
  text: string;
  languageCode: string;
  sessionId: string;
  /** Passed as QueryParameters.payload: reaches the webhook as the integration's payload. */
  payload: Record<string, unknown>;
  /** ES: active contexts to send (QueryParameters.contexts). */
  contexts: { name: string; lifespanCount: number; parameters: Record<string, unknown> }[];
  /** CX: session parameters to send (QueryParameters.parameters). */
  parameters: Record<string, unknown>;
}

/** Sends a sentence through DetectIntent (the local stand-in). */
export type Detector = (input: DetectInput) => Promise<Detection>;

export interface TurnRecord {
  id: number;
  at: number;
  edition: Edition;
  languageCode: string;
  source: RequestSource;
  mode: 'intent' | 'text';
  input: { intent?: string; parameters?: Record<string, unknown>; text?: string };
  detection?: Detection;
  /** The webhook calls of the turn (a text turn may have none: an intent without webhook). */
  exchanges: Exchange[];
  display: DisplayItem[];
  /** Things Dialogflow would do next that the console only reports (follow-up event, page). */
  notes: string[];
  deadlineMs: number;
  state: SessionState;
  error?: string;
}

export interface SessionState {
  contexts: { name: string; lifespanCount: number; parameters: Record<string, unknown> }[];
  parameters: Record<string, unknown>;
  jobIds: string[];
}

export interface ConsoleSession {
  id: string;
  /** This conversation's LINE user id: LINE pushes to it land in this conversation. */
  lineUserId: string;
  contexts: Map<string, { lifespanCount: number; parameters: Record<string, unknown> }>;
  parameters: Record<string, unknown>;
  jobIds: string[];
  turns: TurnRecord[];
  turnCount: number;
}

export const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

const ParameterInput = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'parameter names are letters, digits, _ . -'),
  kind: z.enum(['number', 'date', 'time', 'person', 'text']),
  value: z.string().max(1000),
});

/** A turn as the page posts it. */
export const TurnInput = z
  .strictObject({
    edition: z.enum(['es', 'cx']),
    languageCode: z
      .string()
      .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$/, 'not a language code'),
    source: z.enum(CONSOLE_SOURCES as [RequestSource, ...RequestSource[]]),
    intent: z.string().trim().min(1).max(200).optional(),
    parameters: z.array(ParameterInput).max(30).optional(),
    text: z.string().trim().min(1).max(256).optional(),
  })
  .refine((t) => (t.intent === undefined) !== (t.text === undefined), {
    message: 'give either an intent or a text',
  });
export type TurnInput = z.infer<typeof TurnInput>;

/** LINE user ids are U + 32 hex digits; each console conversation gets its own. */
export function lineUserIdFor(sessionId: string): string {
  return `U${createHash('sha256').update(`dev-console:${sessionId}`).digest('hex').slice(0, 32)}`;
}

export function newSession(id: string): ConsoleSession {
  return {
    id,
    lineUserId: lineUserIdFor(id),
    contexts: new Map(),
    parameters: {},
    jobIds: [],
    turns: [],
    turnCount: 0,
  };
}

export function stateOf(s: ConsoleSession): SessionState {
  return {
    contexts: [...s.contexts].map(([name, c]) => ({ name, ...c })),
    parameters: { ...s.parameters },
    jobIds: [...s.jobIds],
  };
}

export interface TurnDeps {
  config: Pick<Config, 'webhook'>;
  webhookUrl: string;
  detect: Detector | undefined;
  /** Exchanges the stand-in made for this session since `since` (recorded by the tap). */
  tapped: (sessionId: string, since: number) => Exchange[];
  now?: () => number;
}

/** Thrown for a turn the console cannot run (e.g. a sentence without a stand-in): a 409. */
export class TurnUnavailableError extends Error {
  override readonly name = 'TurnUnavailableError';
}

/** Runs one turn of `session` and records it. */
export async function runTurn(
  session: ConsoleSession,
  input: TurnInput,
  deps: TurnDeps,
): Promise<TurnRecord> {
  const now = deps.now ?? Date.now;
  const platform = platformOf(input.source === 'console' ? undefined : input.source) as
    | DisplayPlatform
    | undefined;
  const base = {
    id: ++session.turnCount,
    at: now(),
    edition: input.edition,
    languageCode: input.languageCode,
    source: input.source,
    deadlineMs: deps.config.webhook.deadlineMs,
  };
  let record: TurnRecord;
  if (input.text !== undefined) {
    if (!deps.detect) {
      throw new TurnUnavailableError(
        'Typing a sentence needs the local Dialogflow stand-in (npm start runs it); pick an intent instead.',
      );
    }
    record = await textTurn(session, input as TurnInput & { text: string }, deps, base, platform);
  } else {
    record = await intentTurn(
      session,
      input as TurnInput & { intent: string },
      deps,
      base,
      platform,
    );
  }
  collectJobIds(session);
  record.state = stateOf(session);
  session.turns.push(record);
  if (session.turns.length > 200) session.turns.splice(0, session.turns.length - 200);
  return record;
}

type Base = Pick<TurnRecord, 'id' | 'at' | 'edition' | 'languageCode' | 'source' | 'deadlineMs'>;

async function intentTurn(
  session: ConsoleSession,
  input: TurnInput & { intent: string },
  deps: TurnDeps,
  base: Base,
  platform: DisplayPlatform | undefined,
): Promise<TurnRecord> {
  const parameters: Record<string, unknown> = {};
  for (const p of input.parameters ?? []) {
    if (p.value.trim() === '') continue; // an empty field is an unfilled parameter
    parameters[p.name] = typedValue(p.kind, p.value, input.edition);
  }
  // A new conversational turn: every ES context lives one turn less.
  for (const [name, c] of session.contexts) {
    if (c.lifespanCount <= 1) session.contexts.delete(name);
    else c.lifespanCount -= 1;
  }
  const options = {
    name: input.intent,
    parameters,
    languageCode: input.languageCode,
    source: input.source,
    sessionId: session.id,
    lineUserId: session.lineUserId,
    contexts: Object.fromEntries([...session.contexts].map(([n, c]) => [n, c.parameters])),
    contextLifespans: Object.fromEntries(
      [...session.contexts].map(([n, c]) => [n, c.lifespanCount]),
    ),
    sessionParameters: session.parameters,
  };
  const request = input.edition === 'es' ? esRequest(options) : cxRequest(options);
  const exchange = await postToWebhook(deps, input.edition, request);
  const response = exchange.response as Record<string, unknown> | undefined;
  const notes: string[] = [];
  let display: DisplayItem[] = [];
  if (exchange.status === 200 && response && typeof response === 'object') {
    if (input.edition === 'es') {
      applyEsContexts(session, response.outputContexts);
      display = displayEs(response.fulfillmentMessages, response.fulfillmentText, platform);
      const followup = response.followupEventInput as { name?: string } | undefined;
      if (followup?.name) notes.push(`followupEvent ${followup.name}`);
    } else {
      const info = response.sessionInfo as { parameters?: Record<string, unknown> } | undefined;
      applyCxParameters(session, info?.parameters);
      const fr = response.fulfillmentResponse as { messages?: unknown } | undefined;
      display = displayCx(fr?.messages, input.source);
      const form = (response.pageInfo as { formInfo?: { parameterInfo?: unknown } } | undefined)
        ?.formInfo?.parameterInfo;
      for (const p of Array.isArray(form) ? (form as Record<string, unknown>[]) : []) {
        notes.push(`form ${String(p.displayName)}: ${String(p.state)}`);
      }
      if (typeof response.targetPage === 'string') notes.push(`targetPage ${response.targetPage}`);
      if (typeof response.targetFlow === 'string') notes.push(`targetFlow ${response.targetFlow}`);
    }
  }
  return {
    ...base,
    mode: 'intent',
    input: { intent: input.intent, parameters },
    exchanges: [exchange],
    display,
    notes,
    state: stateOf(session),
    ...(exchange.status === 200
      ? {}
      : { error: exchange.error ?? `the webhook answered HTTP ${exchange.status}` }),
  };
}

async function textTurn(
  session: ConsoleSession,
  input: TurnInput & { text: string },
  deps: TurnDeps,
  base: Base,
  platform: DisplayPlatform | undefined,
): Promise<TurnRecord> {
  // The integration payload the request would carry (LINE user id and all), built by the same
  // code as the intent path's requests, so the webhook sees the same platform either way.
  const shaped = esRequest({
    name: '',
    queryText: input.text,
    source: input.source,
    sessionId: session.id,
    lineUserId: session.lineUserId,
  }).originalDetectIntentRequest as { source?: string; payload?: Record<string, unknown> };
  const payload = input.source === 'console' ? {} : { ...shaped.payload, source: input.source };
  const since = (deps.now ?? Date.now)();
  let detection: Detection;
  try {
    detection = await deps.detect!({
      edition: input.edition,
      text: input.text,
      languageCode: input.languageCode,
      sessionId: session.id,
      payload,
      contexts: [...session.contexts].map(([name, c]) => ({ name, ...c })),
      parameters: session.parameters,
    });
  } catch (err) {
    return {
      ...base,
      mode: 'text',
      input: { text: input.text },
      exchanges: deps.tapped(session.id, since),
      display: [],
      notes: [],
      state: stateOf(session),
      error: `DetectIntent failed: ${(err as Error).message}`,
    };
  }
  if (input.edition === 'es') {
    session.contexts.clear();
    applyEsContexts(session, detection.outputContexts);
  } else if (detection.sessionParameters) {
    session.parameters = { ...detection.sessionParameters };
  }
  const display =
    input.edition === 'es'
      ? displayEs(detection.messages, detection.fulfillmentText, platform)
      : displayCx(detection.messages, input.source);
  return {
    ...base,
    mode: 'text',
    input: { text: input.text },
    detection,
    exchanges: deps.tapped(session.id, since),
    display,
    notes: [],
    state: stateOf(session),
  };
}

/** Sets the contexts a response (or DetectIntent) names; lifespan 0 ends a context. */
function applyEsContexts(session: ConsoleSession, outputContexts: unknown): void {
  if (!Array.isArray(outputContexts)) return;
  for (const c of outputContexts as {
    name?: unknown;
    lifespanCount?: unknown;
    parameters?: unknown;
  }[]) {
    if (typeof c?.name !== 'string') continue;
    // Full resource names (webhook responses) or short ones (the DetectIntent client's).
    const at = c.name.lastIndexOf('/contexts/');
    const short = at < 0 ? c.name : c.name.slice(at + '/contexts/'.length);
    if (!short || short.startsWith('__system')) continue;
    const lifespan = typeof c.lifespanCount === 'number' ? c.lifespanCount : 5;
    if (lifespan <= 0) session.contexts.delete(short);
    else {
      session.contexts.set(short, {
        lifespanCount: lifespan,
        parameters:
          c.parameters && typeof c.parameters === 'object'
            ? (c.parameters as Record<string, unknown>)
            : {},
      });
    }
  }
}

/** Merges CX session parameter updates; `null` deletes, as in CX. */
function applyCxParameters(session: ConsoleSession, updates: unknown): void {
  if (!updates || typeof updates !== 'object') return;
  for (const [k, v] of Object.entries(updates)) {
    if (v === null) delete session.parameters[k];
    else session.parameters[k] = v;
  }
}

/** The job ids the conversation carries (ES context `pending_job`, CX parameter `job_id`). */
function collectJobIds(session: ConsoleSession): void {
  const found = [session.contexts.get('pending_job')?.parameters.job_id, session.parameters.job_id];
  for (const id of found) {
    if (typeof id === 'string' && id !== '' && !session.jobIds.includes(id))
      session.jobIds.push(id);
  }
}

/** Headers the configured webhook auth wants (Basic, shared token); OIDC cannot be made here. */
export function webhookAuthHeaders(config: Pick<Config, 'webhook'>): Record<string, string> {
  const h: Record<string, string> = {};
  const { basic, token } = config.webhook.auth;
  if (basic)
    h.authorization = `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`;
  if (token) h[token.header] = token.value;
  return h;
}

/** POSTs a WebhookRequest as Dialogflow does and checks the answer under the proto. */
export async function postToWebhook(
  deps: Pick<TurnDeps, 'config' | 'webhookUrl' | 'now'>,
  edition: Edition,
  request: unknown,
  headers: Record<string, string> = webhookAuthHeaders(deps.config),
): Promise<Exchange> {
  const at = (deps.now ?? Date.now)();
  const started = performance.now();
  const body = JSON.stringify(request);
  let res: Response;
  try {
    res = await fetch(deps.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      // Dialogflow gives up long before this; a hung webhook must not hang the console.
      signal: AbortSignal.timeout(Math.max(30_000, deps.config.webhook.deadlineMs * 2)),
    });
  } catch (err) {
    return {
      edition,
      url: deps.webhookUrl,
      at,
      request,
      status: 0,
      response: undefined,
      latencyMs: Math.round(performance.now() - started),
      bytes: 0,
      error: `no answer from ${deps.webhookUrl}: ${(err as Error).message}`,
    };
  }
  const text = await res.text();
  return exchangeOf(
    edition,
    deps.webhookUrl,
    at,
    request,
    res.status,
    text,
    performance.now() - started,
  );
}

/** An exchange record from what was sent and received. */
export function exchangeOf(
  edition: Edition,
  url: string,
  at: number,
  request: unknown,
  status: number,
  text: string,
  latencyMs: number,
): Exchange {
  let response: unknown = text;
  try {
    response = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return {
    edition,
    url,
    at,
    request,
    status,
    response,
    latencyMs: Math.round(latencyMs),
    bytes: Buffer.byteLength(text),
    ...(status === 200 ? { protoErrors: protoErrorsOf(edition, response, text) } : {}),
  };
}

const ES_MAX_BYTES = 64 * 1024;

function protoErrorsOf(edition: Edition, response: unknown, text: string): string[] {
  if (typeof response !== 'object' || response === null) return ['the answer is not JSON'];
  const errors = protoErrors(edition, response);
  if (edition === 'es' && Buffer.byteLength(text) > ES_MAX_BYTES) {
    errors.push(
      `the response is ${Buffer.byteLength(text)} bytes; ES accepts at most ${ES_MAX_BYTES}`,
    );
  }
  return errors;
}

/** ES or CX, from a WebhookRequest's shape (as the webhook tells them apart). */
export function editionOf(request: unknown): Edition | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const r = request as Record<string, unknown>;
  if (r.queryResult && typeof r.queryResult === 'object') return 'es';
  if (r.fulfillmentInfo || r.sessionInfo) return 'cx';
  return undefined;
}

/** The session id a WebhookRequest names (ES `session`, CX `sessionInfo.session`). */
export function sessionPathOf(request: unknown): string | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const r = request as { session?: unknown; sessionInfo?: { session?: unknown } };
  const path = typeof r.session === 'string' ? r.session : r.sessionInfo?.session;
  return typeof path === 'string' ? path : undefined;
}
