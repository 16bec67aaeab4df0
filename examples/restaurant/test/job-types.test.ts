import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoJobs } from '../src/jobs';
import { slotId } from '../src/jobs/reservation';
import { createDeferrer, JOBS, queuePath } from '@dialogflow-functions/core/jobs';
import { notificationKey as notificationKeyFor } from '@dialogflow-functions/core/notify';
import { Budget } from '@dialogflow-functions/core/deadline';
import { createLogger } from '@dialogflow-functions/core/logger';
import { messagesFor } from '../src/messages';
import { lazyTasksClient } from '@dialogflow-functions/core/tasks';
import { esRequest, cxRequest } from '@dialogflow-functions/testing/requests';
import { resetTestFirestore, testFirestore } from '@dialogflow-functions/testing/firestore';
import { textOf } from '@dialogflow-functions/testing/replies';
import { post, testConfig } from './helpers/servers';
import {
  daysFromNow,
  jobIdOf,
  jobOf,
  jobTasksDone,
  startStack,
  tasksOfJob,
  type Stack,
} from './helpers/stack';
import { until } from '@dialogflow-functions/testing/wait';

const en = messagesFor('en');
const zh = messagesFor('zh-TW');
const FUTURE = daysFromNow(20);

describe('job types end to end', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ WATCH_ORDER_CHECK_SECONDS: '1' });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await resetTestFirestore();
    stack.sink.received.length = 0;
    stack.sink.delivered.length = 0;
    stack.sink.intercept = undefined;
    stack.smtp.mails.length = 0;
    stack.smtp.failWith = undefined;
    await stack.tasksClient.resumeQueue({ name: queuePath(testConfig()) });
  });

  const ask = (name: string, parameters: Record<string, unknown>, extra = {}) =>
    post(stack.webhook.url, esRequest({ name, parameters, ...extra }));

  describe('reservation rules, told with the reason and nothing queued', () => {
    const base = { date: FUTURE, time: '19:00', party_size: 4, name: 'Lin' };
    const past = daysFromNow(-2);
    // The reasons as the rules state them (seatings every half hour 11:00–21:30, 20 seats a
    // slot), written out here rather than derived by the code under test.
    const offGrid = (time: string) =>
      en.reservationOffGrid({ time, first: '11:00', last: '21:30' });
    it.each([
      ['a past date', { date: past }, en.reservationPast({ date: past, time: '19:00' })],
      ['a time off the grid', { time: '19:07' }, offGrid('19:07')],
      ['a time before opening', { time: '08:00' }, offGrid('08:00')],
      ['party of 0', { party_size: 0 }, en.reservationPartyInvalid],
      ['party of -3', { party_size: -3 }, en.reservationPartyInvalid],
      ['party of 2.5', { party_size: 2.5 }, en.reservationPartyInvalid],
      [
        'party of 30 (a slot holds 20)',
        { party_size: 30 },
        en.reservationPartyTooLarge({ max: 20 }),
      ],
      ['party of 500', { party_size: 500 }, en.reservationPartyTooLarge({ max: 20 })],
    ])('%s', async (_what, change, refusal) => {
      const res = await ask('make_reservation', { ...base, ...change });
      expect(textOf('es', res.body)).toBe(refusal);
      expect((await testFirestore().collection(JOBS).get()).size).toBe(0);
    });

    it('the worker checks the rules again: a past date that reaches it fails with the reason', async () => {
      const config = testConfig({
        CLOUD_TASKS_EMULATOR_HOST: stack.tasks.host,
        WORKER_URL: stack.worker.url,
      });
      const defer = createDeferrer({
        db: async () => testFirestore(),
        tasks: lazyTasksClient({ emulatorHost: stack.tasks.host }),
        config,
        jobs: demoJobs,
      });
      const past = daysFromNow(-3);
      const outcome = await defer(
        {
          responseId: 'worker-rules',
          session: 'projects/demo-local/agent/sessions/worker-rules',
          sessionKey: 'worker-rules',
          language: 'zh-TW',
          recipients: {},
          budget: new Budget(Date.now() + 4000, new AbortController().signal),
          log: createLogger({ sink: () => {} }),
        },
        { type: 'reservation', request: { date: past, time: '19:07', partySize: 4, name: 'Lin' } },
      );
      expect(outcome.ok).toBe(true);
      const jobId = outcome.jobId;
      await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 10_000);
      const job = (await jobOf(jobId))!;
      expect(job).toMatchObject({ status: 'failed', refusal: { code: 'past' } });
      const slack = stack.sink.delivered.filter((d) => d.channel === 'slack');
      expect(slack.map((d) => (d.body as { text: string }).text)).toEqual([
        zh.jobRefused({ jobId, reason: zh.reservationPast({ date: past, time: '19:07' }) }),
      ]);
      const slot = await testFirestore().collection('slots').doc(slotId(past, '19:07')).get();
      expect(slot.exists).toBe(false);
    });
  });

  describe('watch_order', () => {
    const order = (status: string) =>
      testFirestore().collection('orders').doc('1002').set({ status, deliveryDate: '2026-12-05' });

    it('checks until the order ships, then notifies exactly once on every channel', async () => {
      await order('processing');
      const res = await ask(
        'watch_order',
        { order_id: 1002, email: 'lin@example.com' },
        { source: 'line' },
      );
      const jobId = jobIdOf('es', res.body, 'w');
      expect(textOf('es', res.body)).toBe(en.watchOrderQueued({ orderId: '1002', jobId }));
      // Still processing: the job schedules its own next checks and stays pending.
      await until(async () => ((await jobOf(jobId))?.wakeups ?? 0) >= 2, 15_000, 'two re-checks');
      expect((await jobOf(jobId))!.status).not.toMatch(/succeeded|failed/);
      expect(stack.sink.delivered).toHaveLength(0);
      const pending = await ask('task_status', { task_id: jobId }, { source: 'line' });
      expect(textOf('es', pending.body)).toBe(en.watchOrderWatching({ orderId: '1002', jobId }));

      await order('shipped');
      await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 15_000, 'notified');
      // Later checks (if any) must change nothing: wait until none is left to run.
      await jobTasksDone(stack, jobId);
      const job = (await jobOf(jobId))!;
      expect(job).toMatchObject({ status: 'succeeded', result: { outcome: 'shipped' } });
      const text = en.watchOrderShipped({
        orderId: '1002',
        status: en.orderStatusNames.shipped!,
        deliveryDate: '2026-12-05',
      });
      const byChannel = (c: string) => stack.sink.delivered.filter((d) => d.channel === c);
      expect(byChannel('line')).toHaveLength(1);
      expect(byChannel('slack')).toHaveLength(1);
      expect(byChannel('webhook')).toHaveLength(1);
      expect((byChannel('slack')[0]!.body as { text: string }).text).toBe(text);
      expect(stack.smtp.mails).toHaveLength(1);
      expect(stack.smtp.mails[0]).toMatchObject({ to: ['lin@example.com'], text });
    });

    it('says at once when the order already shipped, is unknown or malformed', async () => {
      await order('delivered');
      expect(textOf('es', (await ask('watch_order', { order_id: '1002' })).body)).toBe(
        en.watchOrderAlreadyShipped({
          orderId: '1002',
          status: en.orderStatusNames.delivered!,
          deliveryDate: '2026-12-05',
        }),
      );
      expect(textOf('es', (await ask('watch_order', { order_id: '9999' })).body)).toBe(
        en.orderNotFound({ id: '9999' }),
      );
      expect(textOf('es', (await ask('watch_order', { order_id: '12/34' })).body)).toBe(
        en.orderIdInvalid,
      );
      expect(textOf('es', (await ask('watch_order', {})).body)).toBe(en.askOrderId);
      expect((await testFirestore().collection(JOBS).get()).size).toBe(0);
    });

    it('gives up after seven days with one notification', async () => {
      await order('processing');
      const queue = queuePath(testConfig());
      await stack.tasksClient.pauseQueue({ name: queue });
      const res = await ask('watch_order', { order_id: '1002' }, { languageCode: 'zh-TW' });
      const jobId = jobIdOf('es', res.body, 'w');
      await testFirestore()
        .collection(JOBS)
        .doc(jobId)
        .update({ createdAt: new Date(Date.now() - 8 * 86_400_000) });
      await stack.tasksClient.resumeQueue({ name: queue });
      await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 10_000);
      expect((await jobOf(jobId))!.result).toEqual({
        outcome: 'gave-up',
        orderId: '1002',
        days: 7,
      });
      const slack = stack.sink.delivered.filter((d) => d.channel === 'slack');
      expect(slack.map((d) => (d.body as { text: string }).text)).toEqual([
        zh.watchOrderGaveUp({ orderId: '1002', days: 7 }),
      ]);
    });
  });

  describe('channels', () => {
    const reservation = { date: FUTURE, time: '19:00', party_size: 2, name: 'Lin' };

    it('email: one mail with a stable Message-ID, in the user language, after a refusal to retry', async () => {
      stack.smtp.failWith = 451; // temporary: the worker retries
      const res = await post(
        stack.webhook.url,
        cxRequest({
          name: 'make_reservation',
          parameters: { ...reservation, email: 'lin@example.com' },
          languageCode: 'zh-TW',
        }),
      );
      const jobId = jobIdOf('cx', res.body);
      await until(async () => (await jobOf(jobId))?.notify.email?.attempts === 1, 10_000);
      stack.smtp.failWith = undefined;
      await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 10_000);
      expect(stack.smtp.mails).toHaveLength(1);
      const mail = stack.smtp.mails[0]!;
      expect(mail.to).toEqual(['lin@example.com']);
      expect(mail.subject).toBe(zh.jobNotifySubject({ jobId }));
      expect(mail.text).toContain(reservation.date);
      expect(mail.messageId).toBe(`<${notificationKeyFor(jobId, 'email')}@localhost>`);
    });

    it('no address, no mail; a malformed address is ignored', async () => {
      const res = await ask('make_reservation', { ...reservation, email: 'not an address' });
      const jobId = jobIdOf('es', res.body);
      await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 10_000);
      expect(stack.smtp.mails).toHaveLength(0);
      expect((await jobOf(jobId))!.notify.email).toBeUndefined();
    });

    it('slack: what a user typed cannot mention, link or format', async () => {
      const name = '<!channel> <https://evil.example|Pay here> & co';
      const res = await ask('make_reservation', { ...reservation, name });
      const jobId = jobIdOf('es', res.body);
      await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 10_000);
      const text = (
        stack.sink.delivered.find((d) => d.channel === 'slack')!.body as { text: string }
      ).text;
      expect(text).toContain('&lt;!channel&gt; &lt;https://evil.example|Pay here&gt; &amp; co');
      expect(text).not.toMatch(/[<>]/);
    });

    it('the signed webhook carries one Idempotency-Key for every retry of a notification', async () => {
      let failures = 0;
      stack.sink.intercept = (d) =>
        d.channel === 'webhook' && failures++ < 2 ? { status: 503 } : undefined;
      const res = await ask('make_reservation', reservation);
      const jobId = jobIdOf('es', res.body);
      await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 10_000);
      const hooks = stack.sink.received.filter((d) => d.channel === 'webhook');
      expect(hooks).toHaveLength(3);
      const keys = new Set(hooks.map((d) => d.headers['idempotency-key']));
      expect([...keys]).toEqual([notificationKeyFor(jobId, 'webhook')]);
    });
  });

  describe('the sweep', () => {
    const record = (
      jobId: string,
      minutesAgo: number,
      acceptByOffsetMs: number,
      confirmed = false,
      legacy = false,
    ) => {
      const at = new Date(Date.now() - minutesAgo * 60_000);
      const acceptBy = new Date(Date.now() + acceptByOffsetMs);
      return testFirestore()
        .collection(JOBS)
        .doc(jobId)
        .create({
          v: 1,
          type: 'reservation',
          request: { date: FUTURE, time: '12:00', partySize: 2, name: 'Sweep' },
          status: 'queued',
          attempts: 0,
          wakeups: 0,
          createdAt: at,
          updatedAt: at,
          acceptBy,
          ...(legacy ? {} : { confirmRequired: true }),
          ...(confirmed ? { confirmedAt: new Date(acceptBy.getTime() - 1000) } : {}),
          session: null,
          sessionKey: null,
          language: 'en',
          notify: {},
        });
    };
    const sweep = () =>
      post(`${stack.worker.url}sweep`, {}, { 'content-type': 'application/json' });

    it('gives a confirmed job that lost its task a task again; it then runs and notifies once', async () => {
      await record('r-sweepmeplease', 5, 4000, true);
      const first = await sweep();
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ requeued: 1 });
      await until(async () => (await jobOf('r-sweepmeplease'))?.notifiedAt !== undefined, 10_000);
      expect((await jobOf('r-sweepmeplease'))!.status).toBe('succeeded');
      expect((await sweep()).body).toMatchObject({ requeued: 0 });
      expect(stack.sink.delivered.filter((d) => d.channel === 'slack')).toHaveLength(1);
    });

    it('a record that landed after its webhook gave up is marked not queued, never run', async () => {
      await record('r-landedtoolate', 5, -60_000);
      expect((await sweep()).body).toMatchObject({ abandoned: 1, requeued: 0 });
      const job = (await jobOf('r-landedtoolate'))!;
      expect(job).toMatchObject({ status: 'failed', notQueued: true });
      // Never run: the sweep gave it no task, and no delivery of it ever went out.
      expect(tasksOfJob(stack, 'r-landedtoolate')).toEqual([]);
      expect(
        stack.tasks.emulator.dispatches.filter((d) => d.task.includes('r-landedtoolate')),
      ).toEqual([]);
      expect(stack.sink.delivered).toHaveLength(0);
    });

    it('a job its webhook never confirmed (it died between record and task) is marked not queued', async () => {
      await record('r-neverconfirm', 5, -5 * 60_000 + 4000);
      expect((await sweep()).body).toMatchObject({ abandoned: 1, requeued: 0 });
      expect(await jobOf('r-neverconfirm')).toMatchObject({ status: 'failed', notQueued: true });
      // Never run: the sweep gave it no task, and no delivery of it ever went out.
      expect(tasksOfJob(stack, 'r-neverconfirm')).toEqual([]);
      expect(
        stack.tasks.emulator.dispatches.filter((d) => d.task.includes('r-neverconfirm')),
      ).toEqual([]);
      expect(stack.sink.delivered).toHaveLength(0);
    });

    it('a queued record from before confirmations (an older webhook) is given its task, not dropped', async () => {
      await record('r-olderwebhook', 5, 4000, false, true);
      await new Promise((r) => setTimeout(r, 100));
      expect((await sweep()).body).toMatchObject({ requeued: 1, abandoned: 0 });
      await until(async () => (await jobOf('r-olderwebhook'))?.notifiedAt !== undefined, 10_000);
      expect((await jobOf('r-olderwebhook'))!.status).toBe('succeeded');
    });

    it('leaves fresh jobs alone', async () => {
      await record('r-freshjobhere', 0, 60_000);
      expect((await sweep()).body).toMatchObject({ requeued: 0 });
    });
  });

  describe('the task context', () => {
    it.each([
      ['a retry count that is not a number', { 'x-cloudtasks-taskretrycount': 'lots' }],
      ['a negative execution count', { 'x-cloudtasks-taskexecutioncount': '-1' }],
      ['an ETA that is not a time', { 'x-cloudtasks-tasketa': 'tomorrow' }],
      ['a task name with a slash', { 'x-cloudtasks-taskname': 'a/b' }],
    ])('%s is a 400', async (_what, change) => {
      const res = await post(
        stack.worker.url,
        { v: 1, jobId: 'r-abcdefabcdef', type: 'reservation' },
        { 'x-cloudtasks-queuename': 'fulfillment-jobs', 'x-cloudtasks-taskname': 't', ...change },
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid-argument' } });
    });
  });
});
