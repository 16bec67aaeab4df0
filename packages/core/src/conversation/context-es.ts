import { hashId } from '../logger';
import { resolveLanguage } from '../messages';
import type { EsWebhookRequest, ParsedRequest } from '../dialogflow';
import type { TurnContext, TurnServices } from './context-types';
import { confidenceOf, lineUser, platformOf, sentimentOf } from './context-shared';
import { createParamReader } from './params';

/** The turn context of an ES (v2) WebhookRequest. */
export function buildEsContext(
  r: EsWebhookRequest,
  parsed: ParsedRequest,
  services: TurnServices,
): TurnContext {
  const q = r.queryResult;
  const original = r.originalDetectIntentRequest;
  // Older integrations name the platform only inside the payload.
  const payloadSource =
    typeof original?.payload?.source === 'string' ? original.payload.source : undefined;
  const source = original?.source || payloadSource;
  const platform = platformOf(source);
  const parameters = q.parameters ?? {};
  const language = resolveLanguage(q.languageCode);
  const userId = platform === 'LINE' ? lineUser(original?.payload) : undefined;
  // The session's hash: its key for jobs and its name in logs (one hash a turn).
  const sessionKey = hashId(r.session);
  return {
    edition: 'es',
    name: q.intent?.displayName ?? '',
    intentDisplayName: q.intent?.displayName ?? undefined,
    intentConfidence: confidenceOf(q.intentDetectionConfidence),
    tag: undefined,
    queryText: q.queryText,
    query: q.queryText ? { kind: 'text', value: q.queryText } : undefined,
    sentiment: sentimentOf(q.sentimentAnalysisResult?.queryTextSentiment),
    parameters,
    params: createParamReader(parameters),
    languageCode: q.languageCode,
    language,
    t: services.messages(language),
    session: r.session,
    sessionKey,
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
    page: undefined,
    form: [],
    agentMessages: [],
    budget: services.budget,
    log: services.logFor({
      edition: 'es',
      intent: q.intent?.displayName ?? '',
      session: sessionKey,
    }),
    request: parsed,
    defer: services.defer,
  };
}
