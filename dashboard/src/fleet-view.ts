/**
 * The fleet as the telemetry tree tells it (docs/telemetry.md): a pure, bounded fold of
 * `lf/v1/telemetry/…` messages into what a person looks at — devices with their class, state,
 * budget against use, memory, link and boards; the placement each stream is on; latencies and
 * outcomes over the last minutes; rejections by reason; the ledger head.
 *
 * The browser page, `layerfleet status` and the Home Assistant bridge all read the fleet through
 * this one fold, so they agree. It runs in a browser too: no Node API, nothing of ours imported.
 * Bad input (not JSON, not an object, a topic it does not know) is counted by reason in
 * `ignored` and otherwise changes nothing; nothing here throws on what arrives.
 */

export const TELEMETRY_PREFIX = 'lf/v1/telemetry/';
/** What a dashboard subscribes to: the whole telemetry tree. */
export const TELEMETRY_FILTER = `${TELEMETRY_PREFIX}#`;

/** Bounds, so a long-lived page or bridge stays the same size. */
export const MAX_DEVICES = 4096;
export const MAX_STREAMS = 1024;
/** finished requests remembered for latency and rate charts */
export const MAX_OUTCOMES = 20_000;
/** how far back charts and per-device figures look */
export const WINDOW_MS = 5 * 60_000;

export type DeviceClass = 'source' | 'worker' | 'board';
export type DeviceState = 'online' | 'offline' | 'unknown';

export interface DeviceView {
  id: string;
  class: DeviceClass;
  state: DeviceState;
  /** why it went offline, when it said (or the gateway did) */
  offlineReason?: string;
  /** MAC/s it offers (its budget), and used / computed in its last `load` window */
  budget?: number;
  used?: number;
  computed?: number;
  memoryBytes?: number;
  /** link rate, bits/s, from the gateway's fleet topic */
  linkBitsPerSecond?: number;
  layersHeld?: number;
  trusted?: boolean;
  /** per model, the layers (1-based, as eq. 6 counts them) the gateway has sent this device: its exposure */
  exposed?: Record<string, number[]>;
  /** for a board: the serial line's counters (bits/s, retries, timeouts, bytes), as its host reports them */
  line?: Record<string, unknown>;
  /** hops it computed in the gateway's last minute and their median ms (the gateway's fleet topic) */
  hops?: number;
  hopP50Ms?: number;
  /** the ids of boards this device hosts (`<id>.<board>`) */
  boards: string[];
  /** the boot it last spoke from, and when (ms) */
  bootId?: string;
  ts?: number;
}

export interface StreamView {
  source: string;
  model: string;
  /** the device of each layer, 1..L, of the latest placement seen */
  placement: string[];
  ts: number;
}

export interface OutcomePoint { ts: number; ok: boolean; ms?: number; reason?: string; hops: Array<{ device: string; ms: number }> }

export interface GatewayView {
  devicesOnline?: number;
  inFlight?: number;
  /** streams on a standing route */
  streamCount?: number;
  waiting?: number;
  completed?: number;
  failed?: number;
  strategy?: string;
  /** the gateway's privacy level by name (none, two-hidden, half), when it runs one of the named ones */
  privacy?: string;
  rejections: Record<string, number>;
  /** per stream `source/model`: requests/s declared, measured over the gateway's window, and planned at */
  streams: Record<string, { declared?: number; measured?: number; planned?: number }>;
  bootId?: string;
  ts?: number;
}

export interface LedgerView { count: number; root: string; ts?: number }

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A board `pi-1.host-1` is hosted by `pi-1`. */
export const hostOf = (id: string): string | null => (id.includes('.') ? id.slice(0, id.indexOf('.')) : null);

export class FleetView {
  readonly devices = new Map<string, DeviceView>();
  readonly streams = new Map<string, StreamView>();
  readonly outcomes: OutcomePoint[] = [];
  gateway: GatewayView | null = null;
  ledger: LedgerView | null = null;
  /** messages that changed nothing, by reason ('not-json', 'not-an-object', 'unknown-topic', 'too-many-devices', …) */
  readonly ignored: Record<string, number> = {};
  /** failed requests by reason, as they arrived */
  readonly failures: Record<string, number> = {};

  /** Folds one message in; false (and counted in `ignored`) when it changed nothing. */
  apply(topic: string, payload: string | Uint8Array): boolean {
    if (!topic.startsWith(TELEMETRY_PREFIX)) return this.ignore('unknown-topic');
    let body: unknown;
    try {
      body = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload));
    } catch {
      return this.ignore('not-json');
    }
    if (!isObject(body)) return this.ignore('not-an-object');
    const rest = topic.slice(TELEMETRY_PREFIX.length);
    const dev = /^dev\/([A-Za-z0-9_.-]+)\/(status|load)$/.exec(rest);
    if (dev) return dev[2] === 'status' ? this.status(dev[1]!, body) : this.load(dev[1]!, body);
    switch (rest) {
      case 'inference': return this.inference(body);
      case 'gateway': return this.gatewayStats(body);
      case 'ledger': return this.ledgerHead(body);
      case 'fleet': return this.fleet(body);
      default: return this.ignore('unknown-topic');
    }
  }

  /** Devices sorted by id, hosts before their boards. */
  deviceList(): DeviceView[] {
    return [...this.devices.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Finished requests within `windowMs` of `now`. */
  recent(now: number, windowMs = WINDOW_MS): OutcomePoint[] {
    const from = now - windowMs;
    let i = this.outcomes.length;
    while (i > 0 && this.outcomes[i - 1]!.ts >= from) i--;
    return this.outcomes.slice(i);
  }

  /** Completed and failed requests per second, one point per second over the window (oldest first). */
  ratePerSecond(now: number, windowMs = 60_000): { t: number[]; completed: number[]; failed: number[] } {
    const seconds = Math.max(1, Math.ceil(windowMs / 1000));
    const end = Math.floor(now / 1000);
    const t: number[] = [], completed: number[] = [], failed: number[] = [];
    for (let s = end - seconds + 1; s <= end; s++) { t.push(s); completed.push(0); failed.push(0); }
    for (const o of this.recent(now, windowMs)) {
      const k = Math.floor(o.ts / 1000) - (end - seconds + 1);
      if (k < 0 || k >= seconds) continue;
      (o.ok ? completed : failed)[k]! += 1;
    }
    return { t, completed, failed };
  }

  /** Latency histogram of completed requests in the window: counts per bucket with upper bounds in ms (the last is +Inf). */
  latencyHistogram(now: number, boundsMs: readonly number[] = [5, 10, 20, 50, 100, 200, 500, 1000], windowMs = WINDOW_MS): { bounds: number[]; counts: number[] } {
    const counts = new Array<number>(boundsMs.length + 1).fill(0);
    for (const o of this.recent(now, windowMs)) {
      if (!o.ok || o.ms === undefined) continue;
      let b = boundsMs.findIndex((x) => o.ms! <= x);
      if (b < 0) b = boundsMs.length;
      counts[b]! += 1;
    }
    return { bounds: [...boundsMs, Infinity], counts };
  }

  /** Per device over the window: hops computed and their median ms. */
  hopLatency(now: number, windowMs = WINDOW_MS): Map<string, { hops: number; p50Ms: number }> {
    const per = new Map<string, number[]>();
    for (const o of this.recent(now, windowMs)) for (const h of o.hops) (per.get(h.device) ?? per.set(h.device, []).get(h.device)!).push(h.ms);
    const out = new Map<string, { hops: number; p50Ms: number }>();
    for (const [id, ms] of per) {
      ms.sort((a, b) => a - b);
      out.set(id, { hops: ms.length, p50Ms: ms[Math.floor((ms.length - 1) / 2)]! });
    }
    return out;
  }

  private ignore(reason: string): false {
    this.ignored[reason] = (this.ignored[reason] ?? 0) + 1;
    return false;
  }

  private device(id: string): DeviceView | null {
    let d = this.devices.get(id);
    if (d) return d;
    if (this.devices.size >= MAX_DEVICES) return null;
    d = { id, class: hostOf(id) ? 'board' : 'worker', state: 'unknown', boards: [] };
    this.devices.set(id, d);
    const host = hostOf(id);
    if (host) {
      const h = this.device(host);
      if (h && !h.boards.includes(id)) h.boards.push(id);
    }
    return d;
  }

  private status(id: string, b: Json): boolean {
    const state = b['state'];
    if (state !== 'online' && state !== 'offline') return this.ignore('bad-status');
    const d = this.device(id);
    if (!d) return this.ignore('too-many-devices');
    d.state = state;
    if (state === 'offline') {
      const why = str(b['reason']) ?? str(b['why']);
      if (why === undefined) delete d.offlineReason; else d.offlineReason = why;
    } else delete d.offlineReason;
    if (b['role'] === 'source') d.class = 'source';
    const budget = num(b['macsPerSecond']);
    if (budget !== undefined) d.budget = budget;
    this.stamp(d, b);
    return true;
  }

  private load(id: string, b: Json): boolean {
    const d = this.device(id);
    if (!d) return this.ignore('too-many-devices');
    const set = <K extends 'budget' | 'used' | 'computed' | 'memoryBytes' | 'layersHeld'>(k: K, v: unknown) => { const n = num(v); if (n !== undefined) d[k] = n; };
    set('budget', b['macsPerSecondBudget']);
    set('used', b['macsPerSecondUsed']);
    set('computed', b['macsPerSecondComputed']);
    set('memoryBytes', b['memoryBytes']);
    set('layersHeld', b['layersHeld']);
    if (isObject(b['line'])) d.line = b['line'];
    this.stamp(d, b);
    return true;
  }

  private stamp(d: DeviceView, b: Json): void {
    const boot = str(b['bootId']);
    if (boot !== undefined) d.bootId = boot;
    const ts = num(b['ts']);
    if (ts !== undefined) d.ts = ts;
  }

  private inference(b: Json): boolean {
    const source = str(b['source']), model = str(b['model']), outcome = b['outcome'];
    if (source === undefined || model === undefined || (outcome !== 'completed' && outcome !== 'failed')) return this.ignore('bad-inference');
    const ts = num(b['ts']) ?? Date.now();
    const ok = outcome === 'completed';
    const placement = Array.isArray(b['placement']) && b['placement'].every((x) => typeof x === 'string') ? (b['placement'] as string[]) : [];
    if (ok && placement.length > 0) {
      const key = `${source}/${model}`;
      if (this.streams.has(key) || this.streams.size < MAX_STREAMS) this.streams.set(key, { source, model, placement, ts });
    }
    const hops: OutcomePoint['hops'] = [];
    if (Array.isArray(b['hops'])) {
      for (const h of b['hops']) {
        if (isObject(h) && typeof h['device'] === 'string' && num(h['ms']) !== undefined) hops.push({ device: h['device'], ms: num(h['ms'])! });
      }
    }
    const point: OutcomePoint = { ts, ok, hops };
    const ms = num(b['totalMs']);
    if (ms !== undefined) point.ms = ms;
    const reason = str(b['reason']);
    if (!ok) {
      const why = reason ?? 'unknown';
      point.reason = why;
      // reasons name devices and numbers; the dashboard groups by what comes before the first colon
      const kind = why.split(':')[0]!.slice(0, 80);
      this.failures[kind] = (this.failures[kind] ?? 0) + 1;
    }
    // arrivals are nearly in order; keep the array sorted by ts so windows are a suffix
    let i = this.outcomes.length;
    while (i > 0 && this.outcomes[i - 1]!.ts > ts) i--;
    this.outcomes.splice(i, 0, point);
    if (this.outcomes.length > MAX_OUTCOMES) this.outcomes.splice(0, this.outcomes.length - MAX_OUTCOMES);
    return true;
  }

  private gatewayStats(b: Json): boolean {
    const rejections: Record<string, number> = {};
    if (isObject(b['rejections'])) for (const [k, v] of Object.entries(b['rejections'])) { const n = num(v); if (n !== undefined) rejections[k] = n; }
    const streams: GatewayView['streams'] = {};
    if (isObject(b['streams'])) {
      for (const [k, v] of Object.entries(b['streams'])) {
        if (!isObject(v)) continue;
        const s: GatewayView['streams'][string] = {};
        for (const f of ['declared', 'measured', 'planned'] as const) { const n = num(v[f]); if (n !== undefined) s[f] = n; }
        streams[k] = s;
      }
    }
    const g: GatewayView = { rejections, streams };
    for (const k of ['devicesOnline', 'inFlight', 'streamCount', 'waiting', 'completed', 'failed', 'ts'] as const) { const n = num(b[k]); if (n !== undefined) g[k] = n; }
    // standing routes: each stream's current assignment, before any request has completed on it
    if (Array.isArray(b['routes'])) {
      const ts = num(b['ts']) ?? 0;
      for (const r of b['routes']) {
        if (!isObject(r) || typeof r['source'] !== 'string' || typeof r['model'] !== 'string' || !Array.isArray(r['assignment']) || !r['assignment'].every((x) => typeof x === 'string') || r['assignment'].length === 0) continue;
        const key = `${r['source']}/${r['model']}`;
        if (this.streams.has(key) || this.streams.size < MAX_STREAMS) this.streams.set(key, { source: r['source'], model: r['model'], placement: r['assignment'] as string[], ts });
      }
    }
    const strategy = str(b['strategy']), boot = str(b['bootId']), privacy = str(b['privacy']);
    if (strategy !== undefined) g.strategy = strategy;
    if (privacy !== undefined) g.privacy = privacy;
    if (boot !== undefined) g.bootId = boot;
    this.gateway = g;
    return true;
  }

  private ledgerHead(b: Json): boolean {
    const count = num(b['count']), root = str(b['root']);
    if (count === undefined || root === undefined) return this.ignore('bad-ledger');
    this.ledger = { count, root, ...(num(b['ts']) === undefined ? {} : { ts: num(b['ts'])! }) };
    return true;
  }

  /** The gateway's retained `fleet` topic: what it knows of each device (class, link, memory, trust) and each stream's route. */
  private fleet(b: Json): boolean {
    if (!isObject(b['devices'])) return this.ignore('bad-fleet');
    for (const [id, v] of Object.entries(b['devices'])) {
      if (!isObject(v) || !/^[A-Za-z0-9_.-]+$/.test(id)) continue;
      const d = this.device(id);
      if (!d) { this.ignore('too-many-devices'); continue; }
      if (v['class'] === 'source' || v['class'] === 'worker' || v['class'] === 'board') d.class = v['class'];
      const link = num(v['rateBitsPerSecond']);
      if (link !== undefined) d.linkBitsPerSecond = link;
      if (typeof v['trusted'] === 'boolean') d.trusted = v['trusted'];
      if (isObject(v['exposed'])) {
        const exposed: Record<string, number[]> = {};
        for (const [model, layers] of Object.entries(v['exposed']).slice(0, 64)) {
          if (Array.isArray(layers) && layers.length <= 1024 && layers.every((l) => Number.isSafeInteger(l) && (l as number) >= 0)) exposed[model] = layers as number[];
        }
        d.exposed = exposed;
      }
      const hops = num(v['hops']), p50 = num(v['hopP50Ms']);
      if (hops !== undefined) d.hops = hops;
      if (p50 === undefined) delete d.hopP50Ms; else d.hopP50Ms = p50;
      const budget = num(v['macsPerSecond']);
      if (budget !== undefined && d.budget === undefined) d.budget = budget;
      const mem = num(v['memoryBytes']);
      if (mem !== undefined && d.memoryBytes === undefined) d.memoryBytes = mem;
    }
    if (isObject(b['routes'])) {
      for (const [key, v] of Object.entries(b['routes'])) {
        if (!isObject(v) || !Array.isArray(v['placement']) || !v['placement'].every((x) => typeof x === 'string')) continue;
        const [source, model] = key.split('/');
        if (!source || !model) continue;
        const ts = num(v['ts']) ?? num(b['ts']) ?? 0;
        const known = this.streams.get(key);
        if ((!known || known.ts <= ts) && (known || this.streams.size < MAX_STREAMS)) this.streams.set(key, { source, model, placement: v['placement'] as string[], ts });
      }
    }
    return true;
  }
}
