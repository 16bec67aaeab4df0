import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerHandler } from '@dialogflow-functions/core/worker';
import { demoJobs } from '../src/jobs';
import { slotId } from '../src/jobs/reservation';
import { seatsBooked } from '../src/jobs/seats';
import { queuePath } from '@dialogflow-functions/core/jobs';
import { createLogger } from '@dialogflow-functions/core/logger';
import { messagesFor, restaurantMessages } from '../src/messages';
import { lazyTasksClient } from '@dialogflow-functions/core/tasks';
import { cxRequest, DEMO_LINE_USER_ID, esRequest } from '@dialogflow-functions/testing/requests';
import { SINK_LINE_TOKEN } from '@dialogflow-functions/dev/lib/notify-sink';
import {
  resetTestFirestore,
  testFirestore,
  testFirestoreFactory,
} from '@dialogflow-functions/testing/firestore';
import { textOf } from '@dialogflow-functions/testing/replies';
import { post, serveFunction, testConfig } from './helpers/servers';
import {
  daysFromNow,
  jobIdOf,
  jobOf,
  jobSettled,
  jobTasksDone,
  startStack,
  type Stack,
} from './helpers/stack';
import { until } from '@dialogflow-functions/testing/wait';

const en = messagesFor('en');
const zh = messagesFor('zh-TW');

const RESERVATION = { date: daysFromNow(26), time: '19:00', party_size: 4, name: 'Lin' };

describe('slow work end to end', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await resetTestFirestore();
    stack.sink.received.length = 0;
    stack.sink.delivered.length = 0;
    stack.sink.intercept = undefined;
    stack.beforeEffect = undefined;
    await stack.tasksClient.resumeQueue({ name: queuePath(testConfig()) });
  });

  it('a reservation from LINE is queued at once, booked, and pushed once', async () => {
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION, source: 'line' }),
    );
    expect(res.status).toBe(200);
    const jobId = jobIdOf('es', res.body);
    expect(textOf('es', res.body)).toBe(
      en.reservationQueued({
        jobId,
        date: RESERVATION.date,
        time: '19:00',
        partySize: 4,
        name: 'Lin',
      }),
    );

    const job = await jobSettled(jobId, stack.sink);
    expect(job).toMatchObject({
      type: 'reservation',
      status: 'succeeded',
      attempts: 1,
      language: 'en',
    });
    expect(job.result).toMatchObject({
      outcome: 'confirmed',
      date: RESERVATION.date,
      time: '19:00',
      partySize: 4,
      name: 'Lin',
    });
    const code = (job.result as { code: string }).code;

    const line = stack.sink.delivered.filter((d) => d.channel === 'line');
    expect(line).toHaveLength(1);
    expect(line[0]!.headers.authorization).toBe(`Bearer ${SINK_LINE_TOKEN}`);
    expect(line[0]!.headers['x-line-retry-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(line[0]!.body).toEqual({
      to: DEMO_LINE_USER_ID,
      messages: [
        {
          type: 'text',
          text: en.reservationConfirmed({
            code,
            date: RESERVATION.date,
            time: '19:00',
            partySize: 4,
            name: 'Lin',
          }),
        },
      ],
    });
    const slack = stack.sink.delivered.filter((d) => d.channel === 'slack');
    expect(slack.map((d) => d.body)).toEqual([
      { text: (line[0]!.body as { messages: { text: string }[] }).messages[0]!.text },
    ]);
    const hook = stack.sink.delivered.filter((d) => d.channel === 'webhook');
    expect(hook).toHaveLength(1);
    expect(hook[0]!.signatureValid).toBe(true);
    expect(hook[0]!.body).toEqual({
      jobId,
      type: 'reservation',
      status: 'succeeded',
      result: job.result,
      session: expect.stringContaining('/sessions/'),
    });

    expect(
      await seatsBooked(testFirestore().collection('slots').doc(slotId(RESERVATION.date, '19:00'))),
    ).toBe(4);
  });

  it('CX: the job id is a session parameter, replies in zh-TW, and the push is in zh-TW', async () => {
    const res = await post(
      stack.webhook.url,
      cxRequest({
        name: 'make_reservation',
        languageCode: 'zh-TW',
        source: 'line',
        parameters: {
          date: { year: 2026, month: 12, day: 31 },
          time: { hours: 18, minutes: 30 },
          party_size: 2,
          name: { name: '王' },
        },
      }),
    );
    const jobId = jobIdOf('cx', res.body);
    expect(textOf('cx', res.body)).toBe(
      zh.reservationQueued({ jobId, date: '2026-12-31', time: '18:30', partySize: 2, name: '王' }),
    );
    await jobSettled(jobId, stack.sink);
    const line = stack.sink.delivered.find((d) => d.channel === 'line');
    expect((line!.body as { messages: { text: string }[] }).messages[0]!.text).toMatch(
      /已確認 2026-12-31 18:30，2 位，王 的訂位/,
    );
  });

  it('the same request three times at once: one job, one booking, one push', async () => {
    const body = esRequest({ name: 'make_reservation', parameters: RESERVATION, source: 'line' });
    const replies = await Promise.all([1, 2, 3].map(() => post(stack.webhook.url, body)));
    const ids = replies.map((r) => jobIdOf('es', r.body));
    expect(new Set(ids).size).toBe(1);
    await jobSettled(ids[0]!, stack.sink);
    await jobTasksDone(stack, ids[0]!); // no delivery of it is left that could notify again
    expect(stack.sink.delivered.filter((d) => d.channel === 'line')).toHaveLength(1);
    expect((await testFirestore().collection('jobs').get()).size).toBe(1);
    expect((await testFirestore().collection('reservations').get()).size).toBe(1);
    expect(
      await seatsBooked(testFirestore().collection('slots').doc(slotId(RESERVATION.date, '19:00'))),
    ).toBe(4);
  });

  it('a notifier failing twice then succeeding delivers once, with the same retry key', async () => {
    stack.sink.intercept = (d) => {
      const lineSoFar = stack.sink.received.filter((r) => r.channel === 'line').length;
      return d.channel === 'line' && lineSoFar <= 2
        ? { status: 500, body: { message: 'busy' } }
        : undefined;
    };
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION, source: 'line' }),
    );
    const jobId = jobIdOf('es', res.body);
    const job = await jobSettled(jobId, stack.sink);
    const attempts = stack.sink.received.filter((d) => d.channel === 'line');
    expect(attempts.length).toBe(3);
    expect(new Set(attempts.map((d) => d.headers['x-line-retry-key'])).size).toBe(1);
    expect(stack.sink.delivered.filter((d) => d.channel === 'line')).toHaveLength(1);
    expect(stack.sink.delivered.filter((d) => d.channel === 'slack')).toHaveLength(1);
    expect(job.attempts).toBe(1); // the booking ran once; only the notification was retried
  });

  it('a hanging notifier is retried and still delivers once', async () => {
    stack.sink.intercept = (d) =>
      d.channel === 'slack' && stack.sink.received.filter((r) => r.channel === 'slack').length === 1
        ? 'hang'
        : undefined;
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION }),
    );
    const jobId = jobIdOf('es', res.body);
    await jobSettled(jobId, stack.sink, 2);
    expect(stack.sink.delivered.filter((d) => d.channel === 'slack')).toHaveLength(1);
    // Not from LINE: no push.
    expect(stack.sink.received.filter((d) => d.channel === 'line')).toHaveLength(0);
  });

  it('a channel that refuses for good is recorded and not retried; the others deliver', async () => {
    stack.sink.intercept = (d) =>
      d.channel === 'webhook' ? { status: 403, body: { message: 'forbidden' } } : undefined;
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION, source: 'line' }),
    );
    const jobId = jobIdOf('es', res.body);
    await jobSettled(jobId, stack.sink, 2);
    const job = (await jobOf(jobId))!;
    expect(job.notify.webhook?.failedAt).toBeInstanceOf(Date);
    expect(job.notify.line?.sentAt).toBeInstanceOf(Date);
    await jobTasksDone(stack, jobId); // no delivery of it is left that could retry the channel
    expect(stack.sink.received.filter((d) => d.channel === 'webhook')).toHaveLength(1);
  });

  it('a worker that dies mid-job: the next delivery resumes it, books once, notifies once', async () => {
    stack.beforeEffect = async (_id, attempt) => {
      if (attempt === 1) throw new Error('worker instance killed');
    };
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION, source: 'line' }),
    );
    const jobId = jobIdOf('es', res.body);
    const job = await jobSettled(jobId, stack.sink);
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBe(2);
    expect(stack.sink.delivered.filter((d) => d.channel === 'line')).toHaveLength(1);
    expect(
      stack.workerLogs.some(
        (l) => l.message === 'resuming a job whose earlier attempt did not finish',
      ),
    ).toBe(true);
  });

  it('duplicate and concurrent deliveries of a finished task change nothing', async () => {
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION, source: 'line' }),
    );
    const jobId = jobIdOf('es', res.body);
    await jobSettled(jobId, stack.sink);
    const headers = {
      'x-cloudtasks-queuename': 'fulfillment-jobs',
      'x-cloudtasks-taskname': jobId,
    };
    const again = await Promise.all(
      [1, 2, 3].map(() => post(stack.worker.url, { v: 1, jobId, type: 'reservation' }, headers)),
    );
    expect(again.map((r) => r.status)).toEqual([204, 204, 204]);
    expect(stack.sink.delivered).toHaveLength(3);
    expect((await jobOf(jobId))!.attempts).toBe(1);
  });

  it('concurrent first deliveries of one job book once and notify once', async () => {
    await stack.tasksClient.pauseQueue({ name: queuePath(testConfig()) });
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION, source: 'line' }),
    );
    const jobId = jobIdOf('es', res.body);
    const headers = {
      'x-cloudtasks-queuename': 'fulfillment-jobs',
      'x-cloudtasks-taskname': jobId,
    };
    const answers = await Promise.all(
      [1, 2, 3].map(() => post(stack.worker.url, { v: 1, jobId, type: 'reservation' }, headers)),
    );
    expect(answers.every((a) => a.status === 204 || a.status === 503)).toBe(true);
    await stack.tasksClient.resumeQueue({ name: queuePath(testConfig()) });
    await jobSettled(jobId, stack.sink);
    await jobTasksDone(stack, jobId); // every delivery of it answered
    expect(stack.sink.delivered.filter((d) => d.channel === 'line')).toHaveLength(1);
    expect(stack.sink.delivered.filter((d) => d.channel === 'slack')).toHaveLength(1);
    expect(
      await seatsBooked(testFirestore().collection('slots').doc(slotId(RESERVATION.date, '19:00'))),
    ).toBe(4);
  });

  it('task_status reports queued, running, succeeded (by id, by context, by session)', async () => {
    const queue = queuePath(testConfig());
    await stack.tasksClient.pauseQueue({ name: queue });
    const sessionId = 'status-session';
    const res = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: RESERVATION, sessionId }),
    );
    const jobId = jobIdOf('es', res.body);
    const status = async (
      params: Record<string, unknown>,
      contexts?: Record<string, Record<string, unknown>>,
    ) =>
      textOf(
        'es',
        (
          await post(
            stack.webhook.url,
            esRequest({ name: 'task_status', parameters: params, sessionId, contexts }),
          )
        ).body,
      );

    expect(await status({ task_id: jobId })).toBe(en.jobStatusQueued({ jobId }));
    expect(await status({ task_id: '' })).toBe(en.jobStatusQueued({ jobId })); // the session's last job
    expect(await status({}, { pending_job: { job_id: jobId } })).toBe(
      en.jobStatusQueued({ jobId }),
    );

    let release: (() => void) | undefined;
    stack.beforeEffect = () => new Promise<void>((r) => (release = r));
    await stack.tasksClient.resumeQueue({ name: queue });
    await until(() => release !== undefined, 5000, 'attempt started');
    expect(await status({ task_id: jobId })).toBe(en.jobStatusRunning({ jobId }));
    release!();
    const job = await jobSettled(jobId, stack.sink, 2);
    const done = await status({ task_id: jobId });
    expect(done).toBe(
      en.jobStatusDone({ jobId, result: en.reservationConfirmed(job.result as never) }),
    );

    expect(await status({ task_id: 'r-000000000000' })).toBe(
      en.jobNotFound({ jobId: 'r-000000000000' }),
    );
    expect(
      textOf(
        'es',
        (
          await post(
            stack.webhook.url,
            esRequest({ name: 'task_status', sessionId: 'no-jobs-here' }),
          )
        ).body,
      ),
    ).toBe(en.noJobs);
  });

  it('capacity exhausted gives "full", in the reply and the notification', async () => {
    const first = await post(
      stack.webhook.url,
      esRequest({ name: 'make_reservation', parameters: { ...RESERVATION, party_size: 18 } }),
    );
    await jobSettled(jobIdOf('es', first.body), stack.sink, 2);
    const second = await post(
      stack.webhook.url,
      esRequest({
        name: 'make_reservation',
        parameters: { ...RESERVATION, party_size: 3 },
        languageCode: 'zh-TW',
        sessionId: 'full-slot',
      }),
    );
    const jobId = jobIdOf('es', second.body);
    await until(async () => (await jobOf(jobId))?.notifiedAt !== undefined, 10_000);
    const job = (await jobOf(jobId))!;
    expect(job.result).toMatchObject({ outcome: 'full', partySize: 3 });
    const slack = stack.sink.delivered
      .filter((d) => d.channel === 'slack')
      .map((d) => (d.body as { text: string }).text);
    expect(slack[1]).toBe(
      zh.reservationFull({ date: RESERVATION.date, time: '19:00', partySize: 3 }),
    );
    const status = await post(
      stack.webhook.url,
      esRequest({
        name: 'task_status',
        parameters: { task_id: jobId },
        languageCode: 'zh-TW',
        sessionId: 'full-slot',
      }),
    );
    expect(textOf('es', status.body)).toBe(
      zh.jobStatusDone({
        jobId,
        result: zh.reservationFull({ date: RESERVATION.date, time: '19:00', partySize: 3 }),
      }),
    );
    expect(
      await seatsBooked(testFirestore().collection('slots').doc(slotId(RESERVATION.date, '19:00'))),
    ).toBe(18);
  });

  it('asks for what is missing, in order, without queuing anything', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...RESERVATION, date: '' }, en.askDate],
      [{ ...RESERVATION, date: 'someday' }, en.reservationDateInvalid],
      [{ ...RESERVATION, time: '' }, en.askTime],
      [{ ...RESERVATION, party_size: '' }, en.askPartySize],
      [{ ...RESERVATION, party_size: 'many' }, en.askPartySize],
      [{ ...RESERVATION, name: '' }, en.askName],
      [{ ...RESERVATION, name: 'x'.repeat(2000) }, en.askName],
    ];
    for (const [parameters, ask] of cases) {
      const res = await post(
        stack.webhook.url,
        esRequest({ name: 'make_reservation', parameters }),
      );
      expect(textOf('es', res.body)).toBe(ask);
    }
    expect((await testFirestore().collection('jobs').get()).size).toBe(0);
  });
});

describe('worker input', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  const headers = {
    'x-cloudtasks-queuename': 'fulfillment-jobs',
    'x-cloudtasks-taskname': 'x',
    'x-cloudtasks-taskretrycount': '0',
  };

  it.each([
    ['an unknown job type', { v: 1, jobId: 'r-abcdefabcdef', type: 'launch_rocket' }],
    ['an unknown version', { v: 2, jobId: 'r-abcdefabcdef', type: 'reservation' }],
    ['a job id that is a path', { v: 1, jobId: '../orders/1001', type: 'reservation' }],
    ['a job that does not exist', { v: 1, jobId: 'r-doesnotexist', type: 'reservation' }],
    ['an array', [1, 2, 3]],
    ['extra fields', { v: 1, jobId: 'r-abcdefabcdef', type: 'reservation', admin: true }],
  ])('acknowledges a poison body (%s) with 2xx, never retried', async (_n, body) => {
    const before = stack.workerLogs.length;
    const res = await post(stack.worker.url, body, headers);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ignored' });
    expect(stack.workerLogs.slice(before).some((l) => l.severity === 'ERROR')).toBe(true);
  });

  it('acknowledges a body that is not JSON at all', async () => {
    const res = await fetch(stack.worker.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: 'garbage',
    });
    expect(res.status).toBe(200);
  });

  it('refuses requests that are not from Cloud Tasks, and non-POST', async () => {
    const res = await post(stack.worker.url, {
      v: 1,
      jobId: 'r-abcdefabcdef',
      type: 'reservation',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid-argument' } });
    expect((await fetch(stack.worker.url)).status).toBe(405);
  });

  it('a deployed unknown-type task in the queue is acknowledged and removed', async () => {
    const config = testConfig();
    const [task] = await stack.tasksClient.createTask({
      parent: queuePath(config),
      task: {
        httpRequest: {
          url: stack.worker.url,
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from(JSON.stringify({ v: 1, jobId: 'r-abcdefabcdef', type: 'unknown' })),
        },
      },
    });
    await until(() =>
      stack.tasks.emulator.dispatches.some((d) => d.task === task.name && d.outcome === 'done'),
    );
    expect(stack.tasks.emulator.dispatches.filter((d) => d.task === task.name)).toHaveLength(1);
  });
});

describe('when the tasks emulator is down', () => {
  it('the webhook says honestly that nothing was queued and the job is marked failed', async () => {
    const stack = await startStack();
    try {
      await stack.tasks.stop();
      const res = await post(
        stack.webhook.url,
        esRequest({
          name: 'make_reservation',
          parameters: RESERVATION,
          languageCode: 'zh-TW',
          sessionId: 'tasks-down',
        }),
      );
      expect(res.status).toBe(200);
      expect(textOf('es', res.body)).toBe(zh.reservationNotQueued);
      expect((res.body as { outputContexts?: unknown[] }).outputContexts).toBeUndefined();
      const jobs = await testFirestore().collection('jobs').get();
      expect(jobs.size).toBe(1);
      expect(jobs.docs[0]!.get('status')).toBe('failed');
      expect(jobs.docs[0]!.get('notQueued')).toBe(true);
      const jobId = jobs.docs[0]!.id;
      const status = await post(
        stack.webhook.url,
        esRequest({ name: 'task_status', parameters: { task_id: jobId }, sessionId: 'tasks-down' }),
      );
      // Never shown as pending, nor as a job that ran and failed.
      expect(textOf('es', status.body)).toBe(en.jobNotQueued({ jobId }));
    } finally {
      await stack.webhook.close();
      await stack.worker.close();
      await stack.sink.close();
    }
  });
  afterEach(async () => {
    await resetTestFirestore();
  });
});

describe('worker auth', () => {
  it('with WORKER_OIDC_AUDIENCE, only a token for the audience from TASKS_SERVICE_ACCOUNT is let in', async () => {
    const config = testConfig({
      WORKER_OIDC_AUDIENCE: 'https://worker',
      TASKS_SERVICE_ACCOUNT: 'tasks@demo-local.iam.gserviceaccount.com',
    });
    const worker = await serveFunction(
      createWorkerHandler({
        config,
        db: testFirestoreFactory,
        jobs: demoJobs,
        messages: restaurantMessages,
        channels: [],
        tasks: lazyTasksClient({ emulatorHost: '127.0.0.1:9' }),
        logger: createLogger({ sink: () => {} }),
        verifyIdToken: async (token, audience) => {
          if (audience !== 'https://worker' || !token.startsWith('ok-')) throw new Error('invalid');
          return { email: token.slice(3), email_verified: true };
        },
      }),
    );
    const headers = { 'x-cloudtasks-queuename': 'q', 'x-cloudtasks-taskname': 't' };
    try {
      const body = { v: 1, jobId: 'r-doesnotexist', type: 'reservation' };
      expect((await post(worker.url, body, headers)).status).toBe(401);
      expect(
        (await post(worker.url, body, { ...headers, authorization: 'Bearer forged' })).status,
      ).toBe(401);
      expect(
        (await post(worker.url, body, { ...headers, authorization: 'Bearer ok-someone@else.com' }))
          .status,
      ).toBe(403);
      expect(
        (
          await post(worker.url, body, {
            ...headers,
            authorization: 'Bearer ok-tasks@demo-local.iam.gserviceaccount.com',
          })
        ).status,
      ).toBe(200);
    } finally {
      await worker.close();
    }
  });
});
