import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCoalescingCache } from '@dialogflow-functions/core/cache';
import {
  ApiError,
  createHttpClient,
  NetworkError,
  retryAfter,
} from '@dialogflow-functions/core/http';
import { startWeatherStandIn, type WeatherStandIn } from '../local/weather-stand-in';

describe('http client', () => {
  let api: WeatherStandIn;
  const client = createHttpClient({ baseBackoffMs: 20, maxBackoffMs: 100 });
  beforeAll(async () => {
    api = await startWeatherStandIn(0);
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
    api.intercept = undefined;
  });
  const url = () => `${api.url}/data/2.5/weather`;

  it('returns the parsed body and the attempt count', async () => {
    const res = await client.request<{ name: string }>(url(), {
      params: { q: 'Taipei' },
      timeoutMs: 2000,
    });
    expect(res.data.name).toBe('Taipei');
    expect(res.attempts).toBe(1);
  });

  it.each([429, 500, 502, 503, 504])('retries an idempotent GET after %i', async (status) => {
    api.intercept = (_u, i) => (i < 2 ? { status, body: {} } : undefined);
    const res = await client.request(url(), { params: { q: 'Taipei' }, timeoutMs: 3000 });
    expect(res.attempts).toBe(3);
    expect(api.requests).toHaveLength(3);
  });

  it('retries a network error (connection reset)', async () => {
    api.intercept = (_u, i) => (i === 0 ? 'reset' : undefined);
    const res = await client.request(url(), { params: { q: 'Taipei' }, timeoutMs: 3000 });
    expect(res.attempts).toBe(2);
  });

  it.each([400, 401, 403, 404, 409])('does not retry %i: the API said no', async (status) => {
    api.intercept = () => ({ status, body: { message: 'no' } });
    const err = await client.request(url(), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(status);
    expect((err as ApiError).body).toEqual({ message: 'no' });
    expect(api.requests).toHaveLength(1);
  });

  it('never retries a POST unless told it is idempotent', async () => {
    api.intercept = () => ({ status: 503, body: {} });
    await expect(
      client.request(url(), { method: 'POST', body: { a: 1 }, timeoutMs: 2000 }),
    ).rejects.toBeInstanceOf(ApiError);
    expect(api.requests).toHaveLength(1);
    api.requests.length = 0;
    await expect(
      client.request(url(), {
        method: 'POST',
        body: { a: 1 },
        timeoutMs: 2000,
        idempotent: true,
        retries: 1,
      }),
    ).rejects.toBeInstanceOf(ApiError);
    expect(api.requests).toHaveLength(2);
  });

  it('gives up when the time left cannot fit the wait Retry-After asks for', async () => {
    api.intercept = () => ({ status: 429, headers: { 'retry-after': '5' }, body: {} });
    // On a stopped clock, so the decision cannot depend on how fast this machine is: 1000 ms
    // left, 5 s asked for. Waiting would mean a second attempt (the clock says time is left).
    const t0 = Date.now();
    const stopped = createHttpClient({ baseBackoffMs: 20, maxBackoffMs: 100, now: () => t0 });
    const err = await stopped.request(url(), { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 5000 });
    expect(api.requests).toHaveLength(1);
  });

  it('a hanging API is a NetworkError timeout within the call budget', async () => {
    api.intercept = () => 'hang';
    const err = await client
      .request(url(), { timeoutMs: 300, retries: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('timeout');
  });

  it('an aborted signal stops the call', async () => {
    const abort = new AbortController();
    // Aborted once the API has the request (an event, not a 100 ms timer: at nice 19 beside the
    // load test the request once reached the API after the timer had fired).
    api.intercept = () => {
      abort.abort();
      return 'hang';
    };
    const err = await client
      .request(url(), { timeoutMs: 5000, signal: abort.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('aborted');
    expect(api.requests).toHaveLength(1);
  });

  it('no time left: the call is not started', async () => {
    const err = await client.request(url(), { timeoutMs: 10 }).catch((e: unknown) => e);
    expect((err as NetworkError).code).toBe('deadline');
    expect(api.requests).toHaveLength(0);
  });

  it('a refused connection is a NetworkError', async () => {
    const err = await client
      .request('http://127.0.0.1:9/', { timeoutMs: 500, retries: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNREFUSED');
  });

  it.each([
    ['3', 3000],
    ['0', 0],
    ['soon', undefined],
    [undefined, undefined],
    [new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), 10_000],
  ])('Retry-After %s → %s ms', (value, expected) => {
    expect(retryAfter(value, Date.UTC(2026, 0, 1, 0, 0, 0))).toBe(expected);
  });
});

describe('coalescing cache', () => {
  it('shares one load among concurrent gets and caches the value', async () => {
    const cache = createCoalescingCache<string>({ max: 10, ttlMs: 60_000 });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return 'v';
    };
    const results = await Promise.all([
      cache.get('k', load),
      cache.get('k', load),
      cache.get('k', load),
    ]);
    expect(results.map((r) => r.value)).toEqual(['v', 'v', 'v']);
    expect(loads).toBe(1);
    expect((await cache.get('k', load)).hit).toBe(true);
    expect(loads).toBe(1);
  });

  it('never caches a failure', async () => {
    const cache = createCoalescingCache<string>({ max: 10, ttlMs: 60_000 });
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.size).toBe(0);
    expect((await cache.get('k', async () => 'ok')).value).toBe('ok');
  });

  it('expires entries after the TTL', async () => {
    const cache = createCoalescingCache<string>({ max: 10, ttlMs: 30 });
    await cache.get('k', async () => 'a');
    await new Promise((r) => setTimeout(r, 60));
    expect((await cache.get('k', async () => 'b')).value).toBe('b');
  });
});
