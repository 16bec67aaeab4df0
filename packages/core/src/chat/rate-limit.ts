import { LRUCache } from 'lru-cache';

/*
 * Token buckets in this instance's memory, one per key (a session, a client address). A bucket
 * holds up to `burst` requests and refills at `perSecond`. Per instance: each Cloud Functions
 * instance counts on its own, so with N instances a client can get up to N times the rate (see
 * docs/chat.md). The LRU bounds the memory a flood of new keys can take.
 */

export interface RateLimit {
  /** Requests a key may make at once. */
  burst: number;
  /** Requests per second a key gets back. */
  perSecond: number;
}

/** What a request costs: allowed, or refused with when to try again. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    maxKeys = 10_000,
  ) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0)) {
      throw new RangeError('a rate limit needs burst >= 1 and perSecond > 0');
    }
    this.buckets = new LRUCache({ max: maxKeys });
  }

  /** Whether `key` may make a request now; if so, it is counted. */
  take(key: string): RateDecision {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    const tokens = Math.min(
      this.limit.burst,
      b.tokens + ((now - b.at) / 1000) * this.limit.perSecond,
    );
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return { ok: true };
    }
    this.buckets.set(key, { tokens, at: now });
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.limit.perSecond)),
    };
  }
}
