import { FulfillmentError } from '../errors';
import { header, type IncomingRequest } from '../http';

/** The task context Cloud Tasks sends in `X-CloudTasks-*` headers, typed. */
export interface TaskContext {
  queueName: string;
  /** The task's short id (the last part of its name). */
  taskName: string;
  /** How many times the task was retried (0 on the first attempt). */
  retryCount: number;
  /** How many times it got a response (not counting deliveries that failed to connect). */
  executionCount: number;
  /** When the task was scheduled to run. */
  eta: Date | undefined;
  /** On retries: the HTTP status of the previous attempt and why it was retried. */
  previousResponse: number | undefined;
  retryReason: string | undefined;
}

const bad = (message: string) => new FulfillmentError('invalid-argument', message);

function count(req: IncomingRequest, name: string): number {
  const value = header(req, name);
  if (value === undefined) return 0;
  if (!/^\d{1,9}$/.test(value.trim())) throw bad(`${name} must be a non-negative integer.`);
  return Number(value.trim());
}

/**
 * Parses the `X-CloudTasks-*` headers strictly: QueueName and TaskName are required; the counts
 * must be non-negative integers and the ETA seconds since the epoch. A malformed header is a 400.
 */
export function parseTaskContext(req: IncomingRequest): TaskContext {
  const queueName = header(req, 'x-cloudtasks-queuename');
  const taskName = header(req, 'x-cloudtasks-taskname');
  if (!queueName || !taskName) {
    throw bad('Not a Cloud Tasks request: X-CloudTasks-QueueName and -TaskName are required.');
  }
  if (!/^[A-Za-z0-9_-]{1,500}$/.test(queueName) || !/^[A-Za-z0-9_-]{1,500}$/.test(taskName)) {
    throw bad('X-CloudTasks-QueueName and -TaskName must be queue and task ids.');
  }
  const etaHeader = header(req, 'x-cloudtasks-tasketa');
  let eta: Date | undefined;
  if (etaHeader !== undefined) {
    if (!/^\d{1,12}(\.\d{1,9})?$/.test(etaHeader.trim())) {
      throw bad('X-CloudTasks-TaskETA must be seconds since the epoch.');
    }
    eta = new Date(Math.round(Number(etaHeader.trim()) * 1000));
  }
  const previous = header(req, 'x-cloudtasks-taskpreviousresponse');
  if (previous !== undefined && !/^\d{1,3}$/.test(previous.trim())) {
    throw bad('X-CloudTasks-TaskPreviousResponse must be an HTTP status.');
  }
  return {
    queueName,
    taskName,
    retryCount: count(req, 'x-cloudtasks-taskretrycount'),
    executionCount: count(req, 'x-cloudtasks-taskexecutioncount'),
    eta,
    previousResponse: previous === undefined ? undefined : Number(previous.trim()),
    retryReason: header(req, 'x-cloudtasks-taskretryreason'),
  };
}
