import { assertValidResponse } from './proto-check';

type Json = Record<string, unknown>;

/** Checks the answer is a valid WebhookResponse for the edition and returns its texts. */
export function textsOf(edition: 'es' | 'cx', body: unknown): string[] {
  assertValidResponse(edition, body);
  const b = body as Json;
  if (edition === 'es') {
    const messages = (b.fulfillmentMessages ?? []) as Json[];
    return messages
      .filter((m) => m.platform === undefined && m.text)
      .flatMap((m) => (m.text as { text: string[] }).text);
  }
  const messages = ((b.fulfillmentResponse as Json | undefined)?.messages ?? []) as Json[];
  return messages.filter((m) => m.text).flatMap((m) => (m.text as { text: string[] }).text);
}

/** The one text of a reply (joined), after the strict check. */
export function textOf(edition: 'es' | 'cx', body: unknown): string {
  const texts = textsOf(edition, body);
  if (texts.length === 0)
    throw new Error(`the ${edition} response has no text: ${JSON.stringify(body)}`);
  return texts.join('\n');
}

/** Suggestions as the edition carries them (ES default quickReplies; CX richContent chips). */
export function suggestionsOf(edition: 'es' | 'cx', body: unknown): string[] {
  assertValidResponse(edition, body);
  const b = body as Json;
  if (edition === 'es') {
    const qr = ((b.fulfillmentMessages ?? []) as Json[]).find(
      (m) => m.quickReplies && (m.platform === 'PLATFORM_UNSPECIFIED' || m.platform === undefined),
    );
    return ((qr?.quickReplies as Json | undefined)?.quickReplies ?? []) as string[];
  }
  // Suggestions are the last chips of the reply (a card's postback buttons are chips too).
  const chips = richContentOf(body)
    .flat()
    .filter((c) => c.type === 'chips')
    .at(-1);
  return chips ? (chips.options as { text: string }[]).map((o) => o.text) : [];
}

/**
 * The Dialogflow CX Messenger cards of a CX response (every richContent payload's cards), after
 * the strict check.
 */
export function richContentOf(body: unknown): Json[][] {
  assertValidResponse('cx', body);
  const messages = (((body as Json).fulfillmentResponse as Json | undefined)?.messages ??
    []) as Json[];
  return messages.flatMap(
    (m) => ((m.payload as Json | undefined)?.richContent as Json[][] | undefined) ?? [],
  );
}

/** The LINE messages of an ES response (`payload.line` for platform LINE), strictly checked. */
export function lineMessagesOf(body: unknown): Json[] {
  assertValidResponse('es', body);
  const messages = ((body as Json).fulfillmentMessages ?? []) as Json[];
  return messages
    .filter((m) => m.platform === 'LINE')
    .map((m) => (m.payload as Json | undefined)?.line as Json);
}
