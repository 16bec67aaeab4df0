import { status } from '@grpc/grpc-js';

/*
 * The emulator's state: queues and tasks in the shapes of google.cloud.tasks.v2, with times as
 * epoch milliseconds. Everything here is plain data so it can be saved as JSON (--data-dir).
 */

export type QueueState = 'RUNNING' | 'PAUSED';

export interface RetryConfig {
  /** -1: unlimited. */
  maxAttempts: number;
  /** 0: unlimited. */
  maxRetryDurationMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  maxDoublings: number;
}

export interface RateLimits {
  maxDispatchesPerSecond: number;
  maxBurstSize: number;
  maxConcurrentDispatches: number;
}

export interface StoredQueue {
  name: string;
  state: QueueState;
  retryConfig: RetryConfig;
  rateLimits: RateLimits;
  purgeTimeMs?: number;
}

export interface StoredAttempt {
  scheduleTimeMs: number;
  dispatchTimeMs: number;
  responseTimeMs?: number;
  /** HTTP status, or undefined when no response came (connection error, deadline). */
  httpStatus?: number;
  /** google.rpc.Status code for the attempt. */
  code?: number;
  message?: string;
}

export interface StoredHttpRequest {
  url: string;
  httpMethod: string;
  headers: Record<string, string>;
  /** base64 */
  body: string;
  oidcToken?: { serviceAccountEmail: string; audience: string };
  oauthToken?: { serviceAccountEmail: string; scope: string };
}

export interface StoredTask {
  name: string;
  queue: string;
  httpRequest: StoredHttpRequest;
  scheduleTimeMs: number;
  createTimeMs: number;
  dispatchDeadlineMs: number;
  dispatchCount: number;
  responseCount: number;
  /** Attempts that got an answer other than 5xx (X-CloudTasks-TaskExecutionCount). */
  executionCount: number;
  firstAttempt?: StoredAttempt;
  lastAttempt?: StoredAttempt;
  /** Set while an attempt is in flight. */
  running?: boolean;
  /** Set by RunTask: dispatch now, even when paused or rate limited. */
  forced?: boolean;
  lastRetryReason?: string;
}

export const DEFAULT_RETRY: RetryConfig = {
  maxAttempts: 100,
  maxRetryDurationMs: 0,
  minBackoffMs: 100,
  maxBackoffMs: 3_600_000,
  maxDoublings: 16,
};

export const DEFAULT_RATE: RateLimits = {
  maxDispatchesPerSecond: 500,
  maxBurstSize: 100,
  maxConcurrentDispatches: 1000,
};

/** The service's limits. */
export const LIMITS = {
  taskBytes: 100 * 1024,
  minDispatchDeadlineMs: 15_000,
  maxDispatchDeadlineMs: 30 * 60_000,
  defaultDispatchDeadlineMs: 10 * 60_000,
  nameReuseMs: 60 * 60_000,
  maxDispatchesPerSecond: 500,
  maxConcurrentDispatches: 5000,
  maxScheduleAheadMs: 30 * 24 * 3600_000,
};

/** An error the gRPC layer returns with its status code. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export const QUEUE_NAME =
  /^projects\/([A-Za-z0-9.:-]+)\/locations\/([A-Za-z0-9-]+)\/queues\/([A-Za-z0-9-]{1,100})$/;
export const LOCATION_NAME = /^projects\/([A-Za-z0-9.:-]+)\/locations\/([A-Za-z0-9-]+)$/;
export const TASK_NAME =
  /^(projects\/[A-Za-z0-9.:-]+\/locations\/[A-Za-z0-9-]+\/queues\/[A-Za-z0-9-]{1,100})\/tasks\/([A-Za-z0-9_-]{1,500})$/;

/** Backoff before retry number `retry` (1 = the first retry), as the service computes it. */
export function backoffMs(config: RetryConfig, retry: number): number {
  const { minBackoffMs: min, maxBackoffMs: max, maxDoublings: d } = config;
  const k = Math.max(1, retry);
  const interval = k - 1 <= d ? min * 2 ** (k - 1) : min * 2 ** d * (k - d);
  return Math.min(max, interval);
}

/** True when a failed task must not be retried again. */
export function retriesExhausted(config: RetryConfig, attempts: number, ageMs: number): boolean {
  const attemptsLimited = config.maxAttempts !== -1;
  const durationLimited = config.maxRetryDurationMs > 0;
  const attemptsReached = attemptsLimited && attempts >= config.maxAttempts;
  const durationReached = durationLimited && ageMs >= config.maxRetryDurationMs;
  // With both limits set, the service retries until both are reached.
  if (attemptsLimited && durationLimited) return attemptsReached && durationReached;
  return attemptsReached || durationReached;
}
