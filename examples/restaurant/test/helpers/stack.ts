import { expect } from 'vitest';
import { createWorkerHandler } from '@dialogflow-functions/core/worker';
import { demoJobs } from '../../src/jobs';
import { restaurantMessages } from '../../src/messages';
import {
  createDeferrer,
  JOBS,
  parseJob,
  queuePath,
  type JobDoc,
} from '@dialogflow-functions/core/jobs';
import { createHttpClient } from '@dialogflow-functions/core/http';
import { createLogger } from '@dialogflow-functions/core/logger';
import { createNotifiers } from '@dialogflow-functions/core/notify';
import {
  createTasksClient,
  lazyTasksClient,
  type CloudTasksClient,
} from '@dialogflow-functions/core/tasks';
import {
  startNotifySink,
  sinkChannelsEnv,
  type NotifySink,
} from '@dialogflow-functions/dev/lib/notify-sink';
import { startSmtpSink, type SmtpSink } from '@dialogflow-functions/dev/lib/smtp-sink';
import { startTasksEmulator, type RunningEmulator } from 'cloud-tasks-emulator/server';
import { testFirestore, testFirestoreFactory } from '@dialogflow-functions/testing/firestore';
import { serveFunction, startWebhook, testConfig, type Running, type TestWebhook } from './servers';
import { until } from '@dialogflow-functions/testing/wait';
import { assertValidResponse } from '@dialogflow-functions/testing/proto-check';

/** A date `days` from today (UTC), as `YYYY-MM-DD`: reservations in tests are never in the past. */
export function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export interface Stack {
  tasks: RunningEmulator;
  tasksClient: CloudTasksClient;
  sink: NotifySink;
  smtp: SmtpSink;
  worker: Running;
  webhook: TestWebhook;
  workerLogs: Record<string, unknown>[];
  /** Set to make the next job attempts crash or stall before their effect. */
  beforeEffect: ((jobId: string, attempt: number) => Promise<void>) | undefined;
  close(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const tasks = await startTasksEmulator({ port: 0, statusPort: 0 });
  const tasksClient = await createTasksClient(tasks.host);
  const sink = await startNotifySink();
  const smtp = await startSmtpSink();
  const workerLogs: Record<string, unknown>[] = [];
  const stack = { beforeEffect: undefined } as Stack;
  // The worker first (its URL goes into the tasks), on a port of its own.
  const workerEnv = {
    ...sinkChannelsEnv(sink.url, smtp.url),
    CLOUD_TASKS_EMULATOR_HOST: tasks.host,
    ...env,
  };
  const workerConfig = testConfig(workerEnv);
  const worker = await serveFunction(
    createWorkerHandler({
      config: workerConfig,
      db: testFirestoreFactory,
      jobs: demoJobs,
      messages: restaurantMessages,
      channels: createNotifiers(workerConfig, createHttpClient({ baseBackoffMs: 20 }), {
        timeoutMs: 500,
      }),
      tasks: lazyTasksClient({ emulatorHost: tasks.host }),
      logger: createLogger({
        sink: (l) => workerLogs.push(JSON.parse(l) as Record<string, unknown>),
      }),
      beforeEffect: (jobId, attempt) => stack.beforeEffect?.(jobId, attempt) ?? Promise.resolve(),
    }),
  );
  // The worker creates tasks too (scheduled re-runs, the sweep): they go to its own URL.
  workerConfig.tasks.workerUrl = worker.url;
  const webhookEnv = { ...workerEnv, WORKER_URL: worker.url };
  const config = testConfig(webhookEnv);
  await tasksClient.updateQueue({
    queue: {
      name: queuePath(config),
      retryConfig: {
        maxAttempts: 20,
        minBackoff: { nanos: 100e6 },
        maxBackoff: { nanos: 400e6 },
        maxDoublings: 2,
      },
    },
  });
  // Warm the clients the deferrer uses (their first use loads and connects them), so the
  // first test's turn is not spent on that.
  const webhookTasks = lazyTasksClient({ emulatorHost: tasks.host });
  await (await webhookTasks()).getQueue({ name: queuePath(config) });
  await testFirestore().collection('warm-up').doc('x').get();
  const webhook = await startWebhook({
    env: webhookEnv,
    defer: createDeferrer({
      db: testFirestoreFactory,
      tasks: webhookTasks,
      config,
      jobs: demoJobs,
    }),
  });
  Object.assign(stack, {
    tasks,
    tasksClient,
    sink,
    smtp,
    worker,
    webhook,
    workerLogs,
    async close() {
      await webhook.close();
      await worker.close();
      await tasksClient.close();
      await tasks.stop();
      await sink.close();
      await smtp.close();
    },
  });
  return stack;
}

/** A queued job's id from its reply (ES `pending_job` context, CX session parameter), checked. */
export function jobIdOf(edition: 'es' | 'cx', body: unknown, prefix = 'r'): string {
  assertValidResponse(edition, body);
  const b = body as {
    outputContexts?: { name: string; parameters: { job_id: string } }[];
    sessionInfo?: { parameters: { job_id: string } };
  };
  const id =
    edition === 'es'
      ? b.outputContexts?.find((c) => c.name.endsWith('/contexts/pending_job'))?.parameters.job_id
      : b.sessionInfo?.parameters.job_id;
  expect(id).toMatch(new RegExp(`^${prefix}-[0-9a-z]{12}$`));
  return id!;
}

export async function jobOf(jobId: string): Promise<JobDoc | undefined> {
  return parseJob(demoJobs, await testFirestore().collection(JOBS).doc(jobId).get());
}

export async function jobSettled(jobId: string, sink: NotifySink, channels = 3): Promise<JobDoc> {
  await until(
    async () => (await jobOf(jobId))?.notifiedAt !== undefined && sink.delivered.length >= channels,
    10_000,
    `job ${jobId} notified`,
  );
  return (await jobOf(jobId))!;
}

/** The job's tasks still in the queue (its first run, scheduled re-runs, recovery tasks). */
export function tasksOfJob(stack: Stack, jobId: string): string[] {
  return [...stack.tasks.emulator.tasks.keys()].filter((name) =>
    (name.split('/').pop() ?? '').startsWith(jobId),
  );
}

/**
 * Waits until no task of the job is left in the queue: its last delivery was answered and
 * nothing is scheduled, so nothing more can happen to it (in place of sleeping "long enough").
 */
export async function jobTasksDone(stack: Stack, jobId: string): Promise<void> {
  await until(() => tasksOfJob(stack, jobId).length === 0, 15_000, `job ${jobId}'s tasks done`);
}
