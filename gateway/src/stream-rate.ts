/**
 * Each stream's real request rate (per source and model): a sliding window of `infer` arrivals.
 * The planner checks 4.b (and 4.c) at the rate a source declares in its hello; a source that
 * sends faster than it declared would load its hops beyond their budgets. When the measured
 * rate exceeds the declared one by the margin, the stream is planned at the measured rate, so
 * the constraints are checked against what is really arriving.
 *
 * The margin is relative (20 %) plus a few requests of slack over the window: an honest source
 * keeping to its rate with a token bucket may send a burst (up to its concurrency) at once, and
 * a window that holds the burst plus the rate must not call that an excess.
 */
export interface StreamRateOptions {
  /** the sliding window (default 10 s) */
  windowMs?: number;
  /** how far above the declared rate counts as exceeding it (default 0.2: 20 %) */
  margin?: number;
  /** requests of slack per window on top of the margin, for a declared burst (default 5) */
  slack?: number;
  now?: () => number;
  /** streams tracked at once; the longest-quiet goes first (default 10 000) */
  maxStreams?: number;
}

export interface StreamRateView { declared: number; measured: number; planned: number; overDeclared: boolean }

interface Stream { arrivals: number[]; head: number; declared: number; over: boolean; everOver: boolean }

export class StreamRates {
  readonly windowMs: number;
  readonly margin: number;
  readonly slack: number;
  private readonly now: () => number;
  private readonly maxStreams: number;
  private readonly streams = new Map<string, Stream>();

  constructor(o: StreamRateOptions = {}) {
    this.windowMs = o.windowMs ?? 10_000;
    this.margin = o.margin ?? 0.2;
    this.slack = o.slack ?? 5;
    this.now = o.now ?? (() => performance.now());
    this.maxStreams = o.maxStreams ?? 10_000;
  }

  /** One `infer` from `source` for `model`, now. */
  arrival(source: string, model: string): void {
    const key = `${source}/${model}`;
    let s = this.streams.get(key);
    if (s) this.streams.delete(key); // re-inserted last: the map is in order of last arrival
    else {
      if (this.streams.size >= this.maxStreams) this.streams.delete(this.streams.keys().next().value!);
      s = { arrivals: [], head: 0, declared: 0, over: false, everOver: false };
    }
    this.streams.set(key, s);
    s.arrivals.push(this.now());
    this.prune(s);
  }

  /** Requests per second over the window. */
  measured(source: string, model: string): number {
    const s = this.streams.get(`${source}/${model}`);
    if (!s) return 0;
    this.prune(s);
    return (s.arrivals.length - s.head) / (this.windowMs / 1000);
  }

  /**
   * The rate to plan the stream at: the declared one, or the measured one when it exceeds the
   * declared by the margin. `exceeded` is called the first time a stream goes over.
   */
  planningRate(source: string, model: string, declared: number, exceeded?: (measured: number) => void): number {
    const s = this.streams.get(`${source}/${model}`);
    if (!s) return declared;
    s.declared = declared;
    const measured = this.measured(source, model);
    const count = s.arrivals.length - s.head;
    s.over = count > declared * (this.windowMs / 1000) * (1 + this.margin) + this.slack;
    if (s.over && !s.everOver) { s.everOver = true; exceeded?.(measured); }
    return s.over ? Math.max(declared, measured) : declared;
  }

  /** Every stream's declared, measured and planned rate, for telemetry. */
  snapshot(): Record<string, StreamRateView> {
    const out: Record<string, StreamRateView> = {};
    for (const [key, s] of this.streams) {
      this.prune(s);
      const measured = (s.arrivals.length - s.head) / (this.windowMs / 1000);
      const r = (x: number) => Math.round(x * 100) / 100;
      out[key] = { declared: s.declared, measured: r(measured), planned: r(s.over ? Math.max(s.declared, measured) : s.declared), overDeclared: s.over };
    }
    return out;
  }

  private prune(s: Stream): void {
    const from = this.now() - this.windowMs;
    while (s.head < s.arrivals.length && s.arrivals[s.head]! <= from) s.head++;
    if (s.head > 1024 && s.head * 2 > s.arrivals.length) { s.arrivals = s.arrivals.slice(s.head); s.head = 0; }
  }
}
