import { withDeadline } from './with-deadline';

/**
 * The time a turn has left before the webhook must answer. Handlers pass `remaining()` (or
 * `forCall()`) down to every I/O call and listen to `signal`, which aborts at the deadline.
 *
 * Without a signal given, the budget owns one, created only when something asks for it: a turn
 * answered without I/O never pays for an AbortController (under functions-framework's domain
 * every such object costs async-hook work on the hot path).
 */
export class Budget {
  #signal: AbortSignal | undefined;
  #controller: AbortController | undefined;
  /** Set when {@link abort} ran before anyone asked for the signal. */
  #abortReason: { reason: unknown } | undefined;

  constructor(
    /** Epoch milliseconds by which the answer must be sent. */
    readonly deadline: number,
    /** Aborted when the deadline passes and the turn has been answered without the handler. */
    signal?: AbortSignal,
    private readonly now: () => number = Date.now,
  ) {
    this.#signal = signal;
  }

  /** Aborted when the deadline passes and the turn has been answered without the handler. */
  get signal(): AbortSignal {
    if (this.#signal) return this.#signal;
    this.#controller = new AbortController();
    if (this.#abortReason) this.#controller.abort(this.#abortReason.reason);
    this.#signal = this.#controller.signal;
    return this.#signal;
  }

  /** Whether the turn's signal has aborted (without creating the signal). */
  get aborted(): boolean {
    return this.#signal ? this.#signal.aborted : this.#abortReason !== undefined;
  }

  /**
   * Aborts the budget's own signal (what the router does at the deadline). A budget built on
   * a caller's signal leaves it alone: that caller aborts it.
   */
  abort(reason: unknown): void {
    if (this.#controller) this.#controller.abort(reason);
    // Stryker disable next-line ConditionalExpression: a budget on a caller's signal reads only that signal
    else if (!this.#signal) this.#abortReason ??= { reason };
  }

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.deadline - this.now());
  }

  expired(): boolean {
    return this.remaining() === 0 || this.aborted;
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
