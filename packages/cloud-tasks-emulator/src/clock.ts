/**
 * The time and timers the emulator schedules on: the system's by default. A test passes its own
 * (see the emulator's tests) to step through schedules, backoffs and dispatch deadlines
 * without waiting for them in real time.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `callback` once `ms` have passed on this clock; returns a handle for clearTimeout. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
