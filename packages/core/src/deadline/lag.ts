/**
 * How late the event loop runs right now: the longest delay a 50 ms probe timer saw over the
 * last second or so. Under CPU saturation a timer set for the deadline fires that much late and
 * a request waits about that long before its handler starts, so the webhook answers earlier by
 * it. The probe starts with the first call and never keeps the process alive.
 */
const PROBE_MS = 50;
const WINDOW_MS = 1000;

let started = false;
let windowStart = 0;
let currentMax = 0;
let previousMax = 0;
/**
 * The timer function and the clock the probe started with, kept together: a fake clock
 * installed later in the same process (a test's) neither takes over the probe (a timer added to
 * that test's clock) nor is read by it (the fake clock's jumps measured as lag).
 */
let schedule: typeof setTimeout = setTimeout;
let clock: () => number = Date.now;

function probe(expected: number): void {
  const timer = schedule(() => {
    const now = clock();
    currentMax = Math.max(currentMax, now - expected);
    if (now - windowStart >= WINDOW_MS) {
      previousMax = currentMax;
      currentMax = 0;
      windowStart = now;
    }
    probe(now + PROBE_MS);
  }, PROBE_MS);
  timer.unref();
}

export function eventLoopLagMs(): number {
  if (!started) {
    started = true;
    schedule = globalThis.setTimeout;
    clock = Date.now;
    windowStart = clock();
    probe(windowStart + PROBE_MS);
  }
  return Math.max(currentMax, previousMax);
}

/**
 * The budget to give a turn of `deadlineMs` when the loop lags: twice the lag comes off (the
 * wait before the handler and the late deadline timer), never more than half of it.
 */
export function lagAdjustedBudget(deadlineMs: number, lagMs: number = eventLoopLagMs()): number {
  return deadlineMs - Math.min(2 * lagMs, deadlineMs / 2);
}
