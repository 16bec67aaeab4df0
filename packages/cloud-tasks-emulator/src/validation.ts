import { status } from '@grpc/grpc-js';
import {
  DEFAULT_RATE,
  DEFAULT_RETRY,
  LIMITS,
  LOCATION_NAME,
  QUEUE_NAME,
  RpcError,
  TASK_NAME,
  type StoredQueue,
  type StoredTask,
} from './model';
import { durationToMs, isObj, rateLimitsFrom, retryConfigFrom, timeToMs, type Obj } from './wire';

/*
 * What the service checks before it changes anything: names, queue settings, update masks,
 * tasks (URL, method, body, tokens, size, schedule, deadline), page tokens. Every function
 * here is pure: it reads a request and returns the value to store, or throws the RpcError the
 * service would answer with.
 */

const HTTP_METHODS = ['POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const UPDATABLE_QUEUE_FIELDS = [
  'retry_config',
  'rate_limits',
  'state',
  'stackdriver_logging_config',
  'app_engine_routing_override',
];

export function invalidArg(message: string): RpcError {
  return new RpcError(status.INVALID_ARGUMENT, message);
}

/** `projects/P/locations/L`, or INVALID_ARGUMENT naming `field`. */
export function locationName(value: unknown, field = 'parent'): string {
  const name = String(value ?? '');
  if (!LOCATION_NAME.test(name))
    throw invalidArg(`${field} must be projects/*/locations/*, got "${name}"`);
  return name;
}

/** `projects/P/locations/L/queues/Q`, or INVALID_ARGUMENT naming `field`. */
export function queueName(value: unknown, field = 'name'): string {
  const name = String(value ?? '');
  if (!QUEUE_NAME.test(name))
    throw invalidArg(`${field} must be projects/*/locations/*/queues/*, got "${name}"`);
  return name;
}

/** `projects/P/locations/L/queues/Q/tasks/T`, or INVALID_ARGUMENT. */
export function taskName(value: unknown): string {
  const name = String(value ?? '');
  if (!TASK_NAME.test(name))
    throw invalidArg(`name must be projects/*/locations/*/queues/*/tasks/*, got "${name}"`);
  return name;
}

/** The queue a CreateQueue request asks for (existence is the caller's check). */
export function newQueue(req: Obj): StoredQueue {
  const parent = locationName(req.parent);
  const input = isObj(req.queue) ? req.queue : {};
  const name = String(input.name ?? '');
  if (!QUEUE_NAME.test(name)) {
    throw invalidArg(
      `queue.name must be ${parent}/queues/QUEUE_ID (letters, digits, hyphens; 1-100), got "${name}"`,
    );
  }
  if (!name.startsWith(`${parent}/queues/`))
    throw invalidArg(`queue.name "${name}" is not in parent "${parent}"`);
  return {
    name,
    state: input.state === 'PAUSED' ? 'PAUSED' : 'RUNNING',
    retryConfig: retryConfigFrom(input.retryConfig, DEFAULT_RETRY),
    rateLimits: rateLimitsFrom(input.rateLimits, DEFAULT_RATE),
  };
}

/**
 * The queue after an UpdateQueue request: `existing` (or, as the service does, a new queue
 * with the defaults) with the fields of `req.queue` that `req.updateMask` names (all the
 * fields present when there is no mask).
 */
export function updatedQueue(req: Obj, existing: StoredQueue | undefined): StoredQueue {
  const input = isObj(req.queue) ? req.queue : {};
  const name = queueName(input.name, 'queue.name');
  const queue: StoredQueue = existing
    ? structuredClone(existing)
    : {
        name,
        state: 'RUNNING',
        retryConfig: { ...DEFAULT_RETRY },
        rateLimits: { ...DEFAULT_RATE },
      };
  const paths = maskPaths(req.updateMask);
  for (const p of paths ?? []) {
    if (!UPDATABLE_QUEUE_FIELDS.includes(p.split('.')[0] ?? ''))
      throw invalidArg(`update_mask path "${p}" cannot be updated`);
  }
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
  if (wants('retryConfig'))
    queue.retryConfig = retryConfigFrom(
      subset('retryConfig', input.retryConfig),
      queue.retryConfig,
    );
  if (wants('rateLimits'))
    queue.rateLimits = rateLimitsFrom(subset('rateLimits', input.rateLimits), queue.rateLimits);
  return queue;
}

/** CreateTask's parent: a well-formed queue name (existence is the caller's check). */
export function taskParent(req: Obj): string {
  return queueName(req.parent, 'parent');
}

/** CreateTask's `task`, checked for what must come before the name checks. */
export function taskInput(req: Obj): Obj & { httpRequest: Obj } {
  const input = isObj(req.task) ? req.task : {};
  if (input.appEngineHttpRequest !== undefined) {
    throw invalidArg('App Engine tasks are not supported by this emulator; use http_request');
  }
  if (!isObj(input.httpRequest)) throw invalidArg('task.http_request is required');
  return input as Obj & { httpRequest: Obj };
}

/** The name a CreateTask request gives its task, or undefined to have one generated. */
export function givenTaskName(input: Obj, parent: string): string | undefined {
  const name = String(input.name ?? '');
  if (!name) return undefined;
  const m = name.match(TASK_NAME);
  if (!m)
    throw invalidArg(
      `task.name must be ${parent}/tasks/TASK_ID (letters, digits, _ and -; 1-500), got "${name}"`,
    );
  if (m[1] !== parent) throw invalidArg(`task.name "${name}" is not in queue "${parent}"`);
  return name;
}

/** The task to store for a CreateTask request whose parent and name have been checked. */
export function newTask(
  input: Obj & { httpRequest: Obj },
  parent: string,
  name: string,
  now: number,
): StoredTask {
  const http = input.httpRequest;
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

  return {
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
}

/** One page of `all` for a List request (`pageSize` up to 1000, `pageToken` an offset). */
export function page<T>(all: T[], req: Obj, key: string): Obj {
  const size = Number(req.pageSize ?? 0) > 0 ? Math.min(1000, Number(req.pageSize)) : 1000;
  const token = String(req.pageToken ?? '');
  const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidArg('page_token is not valid');
  const slice = all.slice(start, start + size);
  const next =
    start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : '';
  return { [key]: slice, nextPageToken: next };
}

function maskPaths(mask: unknown): string[] | undefined {
  if (!isObj(mask) || !Array.isArray(mask.paths) || mask.paths.length === 0) return undefined;
  return mask.paths.map(String);
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
