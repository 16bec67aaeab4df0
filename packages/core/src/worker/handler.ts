import { checkIdToken, googleIdTokenVerifier, type IdTokenVerifier } from '../auth';
import type { BotConfig } from '../config';
import { errorMessage, FulfillmentError } from '../errors';
import type { FirestoreFactory } from '../firestore';
import {
  readJsonBody,
  rejectRequest,
  requirePost,
  sendError,
  type IncomingRequest,
  type OutgoingResponse,
} from '../http';
import type { JobRegistry } from '../jobs';
import { createLogger, traceFields, type Logger } from '../logger';
import { createMessages, type BotMessagesOption } from '../messages';
import type { EnabledChannel } from '../notify';
import type { TasksClientFactory } from '../tasks';
import { processJob, type RunDeps } from './run-job';
import { sweepJobs } from './sweep';
import { parseTaskContext, type TaskContext } from './task-context';

/**
 * What the worker needs. `messages`: the bot's strings (`defineBot({ messages })`), which its
 * jobs' notifications are written in; required once the bot registers `Register['messages']`.
 */
export interface WorkerDeps extends BotMessagesOption {
  /** The configuration, with the bot's own settings (its job types read them). */
  config: BotConfig;
  db: FirestoreFactory;
  /** The job types this worker runs. */
  jobs: JobRegistry;
  /** The notification channels the configuration enables. */
  channels: readonly EnabledChannel[];
  /** Cloud Tasks, for jobs that schedule their own next run and for the sweep. */
  tasks: TasksClientFactory;
  logger?: Logger;
  verifyIdToken?: IdTokenVerifier;
  now?: () => Date;
  beforeEffect?: RunDeps['beforeEffect'];
}

/**
 * Builds the worker as an Express-style handler fed by Cloud Tasks (at-least-once). 2xx ends
 * a task (done, or a poison body that retrying cannot fix); 503 asks for a retry.
 * `POST …/sweep` (Cloud Scheduler, same identity) finds jobs that lost their task.
 */
export function createWorkerHandler(deps: WorkerDeps) {
  const logger = deps.logger ?? createLogger();
  const verifyIdToken = deps.verifyIdToken ?? googleIdTokenVerifier();
  const now = deps.now ?? (() => new Date());
  const messages = createMessages(deps.messages);
  const { oidcAudience } = deps.config.worker;
  const serviceAccount = deps.config.tasks.serviceAccount;

  return async function worker(req: IncomingRequest, res: OutgoingResponse): Promise<void> {
    const log = logger.child(traceFields(deps.config.projectId, req.headers));
    const sweep = /\/sweep\/?$/.test(new URL(req.url ?? '/', 'http://worker').pathname);
    let task: TaskContext | undefined;
    let raw: unknown;
    try {
      requirePost(req);
      if (oidcAudience) {
        await checkIdToken(
          req,
          { audience: oidcAudience, emails: serviceAccount ? [serviceAccount] : [] },
          verifyIdToken,
        );
      }
      if (!sweep) task = parseTaskContext(req);
      raw = await readJsonBody(req, 1024 * 1024).catch((err: unknown) => {
        if (err instanceof FulfillmentError && err.code === 'invalid-argument') return POISON;
        throw err;
      });
    } catch (err) {
      rejectRequest(res, log, err, 'worker request rejected');
      return;
    }

    if (!task) {
      try {
        const report = await sweepJobs({ ...deps, db: await deps.db(), log, now });
        res.status(200).json(report);
      } catch (err) {
        log.error('sweep failed', { error: errorMessage(err) });
        sendError(res, new FulfillmentError('unavailable', 'The sweep failed; it runs again.'));
      }
      return;
    }

    const tlog = log.child({
      task: task.taskName,
      queue: task.queueName,
      retryCount: task.retryCount,
    });
    const parsed = raw === POISON ? undefined : deps.jobs.taskBody.safeParse(raw);
    if (!parsed?.success) {
      // Retrying cannot fix a body like this: acknowledge it, loudly.
      tlog.error('poison task body acknowledged without work', {
        reason: raw === POISON ? 'not JSON' : (parsed?.error.issues[0]?.message ?? 'invalid'),
      });
      res.status(200).json({ status: 'ignored', reason: 'invalid task body' });
      return;
    }
    try {
      const outcome = await processJob(
        {
          db: await deps.db(),
          jobs: deps.jobs,
          channels: deps.channels,
          tasks: deps.tasks,
          config: deps.config,
          log: tlog,
          now,
          messages,
          beforeEffect: deps.beforeEffect,
        },
        parsed.data,
      );
      if (outcome.kind === 'retry') {
        sendError(res, new FulfillmentError('unavailable', `Retry later: ${outcome.reason}.`));
      } else if (outcome.kind === 'ignored') {
        res.status(200).json({ status: 'ignored', reason: outcome.reason });
      } else {
        res.status(204).end();
      }
    } catch (err) {
      tlog.warn('job processing failed: will retry', { error: errorMessage(err) });
      sendError(res, new FulfillmentError('unavailable', 'Retry later.'));
    }
  };
}

const POISON = Symbol('poison');
