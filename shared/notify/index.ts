import type { HttpClient } from '../http';
import type { NotificationChannel, NotifyConfig, Sender } from './channel';
import { email } from './email';
import { line } from './line';
import { slack } from './slack';
import { webhook } from './webhook';

export * from './channel';
export { escapeSlack } from './slack';
export { signBody, type WebhookNotification } from './webhook';

/**
 * The notification channels, in the order a finished job is notified. A new channel is one
 * module (see `defineChannel`) and one entry here.
 */
export const CHANNELS = [line, slack, webhook, email] as const;

export type ChannelName = (typeof CHANNELS)[number]['name'];

/** A channel enabled by the configuration, with its sender. */
export interface EnabledChannel {
  channel: NotificationChannel<ChannelName>;
  send: Sender;
}

const TIMEOUT_MS = 10_000;

/** The channels the configuration enables (a channel without its settings is left out). */
export function createNotifiers(
  config: NotifyConfig,
  http: HttpClient,
  options: { timeoutMs?: number } = {},
): EnabledChannel[] {
  const deps = { http, timeoutMs: options.timeoutMs ?? TIMEOUT_MS };
  return CHANNELS.flatMap((channel) => {
    const send = channel.create(config, deps);
    return send ? [{ channel, send }] : [];
  });
}
