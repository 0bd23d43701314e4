/**
 * Which device may write to which device's inbox: the ones a live plan routes activations
 * between. A device publishes to another's inbox only to pass on the activation of the layer it
 * computed (assignment[i] → assignment[i+1]); anything else in another inbox is at best noise
 * the recipient must refuse (a decryption attempt each), so the broker refuses it first. Routes
 * open when the gateway sends an attempt's plan — before any device can use them — and close a
 * grace period after the request ends, so an activation still in flight from a superseded
 * attempt is not taken for an attack.
 */
export const ROUTE_GRACE_MS = 30_000;
const MAX_ATTEMPTS = 100_000;

export class RouteTable {
  private readonly count = new Map<string, number>();
  private readonly attempts = new Map<string, string[]>();

  constructor(private readonly graceMs = ROUTE_GRACE_MS) {}

  /** Opens the routes of one attempt (idempotent: every device's plan names the same assignment). */
  open(requestId: string, attempt: number, assignment: readonly string[]): void {
    const key = `${requestId}#${attempt}`;
    if (this.attempts.has(key)) return;
    // Bounded: past the limit the oldest attempt's routes close early (its request is long over).
    if (this.attempts.size >= MAX_ATTEMPTS) this.release(this.attempts.keys().next().value!);
    const pairs: string[] = [];
    for (let i = 0; i + 1 < assignment.length; i++) {
      if (assignment[i] === assignment[i + 1]) continue;
      const pair = `${assignment[i]}\u0000${assignment[i + 1]}`;
      pairs.push(pair);
      this.count.set(pair, (this.count.get(pair) ?? 0) + 1);
    }
    this.attempts.set(key, pairs);
  }

  /** The request is over (completed or failed): its attempts' routes close after the grace period. */
  finish(requestId: string, attempts: number): void {
    const timer = setTimeout(() => { for (let a = 0; a < attempts; a++) this.release(`${requestId}#${a}`); }, this.graceMs);
    timer.unref();
  }

  allows(from: string, to: string): boolean {
    return this.count.has(`${from}\u0000${to}`);
  }

  private release(key: string): void {
    for (const pair of this.attempts.get(key) ?? []) {
      const n = (this.count.get(pair) ?? 1) - 1;
      if (n <= 0) this.count.delete(pair); else this.count.set(pair, n);
    }
    this.attempts.delete(key);
  }
}
