import { hashId, type LogFields, type Logger } from '../logger';
import { messagesFor, resolveLanguage, type Language, type Messages } from '../messages';
import type { Parameters, ParsedRequest } from '../dialogflow';
import type { Budget } from '../deadline';
import { createParamReader, type ParamReader } from './params';
import type { Platform } from './reply';
import type { DeferOutcome, Deferrer, JobOrigin } from '../jobs/defer';
import type { JobRequest } from '../jobs/registry';

/** An ES input context with its short name (the part after `/contexts/`). */
export interface InputContext {
  name: string;
  lifespanCount: number;
  parameters: Parameters;
}

/** A CX form parameter as pageInfo.formInfo reports it. */
export interface FormParameter {
  displayName: string;
  state: string | undefined;
  value: unknown;
  justCollected: boolean;
  required: boolean;
}

/** Who sent the message, where a platform names them (LINE: payload.data.source.userId). */
export interface ChannelUser {
  platform: Platform;
  userId: string;
}

/** Extra recipients of a deferred job's notification. */
export interface DeferNotify {
  email?: string | undefined;
}

/** Everything a handler may read about a turn, the same for ES and CX. */
export interface TurnContext {
  edition: 'es' | 'cx';
  /** The routing key: ES intent display name or CX fulfillment tag ('' when none). */
  name: string;
  /** ES intent display name, or CX `intentInfo.displayName`. */
  intentDisplayName: string | undefined;
  /** CX fulfillment tag. */
  tag: string | undefined;
  queryText: string | undefined;
  /** Parameters: ES queryResult.parameters; CX intent parameters, then session, then form values. */
  parameters: Parameters;
  params: ParamReader;
  languageCode: string | undefined;
  language: Language;
  /** The message catalogue in the turn's language. */
  t: Messages;
  /** The full session path (`projects/…/sessions/…`), when the request has one. */
  session: string | undefined;
  /** A hash of the session, for logs and keys that must not carry the id. */
  sessionKey: string | undefined;
  /** ES responseId or CX detectIntentResponseId: unique per turn, same on Dialogflow's retries. */
  responseId: string | undefined;
  /** The raw source (`line`, `slack`, …) and the platform it maps to. */
  source: string | undefined;
  platform: Platform | undefined;
  user: ChannelUser | undefined;
  /** ES input contexts (empty for CX). */
  contexts: InputContext[];
  /** CX session parameters (empty for ES). */
  sessionParameters: Parameters;
  /** CX form parameters (empty for ES). */
  form: FormParameter[];
  budget: Budget;
  log: Logger;
  request: ParsedRequest;
  /**
   * Hands slow work to the worker: records the job and creates its Cloud Task within the
   * budget. `ok: false` means nothing was queued (say so to the user). `notify.email`: an
   * address the user gave, to mail the outcome to (when SMTP is configured).
   */
  defer(job: JobRequest, notify?: DeferNotify): Promise<DeferOutcome>;
}

const PLATFORM_BY_SOURCE: Record<string, Platform> = {
  line: 'LINE',
  slack: 'SLACK',
  slack_testbot: 'SLACK',
  telegram: 'TELEGRAM',
  facebook: 'FACEBOOK',
  google: 'ACTIONS_ON_GOOGLE',
  actions_on_google: 'ACTIONS_ON_GOOGLE',
};

/** Maps an integration's source name to the platform its rich messages use. */
export function platformOf(source: string | undefined): Platform | undefined {
  return source ? PLATFORM_BY_SOURCE[source.trim().toLowerCase()] : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function lineUser(payload: Parameters | undefined): string | undefined {
  const data = payload?.data;
  const src = isRecord(data) ? data.source : undefined;
  const id = isRecord(src) ? src.userId : undefined;
  // LINE user ids are U + 32 hex digits; accept any plain id so test and legacy ids work too.
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(id) ? id : undefined;
}

/** Builds the handler's view of a parsed request. */
export function createTurnContext(
  parsed: ParsedRequest,
  budget: Budget,
  /** The turn's logger, given the fields that name the turn (edition, intent, session hash). */
  logger: Logger | ((fields: LogFields) => Logger),
  deferrer?: Deferrer,
): TurnContext {
  const log = (fields: LogFields) =>
    typeof logger === 'function' ? logger(fields) : logger.child(fields);
  const ctx: TurnContext = buildTurnContext(parsed, budget, log, (job, notify) =>
    deferrer
      ? deferrer(jobOrigin(ctx, notify), job)
      : Promise.resolve({ ok: false, jobId: '', reason: 'jobs are not configured' }),
  );
  return ctx;
}

/** The small part of a turn a deferred job keeps. */
function jobOrigin(ctx: TurnContext, notify: DeferNotify | undefined): JobOrigin {
  const recipients: Record<string, string> = {};
  if (ctx.user?.platform === 'LINE') recipients.line = ctx.user.userId;
  if (notify?.email) recipients.email = notify.email;
  return {
    responseId: ctx.responseId,
    session: ctx.session,
    sessionKey: ctx.sessionKey,
    language: ctx.language,
    recipients,
    budget: ctx.budget,
    log: ctx.log,
  };
}

function buildTurnContext(
  parsed: ParsedRequest,
  budget: Budget,
  logFor: (fields: LogFields) => Logger,
  defer: (job: JobRequest, notify?: DeferNotify) => Promise<DeferOutcome>,
): TurnContext {
  if (parsed.edition === 'es') {
    const r = parsed.request;
    const q = r.queryResult;
    const original = r.originalDetectIntentRequest;
    const payloadSource =
      typeof original?.payload?.source === 'string' ? original.payload.source : undefined;
    const source = original?.source || payloadSource;
    const platform = platformOf(source);
    const parameters = q.parameters ?? {};
    const language = resolveLanguage(q.languageCode);
    const userId = platform === 'LINE' ? lineUser(original?.payload) : undefined;
    return {
      edition: 'es',
      name: q.intent?.displayName ?? '',
      intentDisplayName: q.intent?.displayName ?? undefined,
      tag: undefined,
      queryText: q.queryText,
      parameters,
      params: createParamReader(parameters),
      languageCode: q.languageCode,
      language,
      t: messagesFor(language),
      session: r.session,
      sessionKey: hashId(r.session),
      responseId: r.responseId,
      source,
      platform,
      user: userId && platform ? { platform, userId } : undefined,
      contexts: q.outputContexts.map((c) => ({
        name: c.name.slice(c.name.lastIndexOf('/') + 1),
        lifespanCount: c.lifespanCount ?? 0,
        parameters: c.parameters ?? {},
      })),
      sessionParameters: {},
      form: [],
      budget,
      log: logFor({
        edition: 'es',
        intent: q.intent?.displayName ?? '',
        session: hashId(r.session),
      }),
      request: parsed,
      defer,
    };
  }
  const r = parsed.request;
  const intentParams: Parameters = {};
  for (const [k, v] of Object.entries(r.intentInfo?.parameters ?? {})) {
    if (isRecord(v) && 'resolvedValue' in v) intentParams[k] = v.resolvedValue;
  }
  const form: FormParameter[] = (r.pageInfo?.formInfo?.parameterInfo ?? []).map((p) => ({
    displayName: p.displayName,
    state: p.state,
    value: p.value,
    justCollected: p.justCollected ?? false,
    required: p.required ?? false,
  }));
  const sessionParameters = r.sessionInfo?.parameters ?? {};
  const formValues: Parameters = {};
  for (const p of form) if (p.value !== undefined) formValues[p.displayName] = p.value;
  const parameters = { ...intentParams, ...sessionParameters, ...formValues };
  const payloadSource =
    typeof r.payload?.source === 'string'
      ? r.payload.source
      : typeof r.payload?.platform === 'string'
        ? r.payload.platform
        : undefined;
  const platform = platformOf(payloadSource);
  const language = resolveLanguage(r.languageCode);
  const userId = platform === 'LINE' ? lineUser(r.payload) : undefined;
  const session = r.sessionInfo?.session;
  return {
    edition: 'cx',
    name: r.fulfillmentInfo?.tag ?? '',
    intentDisplayName: r.intentInfo?.displayName,
    tag: r.fulfillmentInfo?.tag ?? undefined,
    queryText: r.text ?? r.transcript,
    parameters,
    params: createParamReader(parameters),
    languageCode: r.languageCode,
    language,
    t: messagesFor(language),
    session,
    sessionKey: hashId(session),
    responseId: r.detectIntentResponseId,
    source: payloadSource,
    platform,
    user: userId && platform ? { platform, userId } : undefined,
    contexts: [],
    sessionParameters,
    form,
    budget,
    log: logFor({ edition: 'cx', intent: r.fulfillmentInfo?.tag ?? '', session: hashId(session) }),
    request: parsed,
    defer,
  };
}
