import { jobIdFor } from '@dialogflow-functions/core/jobs';
import type { MessagesFor } from '@dialogflow-functions/core/messages';
import { protoErrors } from '@dialogflow-functions/testing/proto-check';
import { cxRequest, esRequest, type RequestOptions } from '@dialogflow-functions/testing/requests';
import { toDialogflowValue } from '../values';

/*
 * The load test's traffic: virtual users sending mixed ES/CX turns to the webhook, some sent
 * two or three times at once with the same response id (as Dialogflow retries), each reply
 * recorded with its status, latency at the client and strict-proto verdict.
 */

export type Intent =
  | 'welcome'
  | 'check_order'
  | 'check_inventory'
  | 'make_reservation'
  | 'watch_order'
  | 'task_status';

export const INTENTS: Intent[] = [
  'welcome',
  'check_order',
  'check_inventory',
  'make_reservation',
  'watch_order',
  'task_status',
];

/** How a reply read: a job queued (with its id), a job not queued, or anything else. */
export type Outcome = 'queued' | 'not-queued' | 'other';

export interface Reply {
  intent: Intent;
  edition: 'es' | 'cx';
  responseId: string;
  /** 1 for the first copy of a turn, 2 and 3 for Dialogflow-style retries of it. */
  copy: number;
  status: number;
  /** When it was sent, ms after the traffic started. */
  at: number;
  ms: number;
  /** Proto errors, a transport error or an unparsable body. */
  problems: string[];
  /** The 200 body, until checkReplies has checked it. */
  body?: unknown;
  text: string;
  outcome: Outcome;
  /** For job intents: the job the turn defers (from the response id, as the webhook derives it). */
  jobId?: string;
  /** For task_status: the job asked about. */
  askedJobId?: string;
}

/** What a turn that defers a job asked for: what the checks expect of its notifications. */
export interface JobIntent {
  jobId: string;
  type: 'reservation' | 'watch_order';
  sessionId: string;
  lineUserId: string;
  email: string | undefined;
  request: { date: string; time: string; partySize: number; name: string } | { orderId: string };
}

export interface TrafficOptions {
  url: string;
  users: number;
  durationMs: number;
  /** Think time between a user's turns, ms (uniform in [min, max]). */
  thinkMs: [number, number];
  /** Share of job turns sent more than once. */
  duplicateShare: number;
  reservationDates: string[];
  reservationTimes: string[];
  watchOrders: string[];
  clientTimeoutMs: number;
  /** The bot's catalogue per language (its "not queued" replies tell a refused job). */
  messages: MessagesFor;
  random?: () => number;
}

export interface Traffic {
  replies: Reply[];
  jobs: Map<string, JobIntent>;
  /** Resolves when every user has finished its last turn. */
  done: Promise<void>;
}

const WEIGHTS: [Intent, number][] = [
  ['welcome', 12],
  ['check_order', 14],
  ['check_inventory', 10],
  ['make_reservation', 30],
  ['watch_order', 12],
  ['task_status', 22],
];

const ORDERS = ['1001', '1002', '1003', 'A-1004', '9999'];
const PRODUCTS = ['latte', 'matcha', 'croissant', 'oolong-tea', 'unknown-thing'];

/** Starts the virtual users; they stop starting turns after `durationMs`. */
export function startTraffic(options: TrafficOptions): Traffic {
  const random = options.random ?? Math.random;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const replies: Reply[] = [];
  const jobs = new Map<string, JobIntent>();
  const askable: { jobId: string; sessionId: string; lineUserId: string }[] = [];
  const startedAt = Date.now();
  const stopAt = startedAt + options.durationMs;
  let turn = 0;

  const send = async (
    intent: Intent,
    edition: 'es' | 'cx',
    body: Record<string, unknown>,
    responseId: string,
    copy: number,
    extra: Pick<Reply, 'jobId' | 'askedJobId'>,
  ): Promise<void> => {
    const started = performance.now();
    const reply: Reply = {
      intent,
      edition,
      responseId,
      copy,
      status: 0,
      at: Date.now() - startedAt,
      ms: 0,
      problems: [],
      text: '',
      outcome: 'other',
      ...extra,
    };
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.clientTimeoutMs),
      });
      const raw = await res.text();
      reply.ms = performance.now() - started;
      reply.status = res.status;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        reply.problems.push(`HTTP ${res.status}, not JSON: ${raw.slice(0, 120)}`);
      }
      if (json !== undefined) {
        if (res.status === 200) {
          // The strict proto check runs after the traffic (checkReplies): its CPU must not
          // delay the next answers' clocks here.
          reply.body = json;
          reply.text = textOf(edition, json);
          reply.outcome = outcomeOf(edition, json, extra.jobId, options.messages);
        } else {
          reply.problems.push(`HTTP ${res.status}: ${raw.slice(0, 160)}`);
        }
      }
    } catch (err) {
      reply.ms = performance.now() - started;
      reply.problems.push(`no answer: ${(err as Error).message}`);
    }
    replies.push(reply);
    // Later turns ask task_status about jobs told queued and jobs told not queued alike.
    if (reply.outcome !== 'other' && reply.jobId && copy === 1) {
      const job = jobs.get(reply.jobId);
      if (job) askable.push(job);
    }
  };

  const oneTurn = async (): Promise<void> => {
    const n = ++turn;
    const intent = weighted(WEIGHTS, random);
    const edition = random() < 0.5 ? 'es' : 'cx';
    const sessionId = `load-${n}`;
    const lineUserId = `U${n.toString(16).padStart(32, '0')}`;
    const params: Record<string, string> = {};
    const options2: Partial<RequestOptions> = {};
    let jobType: JobIntent['type'] | undefined;
    let request: JobIntent['request'] | undefined;
    let email: string | undefined;
    let askedJobId: string | undefined;
    switch (intent) {
      case 'welcome':
        break;
      case 'check_order':
        params.order_id = pick(ORDERS);
        break;
      case 'check_inventory':
        params.product = pick(PRODUCTS);
        break;
      case 'make_reservation': {
        const r = {
          date: pick(options.reservationDates),
          time: pick(options.reservationTimes),
          partySize: 1 + Math.floor(random() * 6),
          name: `Guest ${n}`,
        };
        Object.assign(params, {
          date: r.date,
          time: r.time,
          party_size: String(r.partySize),
          name: r.name,
        });
        jobType = 'reservation';
        request = r;
        break;
      }
      case 'watch_order': {
        const orderId = pick(options.watchOrders);
        params.order_id = orderId;
        jobType = 'watch_order';
        request = { orderId };
        break;
      }
      case 'task_status': {
        const known = askable.length > 0 ? pick(askable) : undefined;
        if (known) {
          params.task_id = known.jobId;
          askedJobId = known.jobId;
          options2.sessionId = known.sessionId;
          options2.lineUserId = known.lineUserId;
          options2.source = 'line';
        }
        break;
      }
    }
    if (jobType && random() < 0.35) email = `guest${n}@example.com`;
    if (email) params.email = email;
    const parameters = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [
        k,
        k === 'task_id' || k === 'order_id' ? v : toDialogflowValue(k, v, edition),
      ]),
    );
    const responseId = `${n}-${Math.floor(random() * 1e9).toString(36)}`;
    const name = edition === 'cx' && intent === 'welcome' ? 'welcome' : intent;
    const body = (edition === 'es' ? esRequest : cxRequest)({
      name: edition === 'es' && intent === 'welcome' ? 'Default Welcome Intent' : name,
      parameters,
      sessionId,
      responseId,
      source: jobType ? 'line' : 'console',
      lineUserId,
      ...options2,
    });
    const jobId = jobType ? jobIdFor(responseId, jobType) : undefined;
    if (jobType && jobId && request) {
      jobs.set(jobId, { jobId, type: jobType, sessionId, lineUserId, email, request });
    }
    const copies = jobType && random() < options.duplicateShare ? (random() < 0.5 ? 2 : 3) : 1;
    await Promise.all(
      Array.from({ length: copies }, (_, i) =>
        send(intent, edition, body, responseId, i + 1, { jobId, askedJobId }),
      ),
    );
  };

  const user = async (): Promise<void> => {
    // Users arrive over the first five seconds, not all in one tick.
    await sleep(random() * 5000);
    while (Date.now() < stopAt) {
      await oneTurn();
      const [min, max] = options.thinkMs;
      await sleep(min + random() * (max - min));
    }
  };
  const done = Promise.all(Array.from({ length: options.users }, user)).then(() => undefined);
  return { replies, jobs, done };
}

/** The strict proto check of every 200 reply (after the traffic, off the clock). */
export function checkReplies(replies: Reply[]): void {
  for (const r of replies) {
    if (r.body === undefined) continue;
    r.problems.push(...protoErrors(r.edition, r.body));
    delete r.body;
  }
}

function weighted<T>(items: [T, number][], random: () => number): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Json = Record<string, unknown>;

/** The reply's plain texts, joined (ES: messages for no platform; CX: text messages). */
export function textOf(edition: 'es' | 'cx', body: unknown): string {
  const b = body as Json;
  if (edition === 'es') {
    const messages = (b.fulfillmentMessages ?? []) as Json[];
    return messages
      .filter((m) => m.platform === undefined && m.text)
      .flatMap((m) => (m.text as { text: string[] }).text)
      .join('\n');
  }
  const messages = ((b.fulfillmentResponse as Json | undefined)?.messages ?? []) as Json[];
  return messages
    .filter((m) => m.text)
    .flatMap((m) => (m.text as { text: string[] }).text)
    .join('\n');
}

/**
 * What a job turn's reply told the user: queued when it carries the job id (ES context
 * `pending_job`, CX session parameter `job_id`), which the webhook gives only to a queued job;
 * not queued when it says so; anything else (an order already shipped, a backend apology).
 */
export function outcomeOf(
  edition: 'es' | 'cx',
  body: unknown,
  jobId: string | undefined,
  messages: MessagesFor,
): Outcome {
  const en = messages('en');
  if (!jobId) return 'other';
  const b = body as {
    outputContexts?: { name: string; parameters?: { job_id?: string } }[];
    sessionInfo?: { parameters?: { job_id?: string } };
  };
  const carried =
    edition === 'es'
      ? b.outputContexts?.find((c) => c.name.endsWith('/contexts/pending_job'))?.parameters?.job_id
      : b.sessionInfo?.parameters?.job_id;
  if (carried === jobId) return 'queued';
  const text = textOf(edition, body);
  return text === en.reservationNotQueued || text === en.watchOrderNotQueued
    ? 'not-queued'
    : 'other';
}
