import type { Delivery } from '../lib/notify-sink';
import type { ReceivedMail } from '../lib/smtp-sink';

/*
 * The notification feed: everything the local sinks receive, described the same way and tied
 * to the job and the console conversation it belongs to. A new kind of notification (another
 * sink) is one describer: turn what the sink received into a {@link Described}, and call
 * `feed.add(describer(x))` where the sink reports it.
 */

/** How the console checked that a notification is authentic. */
export interface Verification {
  ok: boolean;
  /** What was checked, e.g. "X-Signature-256 HMAC-SHA256" or "Bearer token". */
  how: string;
}

/** One notification as the console shows it. */
export interface Described {
  /** `line`, `slack`, `webhook`, … (also the feed's icon and label key). */
  channel: string;
  /** Recipient as the channel names it (LINE user id, Slack webhook path, URL). */
  to?: string;
  /** The text the user reads. */
  text: string;
  /** The sink's answer (2xx: delivered). */
  status?: number;
  verification?: Verification;
  /** Ways to find the conversation: any of them may be known. */
  jobId?: string;
  lineUserId?: string;
  /** The notification's idempotency key (X-Line-Retry-Key, Idempotency-Key, Message-ID). */
  key?: string;
  sessionPath?: string;
  /** What arrived, for the raw view. */
  raw: { headers: Record<string, string>; body: unknown };
}

export interface FeedEntry extends Described {
  id: number;
  at: number;
  /** The console session it belongs to, once known. */
  session?: string;
}

/** What the feed needs to place a notification in a conversation. */
export interface Resolver {
  /** The console session of a LINE user id (each console session has its own). */
  sessionOfLineUser(userId: string): string | undefined;
  /** The console session of a job (from `jobs/{id}.session`). */
  sessionOfJob(jobId: string): string | undefined;
  /** The job whose notification on `channel` carries this idempotency key. */
  jobOfKey(channel: string, key: string): string | undefined;
  /** The job whose `channel` was marked sent closest to `at` (channels that carry no job id). */
  jobSentAt(channel: string, at: number, taken: Set<string>): string | undefined;
}

/** The console session id at the end of a Dialogflow session path. */
export function sessionIdOf(path: unknown): string | undefined {
  if (typeof path !== 'string') return undefined;
  const m = path.match(/\/sessions\/([^/]+)$/);
  return m?.[1];
}

const HEADERS_SHOWN = [
  'content-type',
  'x-line-retry-key',
  'x-signature-256',
  'x-job-id',
  'idempotency-key',
];

function shownHeaders(headers: Delivery['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of HEADERS_SHOWN) {
    const v = headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  // The token itself stays out of the page; that it matched is in the verification.
  if (typeof headers.authorization === 'string') out.authorization = 'Bearer …';
  return out;
}

type Obj = Record<string, unknown>;

function header(d: Delivery, name: string): string | undefined {
  const v = d.headers[name];
  return typeof v === 'string' ? v : undefined;
}
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

/** Describers for what scripts/lib/notify-sink.ts receives (LINE push, Slack, signed webhook). */
export function describeSinkDelivery(d: Delivery, lineToken: string): Described {
  const body = obj(d.body);
  const raw = { headers: shownHeaders(d.headers), body: d.body ?? d.raw };
  const status = d.status;
  switch (d.channel) {
    case 'line': {
      const messages = Array.isArray(body.messages) ? body.messages.map(obj) : [];
      const to = typeof body.to === 'string' ? body.to : undefined;
      return {
        channel: 'line',
        to,
        lineUserId: to,
        key: header(d, 'x-line-retry-key'),
        text: messages
          .map((m) => (typeof m.text === 'string' ? m.text : `[${String(m.type)}]`))
          .join('\n'),
        status,
        verification: {
          ok:
            d.headers.authorization === `Bearer ${lineToken}` &&
            typeof d.headers['x-line-retry-key'] === 'string',
          how: 'Bearer channel token + X-Line-Retry-Key',
        },
        raw,
      };
    }
    case 'slack':
      return {
        channel: 'slack',
        to: d.path,
        text: typeof body.text === 'string' ? body.text : d.raw,
        status,
        // Slack incoming webhooks carry no signature: the secret is the URL itself.
        verification: undefined,
        raw,
      };
    case 'webhook': {
      const result = obj(body.result);
      const jobId = typeof body.jobId === 'string' ? body.jobId : undefined;
      // A machine payload: its fields, language-neutral.
      const summary = [
        body.type,
        jobId,
        body.status,
        result.outcome,
        typeof result.code === 'string' ? result.code : undefined,
      ]
        .filter((v) => typeof v === 'string' && v !== '')
        .join(' · ');
      return {
        channel: 'webhook',
        to: d.path,
        text: summary || d.raw.slice(0, 200),
        status,
        verification: { ok: d.signatureValid === true, how: 'X-Signature-256 HMAC-SHA256' },
        jobId: jobId ?? header(d, 'x-job-id'),
        key: header(d, 'idempotency-key'),
        sessionPath: typeof body.session === 'string' ? body.session : undefined,
        raw,
      };
    }
    default:
      return { channel: 'unknown', to: d.path, text: d.raw.slice(0, 500), status, raw };
  }
}

/** A mail the SMTP sink received (the email channel; Message-ID `<key@domain>`, X-Job-Id). */
export function describeMail(mail: ReceivedMail): Described {
  const headers: Record<string, string> = {};
  for (const name of ['message-id', 'x-job-id', 'subject', 'from', 'to']) {
    const v = mail.headers[name];
    if (v !== undefined) headers[name] = v;
  }
  return {
    channel: 'email',
    to: mail.to.join(', '),
    text: [mail.subject, mail.text].filter(Boolean).join('\n'),
    status: 250,
    // Mail carries no signature here; the sink accepts any sender (see smtp-sink.ts).
    verification: undefined,
    jobId: mail.headers['x-job-id'],
    key: mail.messageId?.replace(/^<([^@>]+)@.*>$/, '$1'),
    raw: { headers, body: mail.text },
  };
}

export interface Feed {
  entries(): FeedEntry[];
  add(described: Described, at?: number): FeedEntry;
  /** Places entries whose job or conversation was not known yet (call when jobs change). */
  resolvePending(): FeedEntry[];
}

/** Keeps the last `limit` notifications and places each in its conversation. */
export function createFeed(resolver: Resolver, onEntry: (e: FeedEntry) => void, limit = 200): Feed {
  const entries: FeedEntry[] = [];
  const taken = new Map<string, Set<string>>(); // channel → job ids already matched by time
  let nextId = 1;

  /** Fills in the job and the session where they can be known now; true when one was found. */
  const place = (e: FeedEntry): boolean => {
    let changed = false;
    if (!e.jobId && e.key) {
      e.jobId = resolver.jobOfKey(e.channel, e.key);
      changed ||= Boolean(e.jobId);
    }
    if (!e.jobId) {
      // A channel that names no job (Slack): the job that marked this channel sent just then.
      const used = taken.get(e.channel) ?? new Set<string>();
      const jobId = resolver.jobSentAt(e.channel, e.at, used);
      if (jobId) {
        used.add(jobId);
        taken.set(e.channel, used);
        e.jobId = jobId;
        changed = true;
      }
    }
    if (!e.session) {
      const session =
        sessionIdOf(e.sessionPath) ??
        (e.jobId ? resolver.sessionOfJob(e.jobId) : undefined) ??
        (e.lineUserId ? resolver.sessionOfLineUser(e.lineUserId) : undefined);
      if (session) {
        e.session = session;
        changed = true;
      }
    }
    return changed;
  };

  return {
    entries: () => [...entries],
    add(described, at = Date.now()) {
      const e: FeedEntry = { ...described, id: nextId++, at };
      place(e);
      entries.push(e);
      if (entries.length > limit) entries.splice(0, entries.length - limit);
      onEntry(e);
      return e;
    },
    resolvePending() {
      const placed = entries.filter((e) => (!e.session || !e.jobId) && place(e));
      for (const e of placed) onEntry(e);
      return placed;
    },
  };
}
