/**
 * A token bucket with reservations: `rate` tokens a second, holding at most `burst`. A caller
 * reserves what it needs and is told how long to wait before using it; the tokens are taken at
 * once (the level may go below zero), so callers that reserve one after another are spaced out
 * in reservation order and none can jump the queue. Time comes from `now` (milliseconds), so
 * tests drive it with a clock of their own.
 */
export type Clock = () => number;

export const monotonicClock: Clock = () => performance.now();

export class TokenBucket {
  private level: number;
  private at: number;
  /** tokens that refilled into the bucket and were spent (refill capped at `burst` is not) */
  private refillSpent = 0;

  constructor(readonly rate: number, private cap: number, private readonly now: Clock = monotonicClock) {
    if (!(rate > 0)) throw new Error(`token bucket: rate must be > 0, got ${rate}`);
    if (!(cap > 0)) throw new Error(`token bucket: burst must be > 0, got ${cap}`);
    this.level = cap;
    this.at = now();
  }

  get burst(): number { return this.cap; }

  /** Raises the burst (a job larger than it would otherwise never fit); the level is unchanged. */
  growBurst(to: number): void { if (to > this.cap) this.cap = to; }

  /** Tokens available now (negative while reservations are waiting for refill). */
  available(): number { this.refill(); return this.level; }

  /** Milliseconds until `n` tokens would be available, without taking them. */
  waitMs(n = 1): number {
    this.refill();
    return this.level >= n ? 0 : ((n - this.level) / this.rate) * 1000;
  }

  /** Takes `n` tokens now if they are there. */
  tryTake(n = 1): boolean {
    this.refill();
    if (this.level < n) return false;
    this.level -= n;
    return true;
  }

  /** Takes `n` tokens, going into debt if need be; returns the milliseconds to wait before using them. */
  reserve(n = 1): number {
    const wait = this.waitMs(n);
    this.level -= n;
    return wait;
  }

  /** Gives back a reservation that will not be used. */
  cancel(n: number): void {
    this.refill();
    this.level = Math.min(this.cap, this.level + n);
  }

  /**
   * The bucket's refill that has been spent so far (a running total): what the reserved work
   * drew on the sustained rate. It grows at most `rate` per second, whatever the bursts: a
   * burst drawn from saved-up tokens counts as the refill that pays it back.
   */
  spentTotal(at = this.now()): number {
    this.refill(at);
    return this.refillSpent;
  }

  private refill(now = this.now()): void {
    const dt = Math.max(0, now - this.at) / 1000;
    this.at = now;
    if (dt === 0) return;
    const room = this.cap - this.level;
    // refill goes in only while the bucket is below full, i.e. it replaces tokens already spent
    const added = Math.max(0, Math.min(room, dt * this.rate));
    this.level += added;
    this.refillSpent += added;
  }
}
