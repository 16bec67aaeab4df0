import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { lazyAsync } from '../lazy';
import type { AxiosInstance, AxiosStatic, Method } from 'axios' with {
  'resolution-mode': 'import',
};

/** The remote API answered, and said no (4xx/5xx). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly url: string,
    /** The parsed body, for callers that read API error codes. Never logged whole. */
    readonly body: unknown,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`${url} answered HTTP ${status}`);
  }
}

/** The call did not get an answer: connection failed, reset, timed out, or no time left. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly code: string,
    readonly url: string,
  ) {
    super(`${url}: ${code}`);
  }
}

export interface CallOptions {
  method?: Method;
  /** Query parameters. */
  params?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** JSON body (or a string sent as is). */
  body?: unknown;
  /** Milliseconds this call (all attempts and waits) may take: pass the budget's `forCall()`. */
  timeoutMs: number;
  /** Aborts the call (e.g. the turn's deadline signal). */
  signal?: AbortSignal;
  /** Safe to repeat? GET/HEAD/PUT/DELETE are unless said otherwise; POST only when told. */
  idempotent?: boolean;
  /** Extra attempts after the first for retryable failures (default 2). */
  retries?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string>;
  attempts: number;
}

export interface HttpClient {
  request<T = unknown>(url: string, options: CallOptions): Promise<HttpResponse<T>>;
}

export interface HttpClientOptions {
  /** First backoff step in ms (doubles per retry, full jitter). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After honoured, in ms; longer ones are not waited for. */
  maxRetryAfterMs?: number;
  random?: () => number;
  now?: () => number;
  userAgent?: string;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const MIN_ATTEMPT_MS = 50;

/**
 * An outside-HTTP client on axios with keep-alive agents. Each call is bounded by `timeoutMs`
 * across all its attempts; retries (exponential backoff with full jitter, or Retry-After on
 * 429/503) happen only for idempotent calls and retryable failures (network errors, 429, 5xx),
 * and never start when the remaining time cannot fit them. Errors are {@link ApiError} or
 * {@link NetworkError}.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const base = options.baseBackoffMs ?? 100;
  const cap = options.maxBackoffMs ?? 2000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 10_000;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  // axios is loaded on the first call: its import is ~60 ms of every cold start otherwise.
  const load = lazyAsync(() =>
    import('axios').then((m) => {
      const axios = m.default;
      const instance: AxiosInstance = axios.create({
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
        maxRedirects: 0,
        maxContentLength: 1024 * 1024,
        validateStatus: () => true,
        transitional: { clarifyTimeoutError: true },
        headers: { 'User-Agent': options.userAgent ?? 'dialogflow-fulfillment-functions' },
      });
      return { axios, instance };
    }),
  );

  return {
    async request<T>(url: string, call: CallOptions): Promise<HttpResponse<T>> {
      const method = (call.method ?? 'GET').toUpperCase() as Method;
      const idempotent = call.idempotent ?? IDEMPOTENT_METHODS.has(method);
      const retries = idempotent ? (call.retries ?? 2) : 0;
      const until = now() + call.timeoutMs;
      const { axios, instance } = await load();
      let attempt = 0;
      for (;;) {
        attempt++;
        const left = until - now();
        if (left < MIN_ATTEMPT_MS || call.signal?.aborted) throw new NetworkError('deadline', url);
        let failure: ApiError | NetworkError;
        try {
          const res = await instance.request<T>({
            url,
            method,
            params: call.params,
            headers: call.headers,
            data: call.body,
            timeout: left,
            signal: call.signal,
            responseType: 'json',
          });
          const headers = Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
          );
          if (res.status >= 200 && res.status < 300) {
            return { status: res.status, data: res.data, headers, attempts: attempt };
          }
          failure = new ApiError(
            res.status,
            url,
            res.data,
            retryAfter(headers['retry-after'], now()),
          );
        } catch (err) {
          failure = toNetworkError(axios, err, url, call.signal);
        }
        const retryable =
          failure instanceof NetworkError
            ? failure.code !== 'aborted' && failure.code !== 'deadline'
            : RETRYABLE_STATUS.has(failure.status);
        if (!retryable || attempt > retries) throw failure;
        let wait = random() * Math.min(cap, base * 2 ** (attempt - 1));
        if (failure instanceof ApiError && failure.retryAfterMs !== undefined) {
          if (failure.retryAfterMs > maxRetryAfter) throw failure;
          wait = failure.retryAfterMs;
        }
        // Never wait past the point where the next attempt could still finish.
        if (now() + wait + MIN_ATTEMPT_MS > until) throw failure;
        await sleep(wait, call.signal);
      }
    },
  };
}

function toNetworkError(
  axios: AxiosStatic,
  err: unknown,
  url: string,
  signal?: AbortSignal,
): NetworkError {
  if (signal?.aborted || axios.isCancel(err)) return new NetworkError('aborted', url);
  if (axios.isAxiosError(err)) {
    if (err.code === 'ETIMEDOUT' || err.code === 'ECONNABORTED')
      return new NetworkError('timeout', url);
    if (err.code === 'ERR_BAD_RESPONSE') return new NetworkError('bad-response', url);
    return new NetworkError(err.code ?? 'network', url);
  }
  return new NetworkError('network', url);
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date. */
export function retryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
