import type { CxWebhookResponse, EsWebhookResponse, JsonObject } from '../dialogflow';

export { renderCx } from './render-cx';
export { renderEs } from './render-es';
export { lineMessage } from './render-line';
export { fallbackText, type RenderTarget } from './render-text';

/** Size of a response as sent. */
export function jsonBytes(value: JsonObject | EsWebhookResponse | CxWebhookResponse): number {
  return Buffer.byteLength(JSON.stringify(value));
}
