import type { z } from 'zod';
import { FulfillmentError } from '../errors';
import { CxWebhookRequest } from './cx';
import { EsWebhookRequest } from './es';
import { isRecord } from '../is-record';

export type ParsedRequest =
  { edition: 'es'; request: EsWebhookRequest } | { edition: 'cx'; request: CxWebhookRequest };

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
