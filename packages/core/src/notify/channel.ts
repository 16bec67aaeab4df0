import type { Config } from '../config';
import { ApiError, type HttpClient } from '../http';
import type { Language } from '../messages';
import { sha256Hex } from '../sha256';

/** A finished job's notification, as every channel receives it. */
export interface Notification {
  jobId: string;
  type: string;
  status: 'succeeded' | 'failed';
  result: unknown;
  session: string | null;
  language: Language;
  /** The outcome in the user's language (plain text: channels escape it for their format). */
  text: string;
  /** A short title (email subject). */
  subject: string;
  /** The recipient recorded when the job was deferred (LINE user id, email address). */
  to: string | undefined;
  /**
   * The idempotency key of this notification: a UUID, the same on every retry (LINE's
   * X-Line-Retry-Key, the webhook's Idempotency-Key, the email's Message-ID).
   */
  key: string;
}

export type Sender = (notification: Notification) => Promise<void>;

/** The settings channels read. */
export type NotifyConfig = Pick<Config, 'line' | 'slack' | 'notify' | 'email'>;

export interface ChannelDeps {
  http: HttpClient;
  timeoutMs: number;
}

/** A notification channel: one module, one line in the channel list. */
export interface NotificationChannel<Name extends string = string> {
  readonly name: Name;
  /**
   * Whether it needs a recipient recorded with the job (`notify.<name>.to`): LINE needs the
   * user's id, email an address. Channels without one (Slack, webhook) notify for every job.
   */
  readonly needsRecipient: boolean;
  /** The sender when the configuration enables the channel, else `undefined`. */
  create(config: NotifyConfig, deps: ChannelDeps): Sender | undefined;
}

export function defineChannel<const Name extends string>(
  channel: NotificationChannel<Name>,
): NotificationChannel<Name> {
  return channel;
}

/** The channel refused the message for good (bad token, unknown user, gone): do not retry. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Classifies an HTTP failure: 4xx other than 408/425/429 is permanent (or `ok` for the
 * statuses listed, e.g. LINE's 409 for a retry key it already accepted); the rest is retried.
 */
export function classifyHttpFailure(
  err: unknown,
  channel: string,
  okStatuses: number[] = [],
): void {
  if (err instanceof ApiError) {
    if (okStatuses.includes(err.status)) return;
    if (err.status >= 400 && err.status < 500 && ![408, 425, 429].includes(err.status)) {
      throw new PermanentDeliveryError(
        channel,
        `${channel} refused the notification (HTTP ${err.status})`,
      );
    }
  }
  throw err;
}

/** A UUID derived from the job and channel: the same for every retry of one notification. */
export function notificationKey(jobId: string, channel: string): string {
  const h = sha256Hex(`notification\u0000${jobId}\u0000${channel}`);
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
