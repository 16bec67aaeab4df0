import { describeJob, type JobDoc, type JobRegistry } from '@dialogflow-functions/core/jobs';
import type { MessagesFor } from '@dialogflow-functions/core/messages';
import { escapeSlack, notificationKey } from '@dialogflow-functions/core/notify';
import type { Delivery } from '../notify-sink';
import type { ReceivedMail } from '../smtp-sink';
import { INTENTS, type JobIntent, type Reply } from './traffic';

/*
 * The load test's verdict: what the user was told, set against what is stored and what each
 * channel received. One row per category (tried / survived / lost / duplicated) and the list
 * of invariants broken, each with examples.
 */

export interface Evidence {
  replies: Reply[];
  jobs: Map<string, JobIntent>;
  /** `jobs/{id}` as stored at the end, parsed by the registry. */
  stored: Map<string, JobDoc>;
  /** `reservations/{jobId}`. */
  reservations: Map<string, { date: string; time: string; partySize: number; outcome: string }>;
  /** `slots/{date}_{HHMM}`. */
  slots: Map<string, { booked: number; capacity: number }>;
  capacity: number;
  /** Requests the notification sink answered 2xx. */
  delivered: Delivery[];
  mails: ReceivedMail[];
  deadlineMs: number;
  /** The bot's job types (to describe a job as its notification does). */
  registry: JobRegistry;
  /** The bot's catalogue per language (what task_status and the notifications say). */
  messages: MessagesFor;
}

export interface Row {
  category: string;
  tried: number;
  survived: number;
  lost: number;
  duplicated: number | '-';
  rule: string;
}

export interface Verdict {
  rows: Row[];
  /** Broken invariants: a name and a few examples each. */
  failures: { invariant: string; count: number; examples: string[] }[];
  latency: { p50: number; p95: number; p99: number; max: number };
}

type Told = 'queued' | 'not-queued' | 'both' | 'unknown';

export function judge(e: Evidence): Verdict {
  const rows: Row[] = [];
  const failures = new Map<string, string[]>();
  const fail = (invariant: string, example: string) => {
    const list = failures.get(invariant) ?? [];
    list.push(example);
    failures.set(invariant, list);
  };
  const t = e.messages('en');

  // 1. Replies: 200, strict-valid, inside the deadline at the client.
  for (const intent of INTENTS) {
    const mine = e.replies.filter((r) => r.intent === intent);
    let survived = 0;
    for (const r of mine) {
      const late = r.ms > e.deadlineMs;
      if (r.status >= 500) fail('zero 5xx', `${intent}: HTTP ${r.status}`);
      else if (r.status !== 200) fail('every reply 200', `${intent}: ${r.problems[0] ?? r.status}`);
      if (r.status === 200 && r.problems.length > 0)
        fail('every reply strict-valid', `${intent} (${r.edition}): ${r.problems.join('; ')}`);
      if (late)
        fail(
          `every reply inside ${e.deadlineMs} ms`,
          `${intent}: ${Math.round(r.ms)} ms, sent at t+${(r.at / 1000).toFixed(1)}s`,
        );
      if (r.status === 200 && r.problems.length === 0 && !late) survived++;
    }
    rows.push({
      category: `replies: ${intent}`,
      tried: mine.length,
      survived,
      lost: mine.length - survived,
      duplicated: mine.filter((r) => r.copy > 1).length,
      rule: `200, strict proto, <= ${e.deadlineMs / 1000} s`,
    });
  }

  // 2. What each job's turns told the user.
  const told = new Map<string, Told>();
  for (const r of e.replies) {
    if (!r.jobId || r.outcome === 'other') continue;
    const before = told.get(r.jobId);
    const now = r.outcome;
    told.set(r.jobId, !before || before === now ? now : 'both');
  }
  for (const id of e.jobs.keys()) if (!told.has(id)) told.set(id, 'unknown');
  const ids = (which: Told) => [...told].filter(([, v]) => v === which).map(([id]) => id);
  const queued = ids('queued');
  const notQueued = ids('not-queued');
  for (const id of ids('both'))
    fail('no job told both queued and not queued', `${id}: ${describe(e.stored.get(id))}`);

  // 3. Told queued: ends succeeded or failed (never not-queued).
  let ended = 0;
  for (const id of queued) {
    const job = e.stored.get(id);
    if (job && (job.status === 'succeeded' || job.status === 'failed') && !job.notQueued) ended++;
    else fail('every job told queued ends succeeded or failed', `${id}: ${describe(job)}`);
  }
  const dupTurns = new Set(e.replies.flatMap((r) => (r.copy > 1 && r.jobId ? [r.jobId] : [])));
  rows.push({
    category: 'jobs told queued',
    tried: queued.length,
    survived: ended,
    lost: queued.length - ended,
    duplicated: [...dupTurns].filter((id) => told.get(id) === 'queued').length,
    rule: 'end succeeded|failed (dup: retried turns, one job each)',
  });

  // 4. Told not queued: never ran, never notified, never booked.
  const keyOwner = new Map<string, { jobId: string; channel: string }>();
  for (const id of e.jobs.keys()) {
    for (const channel of ['line', 'webhook', 'email']) {
      keyOwner.set(notificationKey(id, channel), { jobId: id, channel });
    }
  }
  const notifiedJobs = new Set<string>();
  for (const d of e.delivered) {
    const id = deliveryJobId(d, keyOwner);
    if (id) notifiedJobs.add(id);
  }
  for (const m of e.mails) {
    const id = m.headers['x-job-id'];
    if (id) notifiedJobs.add(id);
  }
  let neverRan = 0;
  for (const id of notQueued) {
    const job = e.stored.get(id);
    const problems = [];
    if (job && !(job.status === 'failed' && job.notQueued))
      problems.push(`stored ${describe(job)}`);
    if (e.reservations.has(id)) problems.push('booked');
    if (notifiedJobs.has(id)) problems.push('notified');
    if (problems.length === 0) neverRan++;
    else fail('every job told not queued never ran', `${id}: ${problems.join(', ')}`);
  }
  rows.push({
    category: 'jobs told not queued',
    tried: notQueued.length,
    survived: neverRan,
    lost: notQueued.length - neverRan,
    duplicated: '-',
    rule: 'failed+notQueued, no booking, no notification',
  });
  // Turns with no clear answer (the webhook's "still working on it", an order already
  // shipped, no reply at the client): the user was told neither, so either end is allowed.
  const unknown = ids('unknown').filter((id) => e.stored.has(id));
  rows.push({
    category: 'jobs told neither',
    tried: unknown.length,
    survived: unknown.filter((id) => {
      const j = e.stored.get(id)!;
      return j.status === 'succeeded' || j.status === 'failed';
    }).length,
    lost: 0,
    duplicated: '-',
    rule: 'no clear answer: either end allowed',
  });

  // 5. task_status never shows a not-queued job as pending, nor a queued one as never queued.
  for (const r of e.replies) {
    if (!r.askedJobId || r.status !== 200) continue;
    const state = told.get(r.askedJobId);
    const id = r.askedJobId;
    const pending = [
      t.jobStatusQueued({ jobId: id }),
      t.jobStatusRunning({ jobId: id }),
      t.jobNotQueued({ jobId: id }),
    ];
    if (state === 'not-queued' && (r.text === pending[0] || r.text === pending[1]))
      fail('task_status never shows a not-queued job as pending', `${id}: "${r.text}"`);
    if (state === 'queued' && r.text === pending[2])
      fail('task_status never calls a queued job never queued', `${id}: "${r.text}"`);
  }

  // 6. Notifications: one per fitting channel for every job told queued.
  const finished = queued.filter((id) => {
    const j = e.stored.get(id);
    return j && (j.status === 'succeeded' || j.status === 'failed') && !j.notQueued;
  });
  const perJob = (channel: string) => {
    const counts = new Map<string, number>();
    for (const d of e.delivered) {
      if (d.channel !== channel) continue;
      const id = deliveryJobId(d, keyOwner);
      if (!id) {
        fail(`every ${channel} notification belongs to a job`, d.raw.slice(0, 120));
        continue;
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
  const line = perJob('line');
  const webhook = perJob('webhook');
  const email = new Map<string, number>();
  for (const m of e.mails) {
    const id = m.headers['x-job-id'] ?? '';
    const expected = `<${notificationKey(id, 'email')}@localhost>`;
    if (m.messageId !== expected)
      fail('every email carries its stable Message-ID', `${id}: ${m.messageId}`);
    email.set(id, (email.get(id) ?? 0) + 1);
  }
  for (const d of e.delivered) {
    const id = deliveryJobId(d, keyOwner);
    if (!id) continue;
    if (d.channel === 'line') {
      const to = (d.body as { to?: string }).to;
      if (to !== e.jobs.get(id)?.lineUserId)
        fail('LINE pushes go to the user who asked', `${id}: to ${to}`);
    }
    if (d.channel === 'webhook') {
      if (d.headers['idempotency-key'] !== notificationKey(id, 'webhook'))
        fail('webhook retries carry the same Idempotency-Key', `${id}`);
      if (!d.signatureValid) fail('webhook notifications are signed', id);
    }
  }
  const channelRow = (
    name: string,
    counts: Map<string, number>,
    fits: (job: JobIntent) => boolean,
    rule: string,
  ) => {
    const expected = finished.filter((id) => fits(e.jobs.get(id)!));
    let survived = 0;
    let duplicated = 0;
    for (const id of expected) {
      const n = counts.get(id) ?? 0;
      const state = e.stored.get(id)?.notify[name];
      if (n === 0 || state?.failedAt) {
        fail(
          `every job told queued is notified on ${name}`,
          `${id}: ${describe(e.stored.get(id))}`,
        );
        continue;
      }
      survived++;
      duplicated += n - 1;
    }
    // Repeats are counted, not failed: each carries the notification's one key (checked
    // above), so LINE drops a repeated push (effectively once) and the webhook's receiver and
    // mail clients can recognise one; Slack has no key (at least once).
    for (const id of counts.keys()) {
      if (told.get(id) === 'not-queued') fail(`no ${name} notification for a not-queued job`, id);
    }
    rows.push({
      category: `notify: ${name}`,
      tried: expected.length,
      survived,
      lost: expected.length - survived,
      duplicated,
      rule,
    });
  };
  channelRow('line', line, () => true, 'effectively once (same X-Line-Retry-Key)');
  channelRow('webhook', webhook, () => true, 'at least once, same Idempotency-Key');
  channelRow('email', email, (j) => j.email !== undefined, 'at least once, same Message-ID');

  // Slack has no key and texts repeat across jobs (watches of one order): compared as multisets.
  const expectedSlack = new Map<string, number>();
  const allowedSlack = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const id of finished) add(expectedSlack, slackText(id, e.stored.get(id)!));
  for (const id of unknown) {
    const j = e.stored.get(id);
    if (j && (j.status === 'succeeded' || j.status === 'failed') && !j.notQueued)
      add(allowedSlack, slackText(id, j));
  }
  const receivedSlack = new Map<string, number>();
  for (const d of e.delivered)
    if (d.channel === 'slack') add(receivedSlack, String((d.body as { text?: string }).text));
  let slackLost = 0;
  let slackDup = 0;
  for (const [text, n] of expectedSlack) {
    const got = receivedSlack.get(text) ?? 0;
    if (got < n) {
      slackLost += n - got;
      fail('every job told queued is notified on slack', `${n - got} × "${text.slice(0, 80)}"`);
    } else slackDup += Math.max(0, got - n - (allowedSlack.get(text) ?? 0));
  }
  for (const [text, got] of receivedSlack) {
    if (!expectedSlack.has(text) && !allowedSlack.has(text))
      fail(
        'every slack notification belongs to a job told queued',
        `${got} × "${text.slice(0, 80)}"`,
      );
  }
  const slackTried = [...expectedSlack.values()].reduce((a, b) => a + b, 0);
  rows.push({
    category: 'notify: slack',
    tried: slackTried,
    survived: slackTried - slackLost,
    lost: slackLost,
    duplicated: slackDup,
    rule: 'at least once (no key)',
  });

  // 7. Capacity: confirmed seats per slot within capacity, and the slot's counter agrees.
  const seats = new Map<string, number>();
  for (const r of e.reservations.values()) {
    if (r.outcome !== 'confirmed') continue;
    const slot = `${r.date}_${r.time.replace(':', '')}`;
    seats.set(slot, (seats.get(slot) ?? 0) + r.partySize);
  }
  let within = 0;
  let over = 0;
  let mismatched = 0;
  const slotIds = new Set([...seats.keys(), ...e.slots.keys()]);
  for (const slot of slotIds) {
    const booked = seats.get(slot) ?? 0;
    const counter = e.slots.get(slot)?.booked ?? 0;
    if (booked > e.capacity) {
      over++;
      fail('slot capacity never exceeded', `${slot}: ${booked} seats > ${e.capacity}`);
    } else within++;
    if (counter !== booked) {
      mismatched++;
      fail(
        'slot counter equals the confirmed seats',
        `${slot}: counter ${counter}, seats ${booked}`,
      );
    }
  }
  rows.push({
    category: 'reservation slots',
    tried: slotIds.size,
    survived: within,
    lost: over,
    duplicated: mismatched,
    rule: `seats <= ${e.capacity} (dup: counter != seats)`,
  });

  const ms = e.replies.map((r) => r.ms).sort((a, b) => a - b);
  const q = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0);
  return {
    rows,
    failures: [...failures].map(([invariant, examples]) => ({
      invariant,
      count: examples.length,
      examples: examples.slice(0, 5),
    })),
    latency: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: Math.round(ms.at(-1) ?? 0) },
  };

  function slackText(id: string, job: JobDoc): string {
    return escapeSlack(describeJob(e.registry, id, job, e.messages(job.language)));
  }
}

function deliveryJobId(
  d: Delivery,
  keyOwner: Map<string, { jobId: string; channel: string }>,
): string | undefined {
  if (d.channel === 'line') {
    const key = d.headers['x-line-retry-key'];
    return typeof key === 'string' ? keyOwner.get(key)?.jobId : undefined;
  }
  if (d.channel === 'webhook') return (d.body as { jobId?: string } | undefined)?.jobId;
  return undefined;
}

function describe(job: JobDoc | undefined): string {
  if (!job) return 'no record';
  return `${job.status}${job.notQueued ? ' notQueued' : ''}${job.error ? ` (${job.error})` : ''}`;
}

/** The rows as a Markdown table (what the README quotes). */
export function formatTable(rows: Row[]): string {
  const head = ['category', 'tried', 'survived', 'lost', 'duplicated', 'rule'];
  const cells = rows.map((r) => [
    r.category,
    String(r.tried),
    String(r.survived),
    String(r.lost),
    String(r.duplicated),
    r.rule,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((v, i) => (i >= 1 && i <= 4 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `| ${widths.map((w, i) => (i >= 1 && i <= 4 ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), sep, ...cells.map(line)].join('\n');
}
