import { hashId } from '../logger';
import { resolveLanguage } from '../messages';
import type { CxWebhookRequest, Parameters, ParsedRequest } from '../dialogflow';
import type { FormParameter, TurnContext, TurnQuery, TurnServices } from './context-types';
import { isRecord } from '../is-record';
import { confidenceOf, lineUser, platformOf, sentimentOf } from './context-shared';
import { createParamReader } from './params';

const FORM_STATES = new Set(['EMPTY', 'INVALID', 'FILLED']);

/** The turn context of a CX (v3) WebhookRequest. */
export function buildCxContext(
  r: CxWebhookRequest,
  parsed: ParsedRequest,
  services: TurnServices,
): TurnContext {
  const intentParams: Parameters = {};
  for (const [k, v] of Object.entries(r.intentInfo?.parameters ?? {})) {
    if (isRecord(v) && 'resolvedValue' in v) intentParams[k] = v.resolvedValue;
  }
  const form: FormParameter[] = (r.pageInfo?.formInfo?.parameterInfo ?? []).map((p) => ({
    displayName: p.displayName,
    state: p.state && FORM_STATES.has(p.state) ? (p.state as FormParameter['state']) : undefined,
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
  // The language the agent resolved (auto-detection) wins over the one the client asked for.
  const languageCode = r.languageInfo?.resolvedLanguageCode || r.languageCode;
  const language = resolveLanguage(languageCode);
  const userId = platform === 'LINE' ? lineUser(r.payload) : undefined;
  const session = r.sessionInfo?.session;
  const page =
    r.pageInfo && (r.pageInfo.currentPage || r.pageInfo.displayName)
      ? { name: r.pageInfo.currentPage, displayName: r.pageInfo.displayName }
      : undefined;
  // The session's hash: its key for jobs and its name in logs (one hash a turn).
  const sessionKey = hashId(session);
  return {
    edition: 'cx',
    name: r.fulfillmentInfo?.tag ?? '',
    intentDisplayName: r.intentInfo?.displayName,
    intentConfidence: confidenceOf(r.intentInfo?.confidence),
    tag: r.fulfillmentInfo?.tag ?? undefined,
    queryText: r.text ?? r.transcript,
    query: queryOf(r),
    sentiment: sentimentOf(r.sentimentAnalysisResult),
    parameters,
    params: createParamReader(parameters),
    languageCode,
    language,
    t: services.messages(language),
    session,
    sessionKey,
    responseId: r.detectIntentResponseId,
    source: payloadSource,
    platform,
    user: userId && platform ? { platform, userId } : undefined,
    contexts: [],
    sessionParameters,
    page,
    form,
    agentMessages: r.messages.map((m) => ({
      text: m.text?.text,
      payload: m.payload,
      responseType: m.responseType,
      source: m.source,
    })),
    budget: services.budget,
    log: services.logFor({
      edition: 'cx',
      intent: r.fulfillmentInfo?.tag ?? '',
      session: sessionKey,
    }),
    request: parsed,
    defer: services.defer,
  };
}

/** The `query` oneof of a CX request. */
function queryOf(r: CxWebhookRequest): TurnQuery | undefined {
  if (r.text !== undefined) return { kind: 'text', value: r.text };
  if (r.transcript !== undefined) return { kind: 'transcript', value: r.transcript };
  if (r.triggerIntent !== undefined) return { kind: 'intent', value: r.triggerIntent };
  if (r.triggerEvent !== undefined) return { kind: 'event', value: r.triggerEvent };
  if (r.dtmfDigits !== undefined) return { kind: 'dtmf', value: r.dtmfDigits };
  return undefined;
}
