import type { z } from 'zod';
import { FulfillmentError } from '../errors';
import { CxWebhookRequest } from './cx';
import { EsWebhookRequest } from './es';
import { isRecord } from '../is-record';

export type ParsedRequest =
  | { edition: 'es'; request: EsWebhookRequest }
  | { edition: 'cx'; request: CxWebhookRequest };

/**
 * Tells ES from CX and parses leniently. Throws `invalid-argument` only when the body cannot be
 * a Dialogflow webhook request: not an object, neither an object `queryResult` (ES) nor an object
 * `fulfillmentInfo`/`sessionInfo` (CX), or a field the router needs of the wrong kind.
 */
export function parseWebhookRequest(body: unknown): ParsedRequest {
  if (!isRecord(body)) {
    throw new FulfillmentError('invalid-argument', 'The body must be a JSON object.');
  }
  if ('queryResult' in body) {
    if (!isRecord(body.queryResult)) {
      throw new FulfillmentError('invalid-argument', 'queryResult must be an object.');
    }
    const fast = wellFormedEs(body, body.queryResult);
    if (fast) return { edition: 'es', request: fast };
    const parsed = EsWebhookRequest.safeParse(body);
    if (!parsed.success) throw badField(parsed.error);
    return { edition: 'es', request: parsed.data };
  }
  if (isRecord(body.fulfillmentInfo) || isRecord(body.sessionInfo)) {
    const parsed = CxWebhookRequest.safeParse(body);
    if (!parsed.success) throw badField(parsed.error);
    return { edition: 'cx', request: parsed.data };
  }
  throw new FulfillmentError(
    'invalid-argument',
    'Not a Dialogflow webhook request: expected queryResult (ES) or fulfillmentInfo/sessionInfo (CX).',
  );
}

function badField(error: z.ZodError): FulfillmentError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || 'body';
  return new FulfillmentError('invalid-argument', `${path} has the wrong type.`);
}

/*
 * The warm path's shortcut: an ES request whose every known field already has its kind (what
 * Dialogflow sends) is what the lenient schema would return, so it is taken as it is, without
 * the schema's copy. Anything else (a field of the wrong kind, an output context to drop) goes
 * through `EsWebhookRequest`, which decides. `test/parse-fast.test.ts` holds the two equal.
 */
const optString = (v: unknown) => v === undefined || typeof v === 'string';
const optNumber = (v: unknown) => v === undefined || typeof v === 'number';
const optBoolean = (v: unknown) => v === undefined || typeof v === 'boolean';
const optRecord = (v: unknown) => v === undefined || isRecord(v);

function wellFormedEs(
  body: Record<string, unknown>,
  q: Record<string, unknown>,
): EsWebhookRequest | undefined {
  if (!optString(body.responseId) || !optString(body.session)) return undefined;
  if (
    !optString(q.queryText) ||
    !optString(q.languageCode) ||
    !optString(q.action) ||
    !optString(q.fulfillmentText) ||
    !optRecord(q.parameters) ||
    !optBoolean(q.allRequiredParamsPresent) ||
    !optNumber(q.intentDetectionConfidence)
  ) {
    return undefined;
  }
  const contexts = q.outputContexts;
  if (contexts !== undefined) {
    if (!Array.isArray(contexts)) return undefined;
    for (const c of contexts as unknown[]) {
      if (
        !isRecord(c) ||
        typeof c.name !== 'string' ||
        !optNumber(c.lifespanCount) ||
        !optRecord(c.parameters)
      ) {
        return undefined;
      }
    }
  }
  const intent = q.intent;
  if (intent !== undefined && intent !== null) {
    if (
      !isRecord(intent) ||
      !optString(intent.name) ||
      !(intent.displayName === null || optString(intent.displayName)) ||
      !optBoolean(intent.isFallback)
    ) {
      return undefined;
    }
  }
  const sentiment = q.sentimentAnalysisResult;
  if (sentiment !== undefined) {
    if (!isRecord(sentiment)) return undefined;
    const s = sentiment.queryTextSentiment;
    if (s !== undefined && (!isRecord(s) || !optNumber(s.score) || !optNumber(s.magnitude))) {
      return undefined;
    }
  }
  const original = body.originalDetectIntentRequest;
  if (original !== undefined) {
    if (
      !isRecord(original) ||
      !optString(original.source) ||
      !optString(original.version) ||
      !optRecord(original.payload)
    ) {
      return undefined;
    }
  }
  // The schema's one transform: no output contexts read as an empty list.
  if (contexts === undefined)
    return { ...body, queryResult: { ...q, outputContexts: [] } } as EsWebhookRequest;
  return body as EsWebhookRequest;
}
