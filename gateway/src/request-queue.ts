/**
 * Requests that no placement fits right now, waiting for the fleet to change (a device joins or
 * returns, a stream's load moves). Bounded twice over: at most `capacity` entries, so a fleet
 * that cannot serve anyone does not hoard requests without limit, and each entry at most
 * `timeoutMs`, after which `expired` hands it back with the last reason it could not be placed.
 */
export interface RequestQueueOptions<T> {
  capacity: number;
  timeoutMs: number;
  expired(key: string, item: T, reason: string): void;
}

interface Entry<T> { item: T; arrival: number; reason: string; timer: NodeJS.Timeout }

export class RequestQueue<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly opts: RequestQueueOptions<T>) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 0) throw new RangeError(`request queue capacity: expected a whole number ≥ 0, got ${opts.capacity}`);
    if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs < 0) throw new RangeError(`request queue timeoutMs: expected a number of ms ≥ 0, got ${opts.timeoutMs}`);
  }

  get length(): number { return this.entries.size; }
  get capacity(): number { return this.opts.capacity; }
  get timeoutMs(): number { return this.opts.timeoutMs; }
  /** A queue that can hold nothing, or nothing for any time, is no queue: callers fail at once. */
  get enabled(): boolean { return this.opts.capacity > 0 && this.opts.timeoutMs > 0; }

  has(key: string): boolean { return this.entries.has(key); }

  /**
   * Queues `item`; false when full. `arrival` orders retries, so a request re-queued after a
   * failed attempt keeps its place ahead of requests that arrived after it.
   */
  add(key: string, item: T, arrival: number, reason: string): boolean {
    if (this.entries.has(key)) { this.entries.get(key)!.reason = reason; return true; }
    if (!this.enabled || this.entries.size >= this.opts.capacity) return false;
    const timer = setTimeout(() => {
      const e = this.entries.get(key);
      if (!e) return;
      this.entries.delete(key);
      this.opts.expired(key, e.item, e.reason);
    }, this.opts.timeoutMs);
    timer.unref?.();
    this.entries.set(key, { item, arrival, reason, timer });
    return true;
  }

  /** The latest reason a queued request still does not fit; its deadline stays where it was. */
  stillWaiting(key: string, reason: string): void {
    const e = this.entries.get(key);
    if (e) e.reason = reason;
  }

  remove(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    clearTimeout(e.timer);
    this.entries.delete(key);
    return true;
  }

  /** Waiting requests, oldest arrival first. */
  inArrivalOrder(): Array<{ key: string; item: T }> {
    return [...this.entries].sort(([, a], [, b]) => a.arrival - b.arrival).map(([key, e]) => ({ key, item: e.item }));
  }

  clear(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
  }
}
