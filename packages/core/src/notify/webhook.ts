import { createHmac } from 'node:crypto';
import { classifyHttpFailure, defineChannel } from './channel';

/** What the generic webhook receives, signed with NOTIFY_WEBHOOK_SECRET. */
export interface WebhookNotification {
  jobId: string;
  type: string;
  status: string;
  result: unknown;
  session: string | null;
}

/** HMAC-SHA256 of the exact body bytes, as the `X-Signature-256` header carries it. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The generic HTTPS webhook: JSON `{jobId, type, status, result, session}` signed in
 * `X-Signature-256: sha256=<hex>`, with an `Idempotency-Key` equal on every retry.
 */
export const webhook = defineChannel({
  name: 'webhook',
  needsRecipient: false,
  create(config, { http, timeoutMs }) {
    const url = config.notify.url;
    const secret = config.notify.secret;
    if (!url || !secret) return undefined;
    return async (n) => {
      const payload: WebhookNotification = {
        jobId: n.jobId,
        type: n.type,
        status: n.status,
        result: n.result ?? null,
        session: n.session,
      };
      const body = JSON.stringify(payload);
      try {
        await http.request(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Signature-256': signBody(secret, body),
            'Idempotency-Key': n.key,
            'X-Job-Id': n.jobId,
          },
          body,
          timeoutMs,
          retries: 0,
        });
      } catch (err) {
        classifyHttpFailure(err, 'webhook');
      }
    };
  },
});
