import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import {
  backoffMs,
  DEFAULT_RATE,
  DEFAULT_RETRY,
  LIMITS,
  LOCATION_NAME,
  QUEUE_NAME,
  retriesExhausted,
  RpcError,
  TASK_NAME,
  type StoredAttempt,
  type StoredQueue,
  type StoredTask,
} from './model';
import { durationToMs, isObj, rateLimitsFrom, retryConfigFrom, timeToMs, type Obj } from './wire';

export interface DispatchLog {
  task: string;
  queue: string;
  attempt: number;
  status: number | string;
  latencyMs: number;
  outcome: 'done' | 'retry' | 'gave-up';
  nextAttemptInMs?: number;
}

export interface EmulatorOptions {
  dataDir?: string;
  /** One line per dispatch and per notable event. */
  log?: (message: string, fields: Record<string, unknown>) => void;
  now?: () => number;
  /** Scheduler tick in ms (default 10). */
  tickMs?: number;
}

const HTTP_METHODS = ['POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * The Cloud Tasks v2 service for HTTP targets, in memory (optionally saved to a data dir):
 * queue and task RPCs with the service's validation and error codes, and a dispatcher that
 * delivers tasks at their schedule time with the service's headers, retry/backoff, rate limits
 * and pause semantics.
 */
export class TasksEmulator {
  readonly queues = new Map<string, StoredQueue>();
  readonly tasks = new Map<string, StoredTask>();
  /** Task names that cannot be reused until the given time (ms). */
  readonly tombstones = new Map<string, number>();
  readonly dispatches: DispatchLog[] = [];

  private readonly now: () => number;
  private readonly log: NonNullable<EmulatorOptions['log']>;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly inFlight = new Map<string, number>();
  private readonly controllers = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: EmulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    if (options.dataDir) this.load(options.dataDir);
  }

  // ---------------------------------------------------------------- queues

  listQueues(req: Obj): Obj {
    const parent = String(req.parent ?? '');
    if (!LOCATION_NAME.test(parent))
      throw invalidArg(`parent must be projects/*/locations/*, got "${parent}"`);
    const all = [...this.queues.values()].filter((q) => q.name.startsWith(`${parent}/queues/`));
    return page(all, req, 'queues', (q) => q);
  }

  getQueue(req: Obj): StoredQueue {
    return this.requireQueue(String(req.name ?? ''));
  }

  createQueue(req: Obj): StoredQueue {
    const parent = String(req.parent ?? '');
    if (!LOCATION_NAME.test(parent))
      throw invalidArg(`parent must be projects/*/locations/*, got "${parent}"`);
    const input = isObj(req.queue) ? req.queue : {};
    const name = String(input.name ?? '');
    if (!QUEUE_NAME.test(name)) {
      throw invalidArg(
        `queue.name must be ${parent}/queues/QUEUE_ID (letters, digits, hyphens; 1-100), got "${name}"`,
      );
    }
    if (!name.startsWith(`${parent}/queues/`))
      throw invalidArg(`queue.name "${name}" is not in parent "${parent}"`);
    if (this.queues.has(name))
      throw new RpcError(status.ALREADY_EXISTS, `Queue ${name} already exists`);
    const queue: StoredQueue = {
      name,
      state: input.state === 'PAUSED' ? 'PAUSED' : 'RUNNING',
      retryConfig: retryConfigFrom(input.retryConfig, DEFAULT_RETRY),
      rateLimits: rateLimitsFrom(input.rateLimits, DEFAULT_RATE),
    };
    this.queues.set(name, queue);
    this.changed();
    return queue;
  }

  updateQueue(req: Obj): StoredQueue {
    const input = isObj(req.queue) ? req.queue : {};
    const name = String(input.name ?? '');
    if (!QUEUE_NAME.test(name))
      throw invalidArg(`queue.name must be projects/*/locations/*/queues/*, got "${name}"`);
    const existing = this.queues.get(name);
    // As the service does, UpdateQueue creates a queue that does not exist.
    const queue: StoredQueue = existing
      ? structuredClone(existing)
      : {
          name,
          state: 'RUNNING',
          retryConfig: { ...DEFAULT_RETRY },
          rateLimits: { ...DEFAULT_RATE },
        };
    const paths = maskPaths(req.updateMask);
    const wants = (field: string) =>
      paths === undefined
        ? input[field] !== undefined
        : paths.some((p) => p === snake(field) || p.startsWith(`${snake(field)}.`));
    const subset = (field: string, value: unknown): Obj | undefined => {
      if (!isObj(value)) return undefined;
      if (paths === undefined || paths.includes(snake(field))) return value;
      const out: Obj = {};
      for (const p of paths) {
        const [head, sub] = p.split('.');
        if (head === snake(field) && sub) out[camel(sub)] = value[camel(sub)];
      }
      return out;
    };
    for (const p of paths ?? []) {
      const head = p.split('.')[0];
      if (
        ![
          'retry_config',
          'rate_limits',
          'state',
          'stackdriver_logging_config',
          'app_engine_routing_override',
        ].includes(head ?? '')
      ) {
        throw invalidArg(`update_mask path "${p}" cannot be updated`);
      }
    }
    if (wants('retryConfig'))
      queue.retryConfig = retryConfigFrom(
        subset('retryConfig', input.retryConfig),
        queue.retryConfig,
      );
    if (wants('rateLimits'))
      queue.rateLimits = rateLimitsFrom(subset('rateLimits', input.rateLimits), queue.rateLimits);
    this.queues.set(name, queue);
    this.changed();
    return queue;
  }

  deleteQueue(req: Obj): void {
    const queue = this.requireQueue(String(req.name ?? ''));
    for (const t of [...this.tasks.values()]) if (t.queue === queue.name) this.tasks.delete(t.name);
    this.queues.delete(queue.name);
    this.changed();
  }

  purgeQueue(req: Obj): StoredQueue {
    const queue = this.requireQueue(String(req.name ?? ''));
    for (const t of [...this.tasks.values()]) if (t.queue === queue.name) this.removeTask(t);
    queue.purgeTimeMs = this.now();
    this.changed();
    return queue;
  }

  setQueueState(req: Obj, state: 'RUNNING' | 'PAUSED'): StoredQueue {
    const queue = this.requireQueue(String(req.name ?? ''));
    queue.state = state;
    this.changed();
    this.kick();
    return queue;
  }

  // ----------------------------------------------------------------- tasks

  listTasks(req: Obj): Obj & { tasks: StoredTask[] } {
    const queue = this.requireQueue(String(req.parent ?? ''));
    const all = [...this.tasks.values()]
      .filter((t) => t.queue === queue.name)
      .sort((a, b) => a.scheduleTimeMs - b.scheduleTimeMs || a.name.localeCompare(b.name));
    return page(all, req, 'tasks', (t) => t) as Obj & { tasks: StoredTask[] };
  }

  getTask(req: Obj): StoredTask {
    return this.requireTask(String(req.name ?? ''));
  }

  createTask(req: Obj): StoredTask {
    const parent = String(req.parent ?? '');
    if (!QUEUE_NAME.test(parent))
      throw invalidArg(`parent must be projects/*/locations/*/queues/*, got "${parent}"`);
    const queue = this.queues.get(parent);
    if (!queue)
      throw new RpcError(status.NOT_FOUND, `Queue ${parent} does not exist. Create it first.`);
    const input = isObj(req.task) ? req.task : {};
    if (input.appEngineHttpRequest !== undefined) {
      throw invalidArg('App Engine tasks are not supported by this emulator; use http_request');
    }
    const http = input.httpRequest;
    if (!isObj(http)) throw invalidArg('task.http_request is required');

    let name = String(input.name ?? '');
    if (name) {
      const m = name.match(TASK_NAME);
      if (!m)
        throw invalidArg(
          `task.name must be ${parent}/tasks/TASK_ID (letters, digits, _ and -; 1-500), got "${name}"`,
        );
      if (m[1] !== parent) throw invalidArg(`task.name "${name}" is not in queue "${parent}"`);
      this.expireTombstones();
      if (this.tasks.has(name))
        throw new RpcError(status.ALREADY_EXISTS, `Task ${name} already exists`);
      if (this.tombstones.has(name)) {
        throw new RpcError(
          status.ALREADY_EXISTS,
          `Task ${name} was created recently and cannot be reused yet`,
        );
      }
    } else {
      name = `${parent}/tasks/${randomBytes(16).toString('hex')}`;
    }

    const url = String(http.url ?? '');
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(url);
    } catch {
      throw invalidArg(`http_request.url must be an absolute http(s) URL, got "${url}"`);
    }
    if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
      throw invalidArg(`http_request.url must use http or https, got "${parsedUrl.protocol}"`);
    }
    const method =
      http.httpMethod && http.httpMethod !== 'HTTP_METHOD_UNSPECIFIED'
        ? String(http.httpMethod)
        : 'POST';
    if (!HTTP_METHODS.includes(method))
      throw invalidArg(`http_request.http_method ${method} is not valid`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(isObj(http.headers) ? http.headers : {}))
      headers[k] = String(v);
    const body = http.body === undefined ? Buffer.alloc(0) : Buffer.from(http.body as Uint8Array);
    if (http.oidcToken !== undefined && http.oauthToken !== undefined) {
      throw invalidArg('only one of oidc_token and oauth_token may be set');
    }
    const oidc = isObj(http.oidcToken) ? http.oidcToken : undefined;
    const oauth = isObj(http.oauthToken) ? http.oauthToken : undefined;
    if ((oidc || oauth) && !String((oidc ?? oauth)?.serviceAccountEmail ?? '')) {
      throw invalidArg('oidc_token/oauth_token need a service_account_email');
    }

    const size =
      Buffer.byteLength(name) +
      Buffer.byteLength(url) +
      body.length +
      Object.entries(headers).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
        0,
      );
    if (size > LIMITS.taskBytes) {
      throw invalidArg(
        `Task size ${size} bytes is larger than the maximum of ${LIMITS.taskBytes} bytes`,
      );
    }

    const now = this.now();
    let scheduleTimeMs = timeToMs(input.scheduleTime) ?? now;
    if (scheduleTimeMs < now) scheduleTimeMs = now;
    if (scheduleTimeMs > now + LIMITS.maxScheduleAheadMs) {
      throw invalidArg('task.schedule_time cannot be more than 30 days in the future');
    }
    const deadline =
      input.dispatchDeadline === undefined ? undefined : durationToMs(input.dispatchDeadline);
    const dispatchDeadlineMs = deadline ?? LIMITS.defaultDispatchDeadlineMs;
    if (
      dispatchDeadlineMs < LIMITS.minDispatchDeadlineMs ||
      dispatchDeadlineMs > LIMITS.maxDispatchDeadlineMs
    ) {
      throw invalidArg('task.dispatch_deadline must be between 15 seconds and 30 minutes');
    }
    if (body.length > 0 && method !== 'POST' && method !== 'PUT' && method !== 'PATCH') {
      throw invalidArg(`a body can only be set for POST, PUT or PATCH, not ${method}`);
    }

    const task: StoredTask = {
      name,
      queue: parent,
      httpRequest: {
        url,
        httpMethod: method,
        headers,
        body: body.toString('base64'),
        ...(oidc
          ? {
              oidcToken: {
                serviceAccountEmail: String(oidc.serviceAccountEmail),
                audience: String(oidc.audience ?? ''),
              },
            }
          : {}),
        ...(oauth
          ? {
              oauthToken: {
                serviceAccountEmail: String(oauth.serviceAccountEmail),
                scope: String(oauth.scope ?? ''),
              },
            }
          : {}),
      },
      scheduleTimeMs,
      createTimeMs: now,
      dispatchDeadlineMs,
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
    };
    this.tasks.set(name, task);
    this.changed();
    this.kick();
    return task;
  }

  deleteTask(req: Obj): void {
    const task = this.requireTask(String(req.name ?? ''));
    this.removeTask(task);
    this.changed();
  }

  runTask(req: Obj): StoredTask {
    const task = this.requireTask(String(req.name ?? ''));
    if (task.running)
      throw new RpcError(status.FAILED_PRECONDITION, `Task ${task.name} is already running`);
    const snapshot = structuredClone(task);
    task.forced = true;
    this.kick();
    return snapshot;
  }

  // ------------------------------------------------------------- dispatching

  /** Starts the scheduler. */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Stops dispatching, aborts attempts in flight (they stay pending) and saves. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const c of this.controllers) c.abort();
    for (const t of this.tasks.values()) t.running = false;
    this.flush();
  }

  private kick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), 0);
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.now();
    let next = Infinity;
    const due = [...this.tasks.values()]
      .filter((t) => !t.running)
      .sort((a, b) => a.scheduleTimeMs - b.scheduleTimeMs);
    for (const task of due) {
      const queue = this.queues.get(task.queue);
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
    const delay = Number.isFinite(next) ? Math.max(1, next - now) : (this.options.tickMs ?? 250);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.min(delay, this.options.tickMs ?? 250));
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
    const started = this.now();
    const attempt: StoredAttempt = { scheduleTimeMs: task.scheduleTimeMs, dispatchTimeMs: started };
    const http = task.httpRequest;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(http.headers)) headers[k.toLowerCase()] = v;
    const body = Buffer.from(http.body, 'base64');
    if (body.length > 0 && !headers['content-type'])
      headers['content-type'] = 'application/octet-stream';
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
    if (http.oidcToken || http.oauthToken) {
      this.log('the service would add an Authorization header here; the emulator sends none', {
        task: task.name,
        kind: http.oidcToken ? 'oidc' : 'oauth',
        serviceAccount: (http.oidcToken ?? http.oauthToken)?.serviceAccountEmail,
        ...(http.oidcToken ? { audience: http.oidcToken.audience || http.url } : {}),
      });
    }

    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), task.dispatchDeadlineMs);
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
      clearTimeout(timer);
      this.controllers.delete(controller);
      this.inFlight.set(queue.name, Math.max(0, (this.inFlight.get(queue.name) ?? 1) - 1));
    }
    if (this.stopped) {
      task.running = false;
      return;
    }
    const ended = this.now();
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
    if (!this.tasks.has(task.name)) {
      // Deleted or purged while in flight.
    } else if (httpStatus !== undefined && httpStatus >= 200 && httpStatus < 300) {
      this.removeTask(task);
    } else {
      const current = this.queues.get(task.queue)?.retryConfig ?? queue.retryConfig;
      const age = ended - (task.firstAttempt?.dispatchTimeMs ?? ended);
      if (retriesExhausted(current, attemptNo, age)) {
        entry.outcome = 'gave-up';
        this.removeTask(task);
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
    this.log('dispatch', { ...entry });
    this.changed();
    this.kick();
  }

  // ---------------------------------------------------------------- helpers

  private removeTask(task: StoredTask): void {
    this.tasks.delete(task.name);
    this.tombstones.set(task.name, this.now() + LIMITS.nameReuseMs);
  }

  private expireTombstones(): void {
    const now = this.now();
    for (const [name, until] of this.tombstones) if (until <= now) this.tombstones.delete(name);
  }

  private requireQueue(name: string): StoredQueue {
    if (!QUEUE_NAME.test(name))
      throw invalidArg(`name must be projects/*/locations/*/queues/*, got "${name}"`);
    const queue = this.queues.get(name);
    if (!queue) throw new RpcError(status.NOT_FOUND, `Queue ${name} does not exist`);
    return queue;
  }

  private requireTask(name: string): StoredTask {
    if (!TASK_NAME.test(name))
      throw invalidArg(`name must be projects/*/locations/*/queues/*/tasks/*, got "${name}"`);
    const task = this.tasks.get(name);
    if (!task) throw new RpcError(status.NOT_FOUND, `Task ${name} does not exist`);
    return task;
  }

  // ------------------------------------------------------------ persistence

  private changed(): void {
    if (!this.options.dataDir || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 20);
  }

  /** Writes the state to the data dir now (atomic rename). */
  flush(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const dir = this.options.dataDir;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'tasks-emulator.json');
    const state = {
      version: 1,
      queues: [...this.queues.values()],
      tasks: [...this.tasks.values()].map((t) => ({ ...t, running: false })),
      tombstones: [...this.tombstones.entries()],
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  }

  private load(dir: string): void {
    const file = join(dir, 'tasks-emulator.json');
    if (!existsSync(file)) return;
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      queues: StoredQueue[];
      tasks: StoredTask[];
      tombstones: [string, number][];
    };
    for (const q of state.queues) this.queues.set(q.name, q);
    for (const t of state.tasks) this.tasks.set(t.name, { ...t, running: false });
    for (const [n, until] of state.tombstones) this.tombstones.set(n, until);
  }
}

function httpToCode(httpStatus: number): number {
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

function invalidArg(message: string): RpcError {
  return new RpcError(status.INVALID_ARGUMENT, message);
}

function maskPaths(mask: unknown): string[] | undefined {
  if (!isObj(mask) || !Array.isArray(mask.paths) || mask.paths.length === 0) return undefined;
  return mask.paths.map(String);
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function page<T>(all: T[], req: Obj, key: string, view: (t: T) => unknown): Obj {
  const size = Number(req.pageSize ?? 0) > 0 ? Math.min(1000, Number(req.pageSize)) : 1000;
  const token = String(req.pageToken ?? '');
  const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidArg('page_token is not valid');
  const slice = all.slice(start, start + size);
  const next =
    start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : '';
  return { [key]: slice.map(view), nextPageToken: next };
}
