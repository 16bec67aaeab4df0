import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { firestoreHost } from '@dialogflow-functions/testing/firestore';
import { emulatorSettings } from '../src/firestore';
import { parseJob } from '../src/jobs';
import { createLogger } from '../src/logger';
import { createMessages } from '../src/messages';
import { defineChannel, notificationKey, type EnabledChannel } from '../src/notify';
import type { Notification } from '../src/notify/channel';
import { CHANNEL_CLAIM_MS, deliverNotifications, type DeliverDeps } from '../src/worker/deliver';
import { echoJobs as jobs } from './helpers/echo-job';

/*
 * A finished job's notifications (worker/deliver.ts) on the Firestore emulator: every channel
 * still owed claimed in one transaction, then sent at the same time, each recorded as it
 * settles; the delivery answers only once none is still in flight. A project of this file's own.
 */

/** A channel whose sends this test decides (no recipient needed). */
function channel(name: string, send: (n: Notification) => Promise<void>): EnabledChannel {
  return {
    channel: defineChannel({ name, needsRecipient: false, create: () => send }),
    send,
  };
}

/** A promise and its resolve, to hold a send until the test lets it go. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

let db: Firestore;
const logs: string[] = [];
const log = createLogger({ sink: (line) => void logs.push(line) });
const now = new Date('2026-12-04T10:00:00Z');

beforeAll(() => {
  db = new Firestore({
    projectId: `demo-deliver-${process.pid}`,
    ...emulatorSettings(firestoreHost()),
  });
});
afterAll(() => db?.terminate());
beforeEach(() => {
  logs.length = 0;
});

let seq = 0;
/** A succeeded echo job, stored; its reference. */
async function finishedJob(notify: Record<string, unknown> = {}) {
  const ref = db.collection('jobs').doc(`e-deliver${String(++seq).padStart(5, '0')}`);
  await ref.set({
    v: 1,
    type: 'echo',
    request: { text: 'hi' },
    status: 'succeeded',
    result: { said: 'hi' },
    attempts: 1,
    createdAt: Timestamp.fromDate(now),
    updatedAt: Timestamp.fromDate(now),
    session: null,
    sessionKey: null,
    language: 'en',
    notify,
  });
  return ref;
}

const deps = (channels: EnabledChannel[]): DeliverDeps => ({
  db,
  jobs,
  channels,
  now: () => now,
  messages: createMessages(),
});

describe('deliverNotifications', () => {
  it('claims every channel owed, sends them at the same time, and records each', async () => {
    const ref = await finishedJob();
    const started: string[] = [];
    const keys: Record<string, string> = {};
    const claims: unknown[] = [];
    const both = gate();
    // Each send waits until both have started: one after the other, this would never end.
    const held = (name: string) =>
      channel(name, async (n) => {
        started.push(name);
        if (started.length === 2) both.open();
        await both.wait;
        keys[name] = n.key;
        // What the send sees: its channel claimed.
        claims.push(parseJob(jobs, await ref.get())?.notify[name]);
      });
    const outcome = await deliverNotifications(deps([held('a'), held('b')]), ref.id, log);
    expect(outcome, logs.join('\n')).toEqual({ kind: 'done', reason: 'succeeded' });
    expect(started.sort()).toEqual(['a', 'b']);
    // Each with its channel's key for this job (the same on every retry).
    expect(keys).toEqual({ a: notificationKey(ref.id, 'a'), b: notificationKey(ref.id, 'b') });
    // Claimed before sending, for CHANNEL_CLAIM_MS, one attempt each.
    expect(claims).toEqual([
      { claimedUntil: new Date(now.getTime() + CHANNEL_CLAIM_MS), attempts: 1 },
      { claimedUntil: new Date(now.getTime() + CHANNEL_CLAIM_MS), attempts: 1 },
    ]);
    const job = parseJob(jobs, await ref.get());
    for (const name of ['a', 'b']) {
      expect(job?.notify[name]?.sentAt).toEqual(now);
      expect(job?.notify[name]?.claimedUntil).toBeUndefined();
    }
    expect(job?.notifiedAt).toEqual(now);
  });

  it('sends nothing on a channel sent, refused for good or claimed by another delivery', async () => {
    const later = Timestamp.fromMillis(now.getTime() + 5_000);
    const ref = await finishedJob({
      sent: { sentAt: Timestamp.fromDate(now), attempts: 1 },
      refused: { failedAt: Timestamp.fromDate(now), attempts: 1 },
      busy: { claimedUntil: later, attempts: 1 },
    });
    const sent: string[] = [];
    const record = (name: string) =>
      channel(name, async () => {
        sent.push(name);
      });
    const channels = ['sent', 'refused', 'busy', 'owed'].map(record);
    // The busy channel is still another delivery's: retried later, the owed one sent now.
    expect(await deliverNotifications(deps(channels), ref.id, log)).toEqual({
      kind: 'retry',
      reason: 'notifications pending',
    });
    expect(sent).toEqual(['owed']);
    const job = parseJob(jobs, await ref.get());
    expect(job?.notify.busy?.claimedUntil).toEqual(later.toDate());
    expect(job?.notify.owed?.sentAt).toEqual(now);
    expect(job?.notifiedAt).toBeUndefined();
  });

  it('a record that cannot be written fails the delivery only once every channel has settled', async () => {
    const ref = await finishedJob();
    const slow = gate();
    let slowSent = false;
    let settled = false;
    const channels = [
      // Accepted, but its record cannot be written: the job is gone when it tries.
      channel('gone', async () => {
        await ref.delete();
      }),
      // Still sending when that write fails.
      channel('slow', async () => {
        await slow.wait;
        slowSent = true;
      }),
    ];
    const delivery = deliverNotifications(deps(channels), ref.id, log).then(
      () => {
        settled = true;
        throw new Error('the delivery should have failed');
      },
      (err: unknown) => {
        settled = true;
        return err;
      },
    );
    // Long enough for the first record's write to fail (a round trip to the emulator); the
    // delivery must not answer while the slow channel is in flight.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
    slow.open();
    const err = await delivery;
    expect(slowSent).toBe(true);
    expect(String(err)).toMatch(/NOT_FOUND|No document to update/);
  });
});
