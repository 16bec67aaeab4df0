import type { Clock } from 'cloud-tasks-emulator/clock';

interface Pending {
  due: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when the test says so. Timers fire when the clock reaches their due
 * time: those already due (a 0 ms timer) on the next turn of the event loop, later ones inside
 * `advance`, in due order, with `now()` reading their due time while they run.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();
  private pumping = false;

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer: Pending = { due: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.pending.add(timer);
    if (timer.due <= this.time) this.pumpSoon();
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as Pending);
  }

  /** Moves the clock `ms` forward, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (let next = this.earliest(target); next; next = this.earliest(target)) {
      this.pending.delete(next);
      this.time = Math.max(this.time, next.due);
      next.callback();
    }
    this.time = target;
  }

  private earliest(until: number): Pending | undefined {
    let first: Pending | undefined;
    for (const t of this.pending) {
      if (t.due > until) continue;
      if (!first || t.due < first.due || (t.due === first.due && t.seq < first.seq)) first = t;
    }
    return first;
  }

  private pumpSoon(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.advance(0);
    });
  }
}
