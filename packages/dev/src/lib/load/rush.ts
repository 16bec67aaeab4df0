import type { MessagesFor } from '@dialogflow-functions/core/messages';
import type { DocumentReference } from '@google-cloud/firestore';
import { jobIdFor } from '@dialogflow-functions/core/jobs';
import { cxRequest, esRequest } from '@dialogflow-functions/testing/requests';
import { toDialogflowValue } from '../values';
import { outcomeOf, textOf, type JobIntent, type Reply } from './traffic';

/*
 * The load test's hot slot: a rush of reservation turns for ONE date+time slot, sent in quick
 * waves while the faults run (a restaurant opening its Christmas Eve bookings). Its replies and
 * jobs join the traffic's, so every invariant (told = happens, once per job, capacity never
 * exceeded) covers them too.
 */

export interface RushOptions {
  url: string;
  /** Reservation turns, all for the same slot. */
  bookings: number;
  date: string;
  time: string;
  /** Turns sent at once per wave, and the pause between waves. */
  wave: number;
  pauseMs: number;
  clientTimeoutMs: number;
  /** When the traffic started (replies' `at` is relative to it). */
  trafficStart: number;
  /** The bot's catalogue (a reply's outcome is read from its wording). */
  messages: MessagesFor;
}

export interface Rush {
  replies: Reply[];
  jobs: Map<string, JobIntent>;
  done: Promise<void>;
}

/** Starts the rush now; `done` resolves when every turn has its reply. */
export function startRush(o: RushOptions): Rush {
  const replies: Reply[] = [];
  const jobs = new Map<string, JobIntent>();
  const turn = async (n: number): Promise<void> => {
    const edition = n % 2 === 0 ? 'es' : 'cx';
    const request = { date: o.date, time: o.time, partySize: 1 + (n % 4), name: `Rush ${n}` };
    const params: Record<string, string> = {
      date: request.date,
      time: request.time,
      party_size: String(request.partySize),
      name: request.name,
    };
    const parameters = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, toDialogflowValue(k, v, edition)]),
    );
    const sessionId = `rush-${n}`;
    const lineUserId = `U${(0xf0000 + n).toString(16).padStart(32, '0')}`;
    const responseId = `rush-${n}-${Date.now().toString(36)}`;
    const jobId = jobIdFor(responseId, 'reservation');
    jobs.set(jobId, {
      jobId,
      type: 'reservation',
      sessionId,
      lineUserId,
      email: undefined,
      request,
    });
    const body = (edition === 'es' ? esRequest : cxRequest)({
      name: 'make_reservation',
      parameters,
      sessionId,
      responseId,
      source: 'line',
      lineUserId,
    });
    const reply: Reply = {
      intent: 'make_reservation',
      edition,
      responseId,
      copy: 1,
      status: 0,
      at: Date.now() - o.trafficStart,
      ms: 0,
      problems: [],
      text: '',
      outcome: 'other',
      jobId,
    };
    const started = performance.now();
    try {
      const res = await fetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(o.clientTimeoutMs),
      });
      const raw = await res.text();
      reply.ms = performance.now() - started;
      reply.status = res.status;
      if (res.status === 200) {
        const json = JSON.parse(raw) as unknown;
        reply.body = json;
        reply.text = textOf(edition, json);
        reply.outcome = outcomeOf(edition, json, jobId, o.messages);
      } else reply.problems.push(`HTTP ${res.status}: ${raw.slice(0, 160)}`);
    } catch (err) {
      reply.ms = performance.now() - started;
      reply.problems.push(`no answer: ${(err as Error).message}`);
    }
    replies.push(reply);
  };
  const done = (async () => {
    const sent: Promise<void>[] = [];
    for (let n = 0; n < o.bookings; n++) {
      if (n > 0 && n % o.wave === 0) await new Promise((r) => setTimeout(r, o.pauseMs));
      sent.push(turn(n));
    }
    await Promise.all(sent);
  })();
  return { replies, jobs, done };
}

/**
 * Seats booked in a slot as the reservation the traffic books stores them: one document per
 * seat in the slot's `seats/`, created free (`jobId: null`) and taken by a booking (the slot
 * document keeps its capacity), plus the `booked` counter of slots an older booking counted.
 */
export async function seatsBooked(slotRef: DocumentReference): Promise<number> {
  const [slot, count] = await Promise.all([
    slotRef.get(),
    slotRef.collection('seats').where('jobId', '!=', null).count().get(),
  ]);
  return Math.floor(Number(slot.get('booked') ?? 0)) + count.data().count;
}
