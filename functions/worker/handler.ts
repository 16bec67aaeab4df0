import { checkIdToken, googleIdTokenVerifier, type IdTokenVerifier } from '../../shared/auth';
import type { Config } from '../../shared/config';
import { errorMessage, FulfillmentError } from '../../shared/errors';
import {
  header,
  readJsonBody,
  requirePost,
  sendError,
  type IncomingRequest,
  type OutgoingResponse,
} from '../../shared/http';
import type { FirestoreFactory } from '../../shared/firestore';
import { TaskBody } from '../../shared/jobs';
import { createLogger, traceFields, type Logger } from '../../shared/logger';
import type { Notifiers } from '../../shared/notify';
import { processJob, type ProcessDeps } from './process-job';

export interface WorkerDeps {
  config: Pick<Config, 'projectId' | 'worker' | 'tasks' | 'reservation'>;
  db: FirestoreFactory;
  notifiers: Notifiers;
  logger?: Logger;
  verifyIdToken?: IdTokenVerifier;
  now?: () => Date;
  beforeEffect?: ProcessDeps['beforeEffect'];
}

/** The task context Cloud Tasks sends in `X-CloudTasks-*` headers. */
export interface TaskContext {
  queueName: string;
  taskName: string;
  retryCount: number;
  executionCount: number;
  eta: string | undefined;
}

function taskContext(req: IncomingRequest): TaskContext {
  const queueName = header(req, 'x-cloudtasks-queuename');
  const taskName = header(req, 'x-cloudtasks-taskname');
  if (!queueName || !taskName) {
    throw new FulfillmentError(
      'invalid-argument',
      'Not a Cloud Tasks request: X-CloudTasks-QueueName and -TaskName are required.',
    );
  }
  const count = (name: string) => {
    const v = Number(header(req, name) ?? '0');
    return Number.isInteger(v) && v >= 0 ? v : 0;
  };
  return {
    queueName,
    taskName,
    retryCount: count('x-cloudtasks-taskretrycount'),
    executionCount: count('x-cloudtasks-taskexecutioncount'),
    eta: header(req, 'x-cloudtasks-tasketa'),
  };
}

/**
 * Builds the worker as an Express-style handler fed by Cloud Tasks (at-least-once). 2xx ends
 * a task (done, or a poison body that retrying cannot fix); 503 asks for a retry.
 */
export function createWorkerHandler(deps: WorkerDeps) {
  const logger = deps.logger ?? createLogger();
  const verifyIdToken = deps.verifyIdToken ?? googleIdTokenVerifier();
  const { oidcAudience } = deps.config.worker;
  const serviceAccount = deps.config.tasks.serviceAccount;

  return async function worker(req: IncomingRequest, res: OutgoingResponse): Promise<void> {
    const log = logger.child(traceFields(deps.config.projectId, req.headers));
    let task: TaskContext;
    let raw: unknown;
    try {
      requirePost(req, res);
      if (oidcAudience) {
        await checkIdToken(
          req,
          { audience: oidcAudience, emails: serviceAccount ? [serviceAccount] : [] },
          verifyIdToken,
        );
      }
      task = taskContext(req);
      raw = await readJsonBody(req, 1024 * 1024).catch((err: unknown) => {
        if (err instanceof FulfillmentError && err.code === 'invalid-argument') return POISON;
        throw err;
      });
    } catch (err) {
      const error =
        err instanceof FulfillmentError
          ? err
          : new FulfillmentError('internal', 'The request could not be read.');
      log.warn('worker request rejected', {
        status: error.status,
        code: error.code,
        reason: error.message,
      });
      sendError(res, error);
      return;
    }
    const tlog = log.child({
      task: task.taskName,
      queue: task.queueName,
      retryCount: task.retryCount,
    });
    const parsed = raw === POISON ? undefined : TaskBody.safeParse(raw);
    if (!parsed?.success) {
      // Retrying cannot fix a body like this: acknowledge it, loudly.
      tlog.error('poison task body acknowledged without work', {
        reason: raw === POISON ? 'not JSON' : (parsed?.error.issues[0]?.message ?? 'invalid'),
      });
      res.status(200).json({ status: 'ignored', reason: 'invalid task body' });
      return;
    }
    try {
      const db = await deps.db();
      const outcome = await processJob(
        {
          db,
          notifiers: deps.notifiers,
          slotCapacity: deps.config.reservation.slotCapacity,
          log: tlog,
          now: deps.now,
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
