import { createHmac } from 'node:crypto';
import type { Config } from '../config';
import { ApiError, type HttpClient } from '../http';

export type Channel = 'line' | 'slack' | 'webhook';

/** The channel refused the message for good (bad token, unknown user, gone): do not retry. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
  constructor(
    readonly channel: Channel,
    message: string,
  ) {
    super(message);
  }
}

/** What the generic webhook receives, signed with NOTIFY_WEBHOOK_SECRET. */
export interface WebhookNotification {
  jobId: string;
  type: string;
  status: string;
  result: unknown;
  session: string | null;
}

export interface Notifiers {
  /** LINE push to a user; the retry key makes LINE drop duplicates of one notification. */
  line?: (to: string, text: string, retryKey: string) => Promise<void>;
  /** Slack incoming webhook. */
  slack?: (text: string) => Promise<void>;
  /** Generic HTTPS webhook, body signed in `X-Signature-256: sha256=<hex>`. */
  webhook?: (notification: WebhookNotification) => Promise<void>;
}

const TIMEOUT_MS = 10_000;

/** HMAC-SHA256 of the exact body bytes, as the `X-Signature-256` header carries it. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function permanent(err: unknown, channel: Channel, okStatuses: number[] = []): 'ok' | never {
  if (err instanceof ApiError) {
    if (okStatuses.includes(err.status)) return 'ok';
    if (err.status >= 400 && err.status < 500 && ![408, 425, 429].includes(err.status)) {
      throw new PermanentDeliveryError(
        channel,
        `${channel} refused the notification (HTTP ${err.status})`,
      );
    }
  }
  throw err;
}

/** The notifiers the configuration enables (a channel without its settings is absent). */
export function createNotifiers(
  config: Pick<Config, 'line' | 'slack' | 'notify'>,
  http: HttpClient,
  options: { timeoutMs?: number } = {},
): Notifiers {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const notifiers: Notifiers = {};
  const lineToken = config.line.accessToken;
  if (lineToken) {
    const url = new URL('/v2/bot/message/push', config.line.baseUrl).toString();
    notifiers.line = async (to, text, retryKey) => {
      try {
        await http.request(url, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${lineToken}`,
            'Content-Type': 'application/json',
            'X-Line-Retry-Key': retryKey,
          },
          body: { to, messages: [{ type: 'text', text: text.slice(0, 5000) }] },
          timeoutMs,
          // The retry key makes a repeated push safe.
          idempotent: true,
          retries: 1,
        });
      } catch (err) {
        // 409: LINE already accepted a request with this retry key.
        permanent(err, 'line', [409]);
      }
    };
  }
  const slackUrl = config.slack.webhookUrl;
  if (slackUrl) {
    notifiers.slack = async (text) => {
      try {
        await http.request(slackUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: { text },
          timeoutMs,
          retries: 0,
        });
      } catch (err) {
        permanent(err, 'slack');
      }
    };
  }
  const hookUrl = config.notify.url;
  const secret = config.notify.secret;
  if (hookUrl && secret) {
    notifiers.webhook = async (notification) => {
      const body = JSON.stringify(notification);
      try {
        await http.request(hookUrl, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Signature-256': signBody(secret, body),
            'X-Job-Id': notification.jobId,
          },
          body,
          timeoutMs,
          retries: 0,
        });
      } catch (err) {
        permanent(err, 'webhook');
      }
    };
  }
  return notifiers;
}
