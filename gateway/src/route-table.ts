/**
 * Which device may write to which device's inbox: the ones a standing route passes activations
 * between. A device publishes to another's inbox only to pass on the activation of the layer it
 * computed (assignment[i] → assignment[i+1]); anything else in another inbox is at best noise
 * the recipient must refuse (a decryption attempt each), so the broker refuses it first. A route
 * version's links open when the gateway sends its `route` — before any device can use them — and
 * close a grace period after the version is superseded or its stream ends, so requests still
 * under way on it can finish.
 */
export const ROUTE_GRACE_MS = 30_000;
const MAX_VERSIONS = 100_000;

export class RouteTable {
  private readonly count = new Map<string, number>();
  private readonly versions = new Map<string, string[]>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly graceMs = ROUTE_GRACE_MS) {}

  /** Opens the links of one route version (idempotent). `key` names the version, e.g. "route#3". */
  open(key: string, assignment: readonly string[]): void {
    if (this.versions.has(key)) return;
    // Bounded: past the limit the oldest version's links close early (it is long superseded).
    if (this.versions.size >= MAX_VERSIONS) this.release(this.versions.keys().next().value!);
    const pairs: string[] = [];
    for (let i = 0; i + 1 < assignment.length; i++) {
      if (assignment[i] === assignment[i + 1]) continue;
      const pair = `${assignment[i]}\u0000${assignment[i + 1]}`;
      pairs.push(pair);
      this.count.set(pair, (this.count.get(pair) ?? 0) + 1);
    }
    this.versions.set(key, pairs);
  }

  /** The version is superseded or its stream is over: its links close after the grace period. */
  retire(key: string): void {
    const timer = setTimeout(() => { this.timers.delete(timer); this.release(key); }, this.graceMs);
    timer.unref();
    this.timers.add(timer);
  }

  allows(from: string, to: string): boolean {
    return this.count.has(`${from}\u0000${to}`);
  }

  /** Versions whose links are open (superseded ones still in their grace period included). */
  get size(): number { return this.versions.size; }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private release(key: string): void {
    for (const pair of this.versions.get(key) ?? []) {
      const n = (this.count.get(pair) ?? 1) - 1;
      if (n <= 0) this.count.delete(pair); else this.count.set(pair, n);
    }
    this.versions.delete(key);
  }
}
