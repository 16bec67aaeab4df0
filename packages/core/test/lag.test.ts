import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/*
 * The event-loop lag probe, each case on a fresh copy of its module (it keeps its window in
 * module state). Lag is made with fake timers: moving the system clock ahead while the probe's
 * timer waits makes it fire that much later than it expected, as a blocked loop would.
 */
async function freshProbe(): Promise<() => number> {
  vi.resetModules();
  return (await import('../src/deadline/lag.js')).eventLoopLagMs;
}

describe('eventLoopLagMs', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts one 50 ms probe on first use and reports no lag while timers are on time', async () => {
    const lag = await freshProbe();
    expect(vi.getTimerCount()).toBe(0);
    expect(lag()).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
    expect(lag()).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(vi.getTimerCount()).toBe(1);
    expect(lag()).toBe(0);
  });

  it('reports how late the probe fired, for the window and the next one', async () => {
    const lag = await freshProbe();
    const start = Date.now();
    lag();
    await vi.advanceTimersByTimeAsync(100); // probes at +50, +100, on time
    vi.setSystemTime(Date.now() + 300); // the loop blocked for 300 ms
    await vi.advanceTimersByTimeAsync(50); // the probe due at +150 fires at +450
    expect(Date.now() - start).toBe(450);
    expect(lag()).toBe(300);
    vi.setSystemTime(Date.now() + 120);
    await vi.advanceTimersByTimeAsync(50); // a smaller delay does not lower the maximum
    expect(lag()).toBe(300);
    // Probes every 50 ms from +620: the window that began at +0 closes at the first probe
    // at or after +1000 (+1020), whose maximum is kept for one more window.
    await vi.advanceTimersByTimeAsync(1020 - 620);
    expect(Date.now() - start).toBe(1020);
    expect(lag()).toBe(300);
    await vi.advanceTimersByTimeAsync(950); // +1970: still the next window
    expect(lag()).toBe(300);
    await vi.advanceTimersByTimeAsync(50); // +2020: that window closed without lag
    expect(lag()).toBe(0);
  });

  it('closes a window at exactly 1000 ms', async () => {
    const lag = await freshProbe();
    lag();
    vi.setSystemTime(Date.now() + 200);
    await vi.advanceTimersByTimeAsync(50); // fires at +250 (lag 200); window from +0
    expect(lag()).toBe(200);
    await vi.advanceTimersByTimeAsync(750); // +1000: closes the first window
    await vi.advanceTimersByTimeAsync(1000); // +2000: closes the second, lag-free window
    expect(lag()).toBe(0);
  });
});

describe('the probe timer', () => {
  it('does not keep the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const lag = await freshProbe();
    const before = timers();
    lag();
    expect(timers()).toBe(before);
  });
});

describe('a fake clock installed after the probe started', () => {
  /** Real time, while the test's fake clock is installed. */
  const realSetTimeout = globalThis.setTimeout;
  const sleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gets none of its timers: the probe keeps the timer function it started with', async () => {
    const lag = await freshProbe();
    lag(); // started on the real clock, as by another test file of the same worker
    vi.useFakeTimers();
    // Real time passes: the probe fires (every 50 ms) and sets its next timer meanwhile.
    await sleep(160);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not read it: the fake clock’s jumps are not lag', async () => {
    const lag = await freshProbe();
    lag(); // started on the real clock
    vi.useFakeTimers();
    for (let i = 0; i < 6; i++) {
      vi.advanceTimersByTime(5_000); // the test's clock jumps 5 s
      await sleep(60); // while the real probe fires
    }
    vi.useRealTimers();
    // Read with the fake clock, each jump would count as 5 s of lag.
    expect(lag()).toBeLessThan(2_500);
  });
});
