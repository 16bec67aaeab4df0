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

/** The built-in channels' names (a bot's own channels add theirs: `defineBot({ channels })`). */
export type ChannelName = (typeof CHANNELS)[number]['name'];

/** A channel a bot adds: any {@link NotificationChannel} (see `defineChannel`). */
export type ChannelFactory = NotificationChannel<string>;

/** A channel enabled by the configuration, with its sender. */
export interface EnabledChannel {
  channel: NotificationChannel<string>;
  send: Sender;
}

const TIMEOUT_MS = 10_000;

/** The channels the configuration enables (a channel without its settings is left out). */
export function createNotifiers(
  config: NotifyConfig,
  http: HttpClient,
  options: { timeoutMs?: number; channels?: readonly ChannelFactory[] } = {},
): EnabledChannel[] {
  const deps = { http, timeoutMs: options.timeoutMs ?? TIMEOUT_MS };
  const all: readonly NotificationChannel<string>[] = [...CHANNELS, ...(options.channels ?? [])];
  const names = new Set<string>();
  for (const channel of all) {
    if (names.has(channel.name))
      throw new Error(`notification channel ${channel.name} is defined twice`);
    names.add(channel.name);
  }
  return all.flatMap((channel) => {
    const send = channel.create(config, deps);
    return send ? [{ channel, send }] : [];
  });
}
