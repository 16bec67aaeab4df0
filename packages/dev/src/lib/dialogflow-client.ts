import { randomUUID } from 'node:crypto';
import {
  createSessionsClient,
  sessionsClientOptions,
  type CxSessionsClient,
  type EsSessionsClient,
} from '@dialogflow-functions/core/chat';
import { messageToJson, protoRoot } from '../dialogflow-stand-in/proto-json';
import type { Json, JsonObject } from '../dialogflow-stand-in/values';
import { DETECT_TIMEOUT_MS } from './detect-timeout';

/*
 * A small typed DetectIntent client for both editions, on the official client libraries
 * (@google-cloud/dialogflow v2, @google-cloud/dialogflow-cx v3): against the real agent with
 * Application Default Credentials, or against a local gRPC server (the stand-in) with insecure
 * credentials and no Google auth when an emulator host is given.
 */

export type Edition = 'es' | 'cx';

export interface DetectTarget {
  /** ES: a project id or `projects/P/locations/L/agent`; CX: `projects/P/locations/L/agents/A`. */
  agent: string | undefined;
  /** host:port of a local gRPC server (DIALOGFLOW_EMULATOR_HOST). */
  emulatorHost: string | undefined;
  /** The project used for local sessions when no agent is named. */
  localProject?: string;
  /** How long one DetectIntent may take, retries included (default DETECT_TIMEOUT_MS). */
  timeoutMs?: number;
}

export interface DetectQuery {
  text: string;
  languageCode?: string;
  /** The session id (last path segment); the same id continues a conversation. */
  sessionId?: string;
  /** ES queryParams.payload / CX queryParams.payload. */
  payload?: JsonObject;
}

export interface WebhookReport {
  /** `none` when no webhook was called in the turn. */
  outcome: 'ok' | 'error' | 'none';
  code?: number;
  message?: string;
  latencyMs?: number;
}

/** What a turn gave, the same for both editions. */
export interface DetectResult {
  edition: Edition;
  session: string;
  /** ES intent display name; CX matched intent (undefined on no match). */
  intent: string | undefined;
  /** CX current page after the turn. */
  page: string | undefined;
  confidence: number;
  /** ES queryResult.parameters; CX the matched intent's parameters. */
  parameters: JsonObject;
  /** CX session parameters after the turn. */
  sessionParameters: JsonObject | undefined;
  /** Text replies in order. */
  texts: string[];
  /** Every reply message (ES fulfillmentMessages, CX responseMessages) as proto3 JSON. */
  messages: JsonObject[];
  /** ES output contexts (short name → lifespan and parameters). */
  contexts: { name: string; lifespanCount: number; parameters: JsonObject }[];
  languageCode: string;
  webhook: WebhookReport;
  /** The local stand-in's "why it matched" (absent from Dialogflow's answers). */
  why?: MatchExplanation;
  /** The whole DetectIntentResponse as proto3 JSON. */
  response: JsonObject;
}

/** What the stand-in reports in `diagnosticInfo.standIn`: how it matched, the top candidates, the entities found. */
export interface MatchExplanation {
  source: string;
  candidates: { intent: string; score: number; parameters: JsonObject }[];
  entities: { text: string; type: string; value: Json }[];
  /** The language the text looks written in when not the request's (a hint, not detection). */
  looksLike?: string;
}

function explanationOf(diagnostic: JsonObject): MatchExplanation | undefined {
  const why = diagnostic.standIn;
  if (!isObj(why) || !Array.isArray(why.candidates) || !Array.isArray(why.entities))
    return undefined;
  return {
    source: String(why.source ?? ''),
    candidates: why.candidates.filter(isObj).map((c) => ({
      intent: String(c.intent ?? ''),
      score: typeof c.score === 'number' ? c.score : 0,
      parameters: isObj(c.parameters) ? c.parameters : {},
    })),
    entities: why.entities.filter(isObj).map((e) => ({
      text: String(e.text ?? ''),
      type: String(e.type ?? ''),
      value: e.value ?? null,
    })),
    ...(typeof why.looksLike === 'string' ? { looksLike: why.looksLike } : {}),
  };
}

/** Something is missing to reach the agent (no agent named, no credentials). */
export class DetectSetupError extends Error {
  override readonly name = 'DetectSetupError';
}

/** Nothing answered within the deadline (nothing listening, or a server that hangs). */
export class DetectUnansweredError extends Error {
  override readonly name = 'DetectUnansweredError';
}

export { DETECT_TIMEOUT_MS };

/** gax call options: `timeout` caps the whole retry loop (its totalTimeoutMillis) and each attempt. */
const detectCallOptions = (timeoutMs: number) => ({ timeout: timeoutMs });

// gRPC DEADLINE_EXCEEDED and UNAVAILABLE.
const isUnanswered = (err: unknown) =>
  [4, 14].includes((err as { code?: unknown })?.code as number);

const ES_AGENT = /^projects\/([a-z][a-z0-9-]{4,29})(?:\/locations\/([a-z0-9-]+))?\/agent$/;
const CX_AGENT = /^projects\/[a-z][a-z0-9-]{4,29}\/locations\/([a-z0-9-]+)\/agents\/[A-Za-z0-9-]+$/;

/** The agent path (`projects/P/agent` or `projects/P/locations/L/agents/A`) and its region. */
export function resolveAgent(
  edition: Edition,
  target: DetectTarget,
): { agentPath: string; location: string | undefined } {
  const agent = target.agent;
  if (edition === 'es') {
    if (!agent) {
      if (target.emulatorHost)
        return {
          agentPath: `projects/${target.localProject ?? 'demo-local'}/agent`,
          location: undefined,
        };
      throw new DetectSetupError(
        "Set DIALOGFLOW_AGENT to the ES agent's project id (or DIALOGFLOW_EMULATOR_HOST for the local stand-in).",
      );
    }
    if (/^[a-z][a-z0-9-]{4,29}$/.test(agent))
      return { agentPath: `projects/${agent}/agent`, location: undefined };
    const m = agent.match(ES_AGENT);
    if (m) return { agentPath: agent, location: m[2] };
    throw new DetectSetupError(
      `DIALOGFLOW_AGENT=${agent} is not an ES agent: use its project id (drop --cx for ES, or give projects/P/locations/L/agents/A with --cx).`,
    );
  }
  if (!agent || !CX_AGENT.test(agent)) {
    if (!agent && target.emulatorHost) {
      return {
        agentPath: `projects/${target.localProject ?? 'demo-local'}/locations/global/agents/demo`,
        location: 'global',
      };
    }
    throw new DetectSetupError(
      agent
        ? `DIALOGFLOW_AGENT=${agent} is not a CX agent: --cx needs projects/P/locations/L/agents/A.`
        : 'Set DIALOGFLOW_AGENT to projects/P/locations/L/agents/A (or DIALOGFLOW_EMULATOR_HOST for the local stand-in).',
    );
  }
  return { agentPath: agent, location: agent.match(CX_AGENT)?.[1] };
}

/** The client's options (core's, shared with the chat function); a malformed host is a setup error. */
async function clientOptions(target: DetectTarget, location: string | undefined) {
  try {
    return await sessionsClientOptions(target, location);
  } catch (err) {
    throw new DetectSetupError(err instanceof Error ? err.message : String(err));
  }
}

const isObj = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function textsOf(messages: JsonObject[], edition: Edition): string[] {
  const out: string[] = [];
  for (const m of messages) {
    // ES repeats texts per platform; the platform-less ones are what a plain client shows.
    if (edition === 'es' && m.platform !== undefined && m.platform !== 'PLATFORM_UNSPECIFIED')
      continue;
    const text = isObj(m.text) ? m.text.text : undefined;
    if (Array.isArray(text))
      out.push(...text.filter((t): t is string => typeof t === 'string' && t !== ''));
  }
  return out;
}

/** A DetectIntent client for one edition and target; `close()` when done. */
export class DetectIntentClient {
  private client: Promise<EsSessionsClient | CxSessionsClient> | undefined;
  private readonly agentPath: string;
  private readonly location: string | undefined;

  constructor(
    readonly edition: Edition,
    private readonly target: DetectTarget,
  ) {
    ({ agentPath: this.agentPath, location: this.location } = resolveAgent(edition, target));
  }

  /** The full session path for a session id. */
  sessionPath(sessionId: string): string {
    return `${this.agentPath}/sessions/${sessionId}`;
  }

  private sessions(): Promise<EsSessionsClient | CxSessionsClient> {
    this.client ??= clientOptions(this.target, this.location).then((options) =>
      createSessionsClient(this.edition, options),
    );
    return this.client;
  }

  async detect(query: DetectQuery): Promise<DetectResult> {
    const session = this.sessionPath(query.sessionId ?? randomUUID());
    const languageCode = query.languageCode ?? 'en';
    const client = await this.sessions();
    // One deadline for the whole call, retries included: gax's default retries UNAVAILABLE for minutes.
    const callOptions = detectCallOptions(this.target.timeoutMs ?? DETECT_TIMEOUT_MS);
    let raw: unknown;
    try {
      if (this.edition === 'es') {
        [raw] = await (client as EsSessionsClient).detectIntent(
          {
            session,
            queryInput: { text: { text: query.text, languageCode } },
            ...(query.payload ? { queryParams: { payload: toStructProto(query.payload) } } : {}),
          },
          callOptions,
        );
      } else {
        [raw] = await (client as CxSessionsClient).detectIntent(
          {
            session,
            queryInput: { text: { text: query.text }, languageCode },
            ...(query.payload ? { queryParams: { payload: toStructProto(query.payload) } } : {}),
          },
          callOptions,
        );
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isUnanswered(err)) {
        // gax lists every retry's error; the last cause says enough.
        const cause =
          /Last error: (.*?)\. Resolution/.exec(message)?.[1] ?? message.split(' : ')[0];
        throw new DetectUnansweredError(
          `no answer within ${(this.target.timeoutMs ?? DETECT_TIMEOUT_MS) / 1000} s (${cause?.slice(0, 200)})`,
        );
      }
      if (/default credentials|Could not load the default credentials/i.test(message)) {
        throw new DetectSetupError(
          'No Google credentials: run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS (or DIALOGFLOW_EMULATOR_HOST for the local stand-in).',
        );
      }
      throw err;
    }
    const response = this.toJson(raw);
    return this.edition === 'es' ? esResult(session, response) : cxResult(session, response);
  }

  private toJson(message: unknown): JsonObject {
    const root = protoRoot(
      this.edition === 'es' ? '@google-cloud/dialogflow' : '@google-cloud/dialogflow-cx',
    );
    const type = root.lookupType(
      this.edition === 'es'
        ? 'google.cloud.dialogflow.v2.DetectIntentResponse'
        : 'google.cloud.dialogflow.cx.v3.DetectIntentResponse',
    );
    // The client's own message classes know which fields are set (toJSON skips the rest).
    const object =
      typeof (message as { toJSON?: unknown }).toJSON === 'function'
        ? (message as { toJSON(): unknown }).toJSON()
        : message;
    return messageToJson(type, object) as JsonObject;
  }

  async close(): Promise<void> {
    if (this.client) await (await this.client).close();
  }
}

function toStructProto(object: JsonObject) {
  const value = (v: Json): object =>
    v === null
      ? { nullValue: 'NULL_VALUE' }
      : typeof v === 'number'
        ? { numberValue: v }
        : typeof v === 'string'
          ? { stringValue: v }
          : typeof v === 'boolean'
            ? { boolValue: v }
            : Array.isArray(v)
              ? { listValue: { values: v.map(value) } }
              : { structValue: toStructProto(v) };
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, value(v)])) };
}

function esResult(session: string, response: JsonObject): DetectResult {
  const q = (response.queryResult ?? {}) as JsonObject;
  const messages = ((q.fulfillmentMessages as JsonObject[] | undefined) ?? []).filter(isObj);
  const status = response.webhookStatus as JsonObject | undefined;
  const diagnostic = (q.diagnosticInfo ?? {}) as JsonObject;
  const latency = diagnostic.webhook_latency_ms;
  return {
    edition: 'es',
    session,
    intent: isObj(q.intent) ? (q.intent.displayName as string | undefined) : undefined,
    page: undefined,
    confidence: typeof q.intentDetectionConfidence === 'number' ? q.intentDetectionConfidence : 0,
    parameters: isObj(q.parameters) ? q.parameters : {},
    sessionParameters: undefined,
    texts: textsOf(messages, 'es').length
      ? textsOf(messages, 'es')
      : typeof q.fulfillmentText === 'string' && q.fulfillmentText
        ? [q.fulfillmentText]
        : [],
    messages,
    contexts: ((q.outputContexts as JsonObject[] | undefined) ?? []).map((c) => ({
      name: String(c.name ?? '').slice(String(c.name ?? '').lastIndexOf('/') + 1),
      lifespanCount: typeof c.lifespanCount === 'number' ? c.lifespanCount : 0,
      parameters: isObj(c.parameters) ? c.parameters : {},
    })),
    languageCode: String(q.languageCode ?? ''),
    webhook: status
      ? {
          outcome: (status.code ?? 0) === 0 ? 'ok' : 'error',
          code: typeof status.code === 'number' ? status.code : 0,
          message: typeof status.message === 'string' ? status.message : '',
          ...(typeof latency === 'number' ? { latencyMs: latency } : {}),
        }
      : { outcome: 'none' },
    ...withWhy(diagnostic),
    response,
  };
}

const withWhy = (diagnostic: JsonObject) => {
  const why = explanationOf(diagnostic);
  return why ? { why } : {};
};

function cxResult(session: string, response: JsonObject): DetectResult {
  const q = (response.queryResult ?? {}) as JsonObject;
  const match = (q.match ?? {}) as JsonObject;
  const messages = ((q.responseMessages as JsonObject[] | undefined) ?? []).filter(isObj);
  const statuses = ((q.webhookStatuses as JsonObject[] | undefined) ?? []).filter(isObj);
  const failed = statuses.find((s) => (s.code ?? 0) !== 0);
  const diagnostic = (q.diagnosticInfo ?? {}) as JsonObject;
  const latency = diagnostic['Webhook Latency'];
  const last = failed ?? statuses[statuses.length - 1];
  return {
    edition: 'cx',
    session,
    intent: isObj(match.intent) ? (match.intent.displayName as string | undefined) : undefined,
    page: isObj(q.currentPage) ? (q.currentPage.displayName as string | undefined) : undefined,
    confidence: typeof match.confidence === 'number' ? match.confidence : 0,
    parameters: isObj(match.parameters) ? match.parameters : {},
    sessionParameters: isObj(q.parameters) ? q.parameters : {},
    texts: textsOf(messages, 'cx'),
    messages,
    contexts: [],
    languageCode: String(q.languageCode ?? ''),
    webhook: last
      ? {
          outcome: failed ? 'error' : 'ok',
          code: typeof last.code === 'number' ? last.code : 0,
          message: typeof last.message === 'string' ? last.message : '',
          ...(typeof latency === 'number' ? { latencyMs: latency } : {}),
        }
      : { outcome: 'none' },
    ...withWhy(diagnostic),
    response,
  };
}
