import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signBody } from '@dialogflow-functions/core/notify';

/*
 * A loopback stand-in for the notification channels: LINE's push API
 * (`POST /v2/bot/message/push`), a Slack incoming webhook (`POST /slack`) and the generic
 * signed webhook (`POST /notify`). `npm start` uses it when no real channel is configured;
 * tests make it fail or hang with `intercept`.
 */

export interface Delivery {
  channel: 'line' | 'slack' | 'webhook' | 'unknown';
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  raw: string;
  /** For the generic webhook: whether X-Signature-256 matched the secret. */
  signatureValid?: boolean;
  at: number;
  /** The status the sink answered with (unset while unanswered). */
  status?: number;
}

export type SinkInterception = { status: number; body?: unknown } | 'hang' | undefined;

export interface NotifySink {
  url: string;
  /** Every request received, accepted or not. */
  received: Delivery[];
  /** Requests answered 2xx. */
  delivered: Delivery[];
  intercept: ((d: Delivery, index: number) => SinkInterception) | undefined;
  /** Calls `listener` with each request answered from now on (2xx or not); returns the unsubscribe. */
  subscribe(listener: (d: Delivery) => void): () => void;
  close(): Promise<void>;
}

export const SINK_LINE_TOKEN = 'local-line-channel-token';
export const SINK_WEBHOOK_SECRET = 'local-notify-webhook-secret';

/**
 * The notification settings that send every channel to a notify sink (LINE, Slack, the signed
 * webhook) and email to an SMTP sink: what the load test, the benches and the stack tests give
 * their worker.
 */
export function sinkChannelsEnv(sinkUrl: string, smtpUrl: string): Record<string, string> {
  return {
    LINE_API_BASE_URL: sinkUrl,
    LINE_CHANNEL_ACCESS_TOKEN: SINK_LINE_TOKEN,
    SLACK_WEBHOOK_URL: `${sinkUrl}/slack`,
    NOTIFY_WEBHOOK_URL: `${sinkUrl}/notify`,
    NOTIFY_WEBHOOK_SECRET: SINK_WEBHOOK_SECRET,
    SMTP_URL: smtpUrl,
  };
}

export async function startNotifySink(
  options: {
    port?: number;
    secret?: string;
    onDelivery?: (d: Delivery) => void;
  } = {},
): Promise<NotifySink> {
  const secret = options.secret ?? SINK_WEBHOOK_SECRET;
  const hanging = new Set<ServerResponse>();
  const listeners = new Set<(d: Delivery) => void>();
  const sink: NotifySink = {
    url: '',
    received: [],
    delivered: [],
    intercept: undefined,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      const channel = path.startsWith('/v2/bot/message/push')
        ? 'line'
        : path.startsWith('/slack')
          ? 'slack'
          : path.startsWith('/notify')
            ? 'webhook'
            : 'unknown';
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const d: Delivery = { channel, path, headers: req.headers, body, raw, at: Date.now() };
      if (channel === 'webhook')
        d.signatureValid = req.headers['x-signature-256'] === signBody(secret, raw);
      const index = sink.received.length;
      sink.received.push(d);
      const special = sink.intercept?.(d, index);
      if (special === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const answer = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
        d.status = status;
        if (status >= 200 && status < 300) {
          sink.delivered.push(d);
          options.onDelivery?.(d);
        }
        for (const listener of listeners) {
          try {
            listener(d);
          } catch {
            // A watcher's bug must not fail the delivery.
          }
        }
      };
      if (special) return answer(special.status, special.body ?? {});
      if (req.method !== 'POST' || channel === 'unknown')
        return answer(404, { message: 'Not found' });
      if (channel === 'line' && req.headers.authorization !== `Bearer ${SINK_LINE_TOKEN}`) {
        return answer(401, {
          message:
            'Authentication failed. Confirm that the access token in the authorization header is valid.',
        });
      }
      if (channel === 'webhook' && !d.signatureValid)
        return answer(401, { message: 'bad signature' });
      return answer(
        200,
        channel === 'line'
          ? { sentMessages: [{ id: String(Date.now()), quoteToken: 'q' }] }
          : { ok: true },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sink;
}
