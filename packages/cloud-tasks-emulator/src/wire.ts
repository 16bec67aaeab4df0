import { status } from '@grpc/grpc-js';
import {
  DEFAULT_RATE,
  DEFAULT_RETRY,
  LIMITS,
  RpcError,
  type RateLimits,
  type RetryConfig,
  type StoredAttempt,
  type StoredQueue,
  type StoredTask,
} from './model';

/* Conversions between proto-loader objects (longs as strings, enums as names) and the model. */

/** A message as proto-loader decodes it. */
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function timeToMs(t: unknown): number | undefined {
  if (!isObj(t)) return undefined;
  const seconds = Number(t.seconds ?? 0);
  const nanos = Number(t.nanos ?? 0);
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return undefined;
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

export function msToTime(ms: number): { seconds: string; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1e6 };
}

export const durationToMs = timeToMs;
export const msToDuration = msToTime;

const invalid = (message: string) => new RpcError(status.INVALID_ARGUMENT, message);

/** Applies a RetryConfig message (only the fields present) onto `base`, validating it. */
export function retryConfigFrom(input: unknown, base: RetryConfig = DEFAULT_RETRY): RetryConfig {
  const out = { ...base };
  if (!isObj(input)) return out;
  // proto3 cannot tell 0 from unset: 0 keeps the default, as the service does.
  if (input.maxAttempts !== undefined && Number(input.maxAttempts) !== 0) {
    out.maxAttempts = Number(input.maxAttempts);
  }
  if (input.maxRetryDuration !== undefined)
    out.maxRetryDurationMs = durationToMs(input.maxRetryDuration) ?? 0;
  if (input.minBackoff !== undefined)
    out.minBackoffMs = durationToMs(input.minBackoff) ?? out.minBackoffMs;
  if (input.maxBackoff !== undefined)
    out.maxBackoffMs = durationToMs(input.maxBackoff) ?? out.maxBackoffMs;
  if (input.maxDoublings !== undefined) out.maxDoublings = Number(input.maxDoublings);
  validateRetry(out);
  return out;
}

export function validateRetry(r: RetryConfig): void {
  if (!Number.isInteger(r.maxAttempts) || r.maxAttempts < -1 || r.maxAttempts === 0) {
    throw invalid('retry_config.max_attempts must be -1 (unlimited) or positive');
  }
  if (r.maxRetryDurationMs < 0)
    throw invalid('retry_config.max_retry_duration must not be negative');
  if (r.minBackoffMs < 0 || r.maxBackoffMs < 0)
    throw invalid('retry_config backoffs must not be negative');
  if (r.minBackoffMs > r.maxBackoffMs) {
    throw invalid(
      'retry_config.min_backoff must be less than or equal to retry_config.max_backoff',
    );
  }
  if (!Number.isInteger(r.maxDoublings) || r.maxDoublings < 0) {
    throw invalid('retry_config.max_doublings must be a non-negative integer');
  }
}

export function rateLimitsFrom(input: unknown, base: RateLimits = DEFAULT_RATE): RateLimits {
  const out = { ...base };
  if (!isObj(input)) return out;
  if (input.maxDispatchesPerSecond !== undefined) {
    out.maxDispatchesPerSecond = Number(input.maxDispatchesPerSecond);
    // max_burst_size is output only: the service picks it from the rate (here: one second's worth).
    out.maxBurstSize = Math.max(1, Math.min(100, Math.ceil(out.maxDispatchesPerSecond)));
  }
  if (input.maxConcurrentDispatches !== undefined)
    out.maxConcurrentDispatches = Number(input.maxConcurrentDispatches);
  validateRate(out);
  return out;
}

export function validateRate(r: RateLimits): void {
  if (!(r.maxDispatchesPerSecond > 0) || r.maxDispatchesPerSecond > LIMITS.maxDispatchesPerSecond) {
    throw invalid(
      `rate_limits.max_dispatches_per_second must be in (0, ${LIMITS.maxDispatchesPerSecond}]`,
    );
  }
  if (
    !Number.isInteger(r.maxConcurrentDispatches) ||
    r.maxConcurrentDispatches < 1 ||
    r.maxConcurrentDispatches > LIMITS.maxConcurrentDispatches
  ) {
    throw invalid(
      `rate_limits.max_concurrent_dispatches must be in [1, ${LIMITS.maxConcurrentDispatches}]`,
    );
  }
}

export function queueToProto(q: StoredQueue): Obj {
  const r = q.retryConfig;
  return {
    name: q.name,
    state: q.state,
    rateLimits: { ...q.rateLimits },
    retryConfig: {
      maxAttempts: r.maxAttempts,
      maxRetryDuration: msToDuration(r.maxRetryDurationMs),
      minBackoff: msToDuration(r.minBackoffMs),
      maxBackoff: msToDuration(r.maxBackoffMs),
      maxDoublings: r.maxDoublings,
    },
    ...(q.purgeTimeMs !== undefined ? { purgeTime: msToTime(q.purgeTimeMs) } : {}),
  };
}

function attemptToProto(a: StoredAttempt | undefined): Obj | undefined {
  if (!a) return undefined;
  return {
    scheduleTime: msToTime(a.scheduleTimeMs),
    dispatchTime: msToTime(a.dispatchTimeMs),
    ...(a.responseTimeMs !== undefined ? { responseTime: msToTime(a.responseTimeMs) } : {}),
    ...(a.code !== undefined ? { responseStatus: { code: a.code, message: a.message ?? '' } } : {}),
  };
}

/** A task as the API returns it; BASIC view leaves out the body. */
export function taskToProto(t: StoredTask, view: string | undefined): Obj {
  const full = view === 'FULL';
  const http = t.httpRequest;
  return {
    name: t.name,
    httpRequest: {
      url: http.url,
      httpMethod: http.httpMethod,
      headers: { ...http.headers },
      ...(full ? { body: Buffer.from(http.body, 'base64') } : {}),
      ...(http.oidcToken ? { oidcToken: { ...http.oidcToken } } : {}),
      ...(http.oauthToken ? { oauthToken: { ...http.oauthToken } } : {}),
    },
    scheduleTime: msToTime(t.scheduleTimeMs),
    createTime: msToTime(t.createTimeMs),
    dispatchDeadline: msToDuration(t.dispatchDeadlineMs),
    dispatchCount: t.dispatchCount,
    responseCount: t.responseCount,
    ...(t.firstAttempt ? { firstAttempt: attemptToProto(t.firstAttempt) } : {}),
    ...(t.lastAttempt ? { lastAttempt: attemptToProto(t.lastAttempt) } : {}),
    view: full ? 'FULL' : 'BASIC',
  };
}
