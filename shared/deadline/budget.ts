import { withDeadline } from './with-deadline';

/**
 * The time a turn has left before the webhook must answer. Handlers pass `remaining()` (or
 * `forCall()`) down to every I/O call and listen to `signal`, which aborts at the deadline.
 */
export class Budget {
  constructor(
    /** Epoch milliseconds by which the answer must be sent. */
    readonly deadline: number,
    /** Aborted when the deadline passes and the turn has been answered without the handler. */
    readonly signal: AbortSignal,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.deadline - this.now());
  }

  expired(): boolean {
    return this.remaining() === 0 || this.signal.aborted;
  }

  /**
   * Milliseconds one outside call may take: what is left minus `reserveMs` kept to build and
   * send the answer, at most `capMs`. Zero means: do not start the call.
   */
  forCall(reserveMs = 100, capMs = Infinity): number {
    return Math.max(0, Math.min(capMs, this.remaining() - reserveMs));
  }

  /**
   * `work` bounded by this budget: rejects `deadline-exceeded` once `forCall(reserveMs)` has
   * passed or the turn's deadline aborts; the work is abandoned, never awaited past it.
   */
  bound<T>(work: Promise<T>, what: string, reserveMs = 100): Promise<T> {
    return withDeadline(work, this.forCall(reserveMs), what, this.signal);
  }
}
