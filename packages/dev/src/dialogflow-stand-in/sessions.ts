/** Per-session state kept in memory, least recently used dropped beyond `max` or after `ttlMs`. */
export class SessionStore<T> {
  private readonly sessions = new Map<string, { state: T; usedAt: number }>();

  constructor(
    private readonly create: () => T,
    private readonly max = 10_000,
    // Dialogflow forgets a session after 20 minutes without a query.
    private readonly ttlMs = 20 * 60_000,
  ) {}

  get(id: string, now = Date.now()): T {
    const found = this.sessions.get(id);
    this.sessions.delete(id);
    const state = found && now - found.usedAt <= this.ttlMs ? found.state : this.create();
    this.sessions.set(id, { state, usedAt: now });
    if (this.sessions.size > this.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return state;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
