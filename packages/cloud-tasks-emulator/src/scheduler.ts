import { status } from '@grpc/grpc-js';
import { systemClock, type Clock } from './clock';
import {
  backoffMs,
  retriesExhausted,
  type StoredAttempt,
  type StoredQueue,
  type StoredTask,
} from './model';

/*
 * Scheduling and dispatch: which task goes out when (schedule time, pause, the per-queue token
 * bucket and concurrency cap, RunTask), the HTTP attempt with the service's headers and
 * deadline, and what its outcome does to the task (done, retried with backoff, given up).
 */

export interface DispatchLog {
  task: string;
  queue: string;
  attempt: number;
  status: number | string;
  latencyMs: number;
  outcome: 'done' | 'retry' | 'gave-up';
  nextAttemptInMs?: number;
}

/** What the dispatcher reads and changes: the emulator's state. */
export interface DispatchState {
  readonly queues: ReadonlyMap<string, StoredQueue>;
  readonly tasks: ReadonlyMap<string, StoredTask>;
  /** False while a task's creation is not yet saved: it must not run before it is durable. */
  dispatchable(task: StoredTask): boolean;
  /** Ends a task (its name stays used). */
  removeTask(task: StoredTask): void;
  /** A task changed (attempt recorded, rescheduled): save it. */
  changed(task: StoredTask): void;
}

export interface DispatcherOptions {
  now: () => number;
  /** Timers for scheduler passes and dispatch deadlines (default: the system's). */
  clock?: Clock;
  log: (message: string, fields: Record<string, unknown>) => void;
  /** Longest sleep between scheduler passes in ms (default 250). */
  tickMs?: number;
}

export class Dispatcher {
  /** The last 1000 attempts, oldest first. */
  readonly dispatches: DispatchLog[] = [];

  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly inFlight = new Map<string, number>();
  private readonly controllers = new Set<AbortController>();
  private timer: unknown;
  private stopped = true;
  private readonly clock: Clock;

  constructor(
    private readonly state: DispatchState,
    private readonly options: DispatcherOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Stops dispatching and aborts attempts in flight (their tasks stay pending). */
  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    for (const c of this.controllers) c.abort();
    for (const t of this.state.tasks.values()) t.running = false;
  }

  /** Runs a scheduler pass soon (after a change that may make a task due). */
  kick(): void {
    if (this.stopped) return;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.tick(), 0);
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.options.now();
    const tickMs = this.options.tickMs ?? 250;
    let next = Infinity;
    const due = [...this.state.tasks.values()]
      .filter((t) => !t.running && this.state.dispatchable(t))
      .sort((a, b) => a.scheduleTimeMs - b.scheduleTimeMs);
    for (const task of due) {
      const queue = this.state.queues.get(task.queue);
      if (!queue) continue;
      if (!task.forced) {
        if (queue.state !== 'RUNNING') continue;
        if (task.scheduleTimeMs > now) {
          next = Math.min(next, task.scheduleTimeMs);
          continue;
        }
        const running = this.inFlight.get(queue.name) ?? 0;
        if (running >= queue.rateLimits.maxConcurrentDispatches) continue;
        const wait = this.takeToken(queue, now);
        if (wait > 0) {
          next = Math.min(next, now + wait);
          continue;
        }
      }
      void this.dispatch(task, queue);
    }
    const delay = Number.isFinite(next) ? Math.max(1, next - now) : tickMs;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.tick(), Math.min(delay, tickMs));
  }

  /** Token bucket per queue: 0 when a dispatch may start now, else ms until one may. */
  private takeToken(queue: StoredQueue, now: number): number {
    const rate = queue.rateLimits.maxDispatchesPerSecond;
    const burst = Math.max(1, queue.rateLimits.maxBurstSize);
    const b = this.buckets.get(queue.name) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(queue.name, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / rate) * 1000);
  }

  private async dispatch(task: StoredTask, queue: StoredQueue): Promise<void> {
    task.running = true;
    task.forced = false;
    this.inFlight.set(queue.name, (this.inFlight.get(queue.name) ?? 0) + 1);
    const attemptNo = task.dispatchCount + 1;
    const started = this.options.now();
    const attempt: StoredAttempt = { scheduleTimeMs: task.scheduleTimeMs, dispatchTimeMs: started };
    const http = task.httpRequest;
    const body = Buffer.from(http.body, 'base64');
    const headers = attemptHeaders(task, queue, body.length > 0);
    if (http.oidcToken || http.oauthToken) {
      this.options.log(
        'the service would add an Authorization header here; the emulator sends none',
        {
          task: task.name,
          kind: http.oidcToken ? 'oidc' : 'oauth',
          serviceAccount: (http.oidcToken ?? http.oauthToken)?.serviceAccountEmail,
          ...(http.oidcToken ? { audience: http.oidcToken.audience || http.url } : {}),
        },
      );
    }

    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = this.clock.setTimeout(() => controller.abort(), task.dispatchDeadlineMs);
    let httpStatus: number | undefined;
    let reason: string | undefined;
    try {
      const res = await fetch(http.url, {
        method: http.httpMethod,
        headers,
        body: body.length > 0 ? body : undefined,
        signal: controller.signal,
        redirect: 'manual',
      });
      httpStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      reason = controller.signal.aborted ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE';
    } finally {
      this.clock.clearTimeout(timer);
      this.controllers.delete(controller);
      this.inFlight.set(queue.name, Math.max(0, (this.inFlight.get(queue.name) ?? 1) - 1));
    }
    if (this.stopped) {
      task.running = false;
      return;
    }
    const ended = this.options.now();
    attempt.responseTimeMs = ended;
    attempt.httpStatus = httpStatus;
    attempt.code =
      httpStatus === undefined
        ? reason === 'DEADLINE_EXCEEDED'
          ? status.DEADLINE_EXCEEDED
          : status.UNAVAILABLE
        : httpToCode(httpStatus);
    attempt.message = httpStatus === undefined ? reason : `HTTP ${httpStatus}`;
    task.dispatchCount = attemptNo;
    if (httpStatus !== undefined) task.responseCount++;
    if (httpStatus !== undefined && httpStatus < 500) task.executionCount++;
    task.firstAttempt ??= attempt;
    task.lastAttempt = attempt;
    task.running = false;

    const entry: DispatchLog = {
      task: task.name,
      queue: queue.name,
      attempt: attemptNo,
      status: httpStatus ?? reason ?? 'error',
      latencyMs: ended - started,
      outcome: 'done',
    };
    if (!this.state.tasks.has(task.name)) {
      // Deleted or purged while in flight.
    } else if (httpStatus !== undefined && httpStatus >= 200 && httpStatus < 300) {
      this.state.removeTask(task);
    } else {
      const current = this.state.queues.get(task.queue)?.retryConfig ?? queue.retryConfig;
      const age = ended - (task.firstAttempt?.dispatchTimeMs ?? ended);
      if (retriesExhausted(current, attemptNo, age)) {
        entry.outcome = 'gave-up';
        this.state.removeTask(task);
      } else {
        const wait = backoffMs(current, attemptNo);
        task.scheduleTimeMs = ended + wait;
        task.lastRetryReason = httpStatus !== undefined ? 'HTTP_ERROR' : reason;
        entry.outcome = 'retry';
        entry.nextAttemptInMs = wait;
      }
    }
    this.dispatches.push(entry);
    if (this.dispatches.length > 1000) this.dispatches.splice(0, this.dispatches.length - 1000);
    this.options.log('dispatch', { ...entry });
    if (this.state.tasks.has(task.name)) this.state.changed(task);
    this.kick();
  }
}

/** The headers of one attempt: the task's own plus the ones the service adds. */
function attemptHeaders(
  task: StoredTask,
  queue: StoredQueue,
  hasBody: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(task.httpRequest.headers)) headers[k.toLowerCase()] = v;
  if (hasBody && !headers['content-type']) headers['content-type'] = 'application/octet-stream';
  headers['user-agent'] = 'Google-Cloud-Tasks';
  headers['x-cloudtasks-queuename'] = queue.name.split('/').pop() ?? '';
  headers['x-cloudtasks-taskname'] = task.name.split('/').pop() ?? '';
  headers['x-cloudtasks-taskretrycount'] = String(task.dispatchCount);
  headers['x-cloudtasks-taskexecutioncount'] = String(task.executionCount);
  headers['x-cloudtasks-tasketa'] = (task.scheduleTimeMs / 1000).toFixed(6);
  if (task.dispatchCount > 0) {
    if (task.lastAttempt?.httpStatus !== undefined) {
      headers['x-cloudtasks-taskpreviousresponse'] = String(task.lastAttempt.httpStatus);
    }
    if (task.lastRetryReason) headers['x-cloudtasks-taskretryreason'] = task.lastRetryReason;
  }
  return headers;
}

/** google.rpc.Code for an HTTP status, as the service records it on the attempt. */
export function httpToCode(httpStatus: number): number {
  if (httpStatus >= 200 && httpStatus < 300) return status.OK;
  const map: Record<number, number> = {
    400: status.INVALID_ARGUMENT,
    401: status.UNAUTHENTICATED,
    403: status.PERMISSION_DENIED,
    404: status.NOT_FOUND,
    409: status.ABORTED,
    429: status.RESOURCE_EXHAUSTED,
    499: status.CANCELLED,
    501: status.UNIMPLEMENTED,
    503: status.UNAVAILABLE,
    504: status.DEADLINE_EXCEEDED,
  };
  return map[httpStatus] ?? (httpStatus >= 500 ? status.INTERNAL : status.FAILED_PRECONDITION);
}
