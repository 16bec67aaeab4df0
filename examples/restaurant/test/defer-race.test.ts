import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoJobs } from '../src/jobs';
import {
  createDeferrer,
  parseJob,
  queuePath,
  VERDICT_GRACE_MS,
  verdictOf,
} from '@dialogflow-functions/core/jobs';
import { messagesFor } from '../src/messages';
import {
  createTasksClient,
  lazyTasksClient,
  type CloudTasksClient,
} from '@dialogflow-functions/core/tasks';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { startTasksEmulator, type RunningEmulator } from 'cloud-tasks-emulator/server';
import {
  resetTestFirestore,
  testFirestore,
  testFirestoreFactory,
} from '@dialogflow-functions/testing/firestore';
import { freePort } from '@dialogflow-functions/testing/ports';
import { textOf } from '@dialogflow-functions/testing/replies';
import { until } from '@dialogflow-functions/testing/wait';
import { post, startWebhook, testConfig, type TestWebhook } from './helpers/servers';
import { daysFromNow } from './helpers/stack';

/*
 * Found by `npm run test:load`: Dialogflow sends one turn two or three times at once. One try
 * made the task and told the user "queued"; another's task creation failed, and its give-up
 * marked the job not queued, so a job the user was told is queued never ran. Every try of a
 * turn must tell the same thing, and the job must do what was told.
 */
const en = messagesFor('en');

describe('tries of one turn that meet different fates', () => {
  let tasks: RunningEmulator;
  let tasksClient: CloudTasksClient;
  let good: TestWebhook;
  let broken: TestWebhook;

  beforeAll(async () => {
    tasks = await startTasksEmulator({ port: 0 });
    tasksClient = await createTasksClient(tasks.host);
    const config = testConfig({ CLOUD_TASKS_EMULATOR_HOST: tasks.host });
    await tasksClient.updateQueue({ queue: { name: queuePath(config) } });
    await tasksClient.pauseQueue({ name: queuePath(config) }); // only the records count here
    // One webhook instance reaches the tasks service; the other's calls fail (nothing listens).
    const nowhere = `127.0.0.1:${await freePort()}`;
    const start = (host: string) =>
      startWebhook({
        // The default budget (4 s): a good try confirms well inside it even on a busy machine,
        // and a broken one gives up as soon as its task creation fails.
        env: { CLOUD_TASKS_EMULATOR_HOST: host },
        defer: createDeferrer({
          db: testFirestoreFactory,
          tasks: lazyTasksClient({ emulatorHost: host }),
          config: testConfig({ CLOUD_TASKS_EMULATOR_HOST: host }),
          jobs: demoJobs,
        }),
      });
    good = await start(tasks.host);
    broken = await start(nowhere);
  });
  afterAll(async () => {
    await good?.close();
    await broken?.close();
    await tasksClient?.close();
    await tasks?.stop();
  });
  beforeEach(() => resetTestFirestore());

  const turn = (sessionId: string) =>
    esRequest({
      name: 'make_reservation',
      parameters: { date: daysFromNow(12), time: '19:00', party_size: 2, name: 'Lin' },
      sessionId,
      responseId: `race-${sessionId}`,
    });

  it('a try that fails after another said "queued" says queued too, and the job stays queued', async () => {
    const body = turn('queued-first');
    const first = await post(good.url, body);
    expect(textOf('es', first.body)).toContain('request r-');
    const second = await post(broken.url, body);
    expect(textOf('es', second.body)).toBe(textOf('es', first.body));
    const jobs = await testFirestore().collection('jobs').get();
    expect(jobs.size).toBe(1);
    expect(jobs.docs[0]!.get('status')).toBe('queued');
    expect(jobs.docs[0]!.get('notQueued')).toBeUndefined();
  });

  it('a try after another gave up says not queued too, and the job stays not queued', async () => {
    const body = turn('failed-first');
    const first = await post(broken.url, body);
    expect(textOf('es', first.body)).toBe(en.reservationNotQueued);
    const second = await post(good.url, body);
    expect(textOf('es', second.body)).toBe(en.reservationNotQueued);
    const jobs = await testFirestore().collection('jobs').get();
    expect(jobs.size).toBe(1);
    expect(jobs.docs[0]!.get('notQueued')).toBe(true);
  });

  it('tries at once agree, whatever each one met', async () => {
    // Five turns, one after another, each sent to both instances at once.
    const turns: { session: string; told: string | undefined }[] = [];
    for (let i = 0; i < 5; i++) {
      const body = turn(`together-${i}`);
      const answers = await Promise.all([post(good.url, body), post(broken.url, body)]);
      const texts = answers.map((a) => textOf('es', a.body));
      expect(texts[1]).toBe(texts[0]);
      turns.push({ session: String(body.session), told: texts[0] });
    }
    const jobs = (await testFirestore().collection('jobs').get()).docs;
    expect(jobs).toHaveLength(5);
    // Writes a try let go of at its deadline land meanwhile: read the records once every try
    // stopped waiting (the latest acceptBy) and the rule's grace for clock skew are past, when
    // the rule leaves no record undecided (in place of sleeping a fixed time per turn).
    const settled =
      Math.max(...jobs.map((j) => parseJob(demoJobs, j)!.acceptBy!.getTime())) + VERDICT_GRACE_MS;
    await until(() => Date.now() > settled, 15_000, 'every try past its deadline');
    for (const { session, told } of turns) {
      const [job] = (await testFirestore().collection('jobs').where('session', '==', session).get())
        .docs;
      const record = parseJob(demoJobs, job!)!;
      expect(verdictOf(record, new Date(), job!.createTime.toDate())).toBe(
        told === en.reservationNotQueued ? 'not-queued' : 'queued',
      );
    }
  }, 60_000);
});
