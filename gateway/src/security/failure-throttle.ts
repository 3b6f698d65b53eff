/**
 * Counts failed sign-ins per client and blocks a client for the rest of the window once it has
 * failed `max` times, so a password cannot be guessed at request speed. Memory is bounded: at
 * most `maxClients` are tracked, the oldest window dropped first.
 */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly options: { max: number; windowMs: number; maxClients?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the client may try again, or 0 when it may try now. */
  retryAfterSeconds(client: string): number {
    const entry = this.current(client);
    return entry && entry.count >= this.options.max ? Math.ceil((entry.resetAt - this.now()) / 1000) : 0;
  }

  fail(client: string): void {
    const entry = this.current(client) ?? { count: 0, resetAt: this.now() + this.options.windowMs };
    entry.count++;
    this.failures.delete(client);
    this.failures.set(client, entry);
    const max = this.options.maxClients ?? 10_000;
    while (this.failures.size > max) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }

  private current(client: string): { count: number; resetAt: number } | undefined {
    const entry = this.failures.get(client);
    if (entry && entry.resetAt <= this.now()) {
      this.failures.delete(client);
      return undefined;
    }
    return entry;
  }
}
