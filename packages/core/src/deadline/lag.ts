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
 * The timer function the probe started with, kept: a fake clock installed later in the same
 * process (a test's) does not take over the probe, which would add a timer to that test's clock.
 */
let schedule: typeof setTimeout = setTimeout;

function probe(expected: number): void {
  const timer = schedule(() => {
    const now = Date.now();
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
    windowStart = Date.now();
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
