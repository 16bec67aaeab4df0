import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoJobs } from '../src/jobs';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import {
  createDeferrer,
  jobIdFor,
  JOBS,
  parseJob,
  queuePath,
  verdictOf,
} from '@dialogflow-functions/core/jobs';
import {
  createTasksClient,
  lazyTasksClient,
  type CloudTasksClient,
} from '@dialogflow-functions/core/tasks';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { ensureFirestoreEmulator } from '@dialogflow-functions/testing/firestore-emulator';
import type { Service } from '@dialogflow-functions/testing/processes';
import { startTasksEmulator, type RunningEmulator } from 'cloud-tasks-emulator/server';
import { textOf } from '@dialogflow-functions/testing/replies';
import { post, startWebhook, testConfig, type TestWebhook } from './helpers/servers';
import { daysFromNow } from './helpers/stack';
import { until } from '@dialogflow-functions/testing/wait';
import { messagesFor } from '../src/messages';

/*
 * Issue: a booking the user was told is "not queued" must never come back as queued. Firestore
 * frozen (SIGSTOP on its own emulator): the record write times out, the user hears nothing was
 * booked, the write lands when Firestore resumes; the job must end not queued, never pending.
 */
const en = messagesFor('en');

describe('when Firestore freezes during a deferral', () => {
  let firestore: { host: string; service?: Service };
  let db: Firestore;
  let tasks: RunningEmulator;
  let tasksClient: CloudTasksClient;
  let webhook: TestWebhook;

  beforeAll(async () => {
    firestore = await ensureFirestoreEmulator({ host: undefined, timeoutMs: 90_000 });
    db = new Firestore({
      projectId: 'demo-local',
      ...emulatorSettings(firestore.host),
      ignoreUndefinedProperties: true,
    });
    await db.collection('warm-up').doc('x').get();
    tasks = await startTasksEmulator({ port: 0 });
    tasksClient = await createTasksClient(tasks.host);
    const config = testConfig({ CLOUD_TASKS_EMULATOR_HOST: tasks.host });
    await tasksClient.updateQueue({ queue: { name: queuePath(config) } });
    await tasksClient.pauseQueue({ name: queuePath(config) }); // nothing runs: only records count
    const factory = async () => db;
    webhook = await startWebhook({
      env: { CLOUD_TASKS_EMULATOR_HOST: tasks.host, WEBHOOK_DEADLINE_MS: '1500' },
      backends: { db: factory },
      defer: createDeferrer({
        db: factory,
        tasks: lazyTasksClient({ emulatorHost: tasks.host }),
        config,
        jobs: demoJobs,
      }),
    });
  }, 120_000);

  afterAll(async () => {
    if (firestore.service) process.kill(firestore.service.child.pid!, 'SIGCONT');
    await webhook?.close();
    await tasksClient?.close();
    await tasks?.stop();
    await db?.terminate();
    await firestore?.service?.stop();
  });

  it('a try that cannot reach Firestore says it could not confirm; the job ends not queued, never pending', async () => {
    const pid = firestore.service!.child.pid!;
    const parameters = { date: daysFromNow(10), time: '19:00', party_size: 2, name: 'Lin' };
    const responseId = 'frozen-firestore-turn';
    process.kill(pid, 'SIGSTOP');
    let reply: string;
    try {
      const res = await post(
        webhook.url,
        esRequest({ name: 'make_reservation', parameters, sessionId: 'frozen', responseId }),
      );
      expect(res.status).toBe(200);
      reply = textOf('es', res.body);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // It could not learn whether another try of the turn confirmed the job: it says so, with
    // the id to ask about, and never "queued".
    const jobId = jobIdFor(responseId, 'reservation');
    expect(reply).toBe(en.jobUncertain({ jobId }));

    // The writes sent while frozen land now: whatever order, the job must end not queued.
    await until(
      async () => {
        const snap = await db.collection(JOBS).doc(jobId).get();
        const job = parseJob(demoJobs, snap);
        return (
          job !== undefined &&
          verdictOf(job, new Date(), snap.createTime?.toDate()) === 'not-queued'
        );
      },
      30_000,
      'the job not queued',
    );
    const docs = (await db.collection(JOBS).get()).docs;
    expect(docs).toHaveLength(1);
    const job = parseJob(demoJobs, docs[0]!)!;
    expect(job.status === 'queued' || job.status === 'failed').toBe(true);
    expect(job.confirmedAt).toBeUndefined();
    const status = await post(
      webhook.url,
      esRequest({ name: 'task_status', parameters: {}, sessionId: 'frozen' }),
    );
    expect(textOf('es', status.body)).toBe(en.jobNotQueued({ jobId: docs[0]!.id }));
    const [queued] = await tasksClient.listTasks({ parent: queuePath(testConfig()) });
    expect(queued).toHaveLength(0);
  }, 90_000);
});
