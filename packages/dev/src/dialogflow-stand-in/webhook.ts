import { protoErrors } from '@dialogflow-functions/testing/protos';
import type { JsonObject } from './values';

/** google.rpc.Status of a webhook call, as DetectIntentResponse reports it. */
export type WebhookStatus = { code: number; message: string };

export type WebhookResult =
  | { ok: true; body: JsonObject; status: WebhookStatus; latencyMs: number }
  | { ok: false; status: WebhookStatus; latencyMs: number };

const OK = 0;
const DEADLINE_EXCEEDED = 4;
const INTERNAL = 13;
const UNAVAILABLE = 14;
const ES_MAX_BYTES = 64 * 1024;

/**
 * POSTs a WebhookRequest as Dialogflow does and checks the answer as it does: HTTP 2xx, a
 * JSON object that parses as the edition's WebhookResponse under proto3 JSON rules (an unknown
 * field fails the call), at most 64 KiB for ES, within the timeout.
 */
export async function callWebhook(options: {
  edition: 'es' | 'cx';
  url: string;
  headers: Record<string, string>;
  body: JsonObject;
  timeoutMs: number;
}): Promise<WebhookResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const fail = (code: number, message: string): WebhookResult => ({
    ok: false,
    status: { code, message: `Webhook call failed. Error: ${message}` },
    latencyMs: latency(),
  });
  let res: Response;
  let text: string;
  try {
    res = await fetch(options.url, {
      method: 'POST',
      headers: { ...options.headers, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return fail(DEADLINE_EXCEEDED, `DEADLINE_EXCEEDED after ${options.timeoutMs} ms.`);
    }
    const cause = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const code = cause?.code ?? cause?.errors?.find((x) => x.code)?.code;
    return fail(UNAVAILABLE, `UNAVAILABLE, ${code ?? e.message}.`);
  }
  if (res.status < 200 || res.status > 299) {
    return fail(UNAVAILABLE, `State: URL_ERROR, reason: ${res.status} ${res.statusText}.`);
  }
  if (options.edition === 'es' && Buffer.byteLength(text) > ES_MAX_BYTES) {
    return fail(INTERNAL, 'Webhook response is larger than 64 KiB.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(INTERNAL, 'Failed to parse webhook JSON response: not JSON.');
  }
  const errors = protoErrors(options.edition, json);
  if (errors.length > 0) {
    return fail(INTERNAL, `Failed to parse webhook JSON response: ${errors[0]}`);
  }
  return {
    ok: true,
    body: json as JsonObject,
    status: { code: OK, message: 'Webhook execution successful' },
    latencyMs: latency(),
  };
}
