import { LRUCache } from 'lru-cache';

/**
 * An LRU cache with a TTL that also coalesces: concurrent `get`s of a key that is not cached
 * share one `load`. Failures are never cached (the next `get` tries again).
 */
export interface CoalescingCache<V extends NonNullable<unknown>> {
  get(key: string, load: () => Promise<V>): Promise<{ value: V; hit: boolean }>;
  /** Number of cached entries. */
  readonly size: number;
  clear(): void;
}

export function createCoalescingCache<V extends NonNullable<unknown>>(options: {
  max: number;
  ttlMs: number;
}): CoalescingCache<V> {
  const cache = new LRUCache<string, V>({ max: options.max, ttl: options.ttlMs });
  const inFlight = new Map<string, Promise<V>>();
  return {
    async get(key, load) {
      const cached = cache.get(key);
      if (cached !== undefined) return { value: cached, hit: true };
      let pending = inFlight.get(key);
      const joined = pending !== undefined;
      if (!pending) {
        pending = load().then(
          (value) => {
            cache.set(key, value);
            inFlight.delete(key);
            return value;
          },
          (err: unknown) => {
            inFlight.delete(key);
            throw err;
          },
        );
        inFlight.set(key, pending);
      }
      return { value: await pending, hit: joined };
    },
    get size() {
      return cache.size;
    },
    clear() {
      cache.clear();
    },
  };
}
