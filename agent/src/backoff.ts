/**
 * Bounded exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015): the n-th wait is uniform in [0, min(cap, base·2^n)]. Jitter spreads a
 * whole fleet's reconnects after a gateway restart over the window instead of a thundering herd
 * at each step; the cap keeps a device that waited through a long outage coming back within
 * `capMs` of the broker's return.
 */
export interface BackoffOptions {
  /** the first window, ms (default 500) */
  baseMs?: number;
  /** the largest window, ms (default 10 000: back within 10 s of the broker's return) */
  capMs?: number;
  /** a number in [0, 1); Math.random unless a test fixes it */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.baseMs = o.baseMs ?? 500;
    this.capMs = o.capMs ?? 10_000;
    this.random = o.random ?? Math.random;
    if (!(this.baseMs > 0 && this.capMs >= this.baseMs)) throw new RangeError(`Backoff: need 0 < baseMs ≤ capMs, got ${this.baseMs} and ${this.capMs}`);
  }

  /** Waits taken since the last reset. */
  get attempts(): number { return this.attempt; }

  /** The next wait, ms; at least 1 ms so a retry never spins. */
  next(): number {
    // 2^attempt stops growing once past the cap (and before it overflows to Infinity)
    const window = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.max(1, Math.floor(this.random() * window));
  }

  reset(): void { this.attempt = 0; }
}
