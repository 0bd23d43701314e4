/**
 * A device's MAC/s budget, enforced where it is spent: every job (a run of consecutive layers)
 * reserves its MACs from a token bucket refilled at the budget and waits its turn; a job that
 * would wait longer than `maxWaitMs`, or find `maxQueued` jobs already waiting, is refused
 * instead (the caller reports `failed` to the gateway, which re-plans it, and counts it
 * 'over-budget').
 *
 * The burst is the largest single job seen (at least 0.1 s of budget), not 1 s of budget: a
 * 1 s burst lets a device compute twice its budget within any one second after an idle
 * spell, which is exactly the overload 4.b is meant to rule out; the largest job is the least
 * that still admits every job (and the bucket grows to a larger one when it first comes), and
 * the 0.1 s floor keeps timer jitter among many small jobs from queueing them.
 *
 * What the device reports as used (`usedSince`) is measured on the same bucket: the budget
 * that refilled and was spent in the window, so a burst drawn from saved-up budget counts in
 * the time that pays it back and the figure never exceeds the budget; `computedSince` is the
 * plain MACs finished per second, which can exceed the budget by at most burst / window.
 */
import { TokenBucket, monotonicClock, type Clock } from './token-bucket.js';

export interface MacsBudgetOptions {
  /** longest a job may wait for budget before it is refused (default 2000 ms) */
  maxWaitMs?: number;
  /** jobs waiting for budget at once (default 64); beyond it a job is refused */
  maxQueued?: number;
  now?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

export type Admission = { ok: true; waitMs: number } | { ok: false; reason: string };

export class MacsBudget {
  readonly maxWaitMs: number;
  readonly maxQueued: number;
  private readonly bucket: TokenBucket;
  private readonly now: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private waiting = 0;
  private computed = 0;
  refused = 0;

  constructor(readonly macsPerSecond: number, o: MacsBudgetOptions = {}) {
    this.now = o.now ?? monotonicClock;
    this.bucket = new TokenBucket(macsPerSecond, macsPerSecond * 0.1, this.now);
    this.maxWaitMs = o.maxWaitMs ?? 2000;
    this.maxQueued = o.maxQueued ?? 64;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get queued(): number { return this.waiting; }
  get burst(): number { return this.bucket.burst; }

  /** Reserves `macs` now, or says why not; a reservation that waits counts as queued until `started`. */
  admit(macs: number): Admission {
    this.bucket.growBurst(macs);
    const wait = this.bucket.waitMs(macs);
    if (wait > 0 && this.waiting >= this.maxQueued) return { ok: false, reason: `over budget: ${this.waiting} jobs already wait for MAC/s budget (at most ${this.maxQueued})` };
    if (wait > this.maxWaitMs) return { ok: false, reason: `over budget: ${macs} MACs would wait ${Math.round(wait)} ms for ${fmt(this.macsPerSecond)} MAC/s (at most ${this.maxWaitMs} ms)` };
    this.bucket.reserve(macs);
    if (wait > 0) this.waiting++;
    return { ok: true, waitMs: wait };
  }

  /** Waits until `macs` fit the budget; resolves to null when the job may run, or to the refusal. */
  async acquire(macs: number): Promise<string | null> {
    const a = this.admit(macs);
    if (!a.ok) { this.refused++; return a.reason; }
    if (a.waitMs > 0) {
      try { await this.sleep(a.waitMs); } finally { this.waiting--; }
    }
    return null;
  }

  /** MACs a job actually computed (for the plain measure). */
  done(macs: number): void { this.computed += macs; }

  /** Running totals for a load report: budget drawn (≤ budget per second by construction) and MACs computed. */
  totals(): { spent: number; computed: number; at: number } {
    const at = this.now();
    return { spent: this.bucket.spentTotal(at), computed: this.computed, at };
  }
}

function fmt(n: number): string { return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : String(n); }
