/** A client's requests in its current window, this one included, and when the window ends. */
export interface WindowCount {
  count: number;
  /** Milliseconds until the window ends. */
  remainingMs: number;
}

/** Counts each client's requests in fixed windows that start at the client's first request. */
export interface RateCounter {
  /** Counts one more request of `client` and answers the window's count. */
  count(client: string): Promise<WindowCount>;
}

/**
 * The counts in this process's memory: a budget per replica. A client's entry lives until its
 * window ends; every window, the ended ones are swept away, so the map holds at most the clients
 * of about two windows, however many come and go.
 */
export class MemoryRateCounter implements RateCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private nextSweep: number;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.nextSweep = now() + windowMs;
  }

  /** Synchronous underneath: two requests of one client can never both read the old count. */
  count(client: string): Promise<WindowCount> {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(client);
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.windowMs };
      this.windows.set(client, window);
    }
    window.count += 1;
    return Promise.resolve({ count: window.count, remainingMs: window.endsAt - now });
  }

  /** How many clients it holds an entry for, ended windows not swept yet included. */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    for (const [client, window] of this.windows) {
      if (window.endsAt <= now) this.windows.delete(client);
    }
    this.nextSweep = now + this.windowMs;
  }
}
