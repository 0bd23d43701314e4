/**
 * Standing routes (DESIGN.md "Second wave"): a source's stream of requests for one model runs on
 * a placement that stays in force until something it depends on changes. Planning, weight
 * delivery and the hops' `ready` happen once per route version, not per request; a steady-state
 * request is the source's first layer, one activation per hop and a `result` to the gateway.
 *
 * A route is re-checked whenever one of its inputs changes — a device joins, returns, leaves, is
 * revoked or re-announces its budget; a hop reports it could not run its layers; the stream's
 * measured rate moves above what it was planned at — and replaced by a new version only when the
 * strategy's placement differs (or the old one has lost a device). Every version is checked by
 * `violations` before it goes out, so MAC/s budgets and privacy exposure (eq. 6) hold exactly as
 * they did per request; each version's load counts against the others' planning.
 *
 * A new version goes live in two steps: every hop but the source installs it and answers
 * `ready`; then the source gets it with `start` and moves new requests onto it. Requests under
 * way on an older version finish there (hops keep older versions, the broker keeps their links
 * open for a grace period) — unless a device of that version is gone, in which case the new
 * version carries `rerun` and the source runs them again from the input it still holds. A stream
 * nothing fits waits in a bounded queue (the source holds its requests), and fails with the
 * reason when its time is up.
 */
import { LIMITS, ROUTE_SETUP_REQUEST, type Message, type MessageOf, type PeerKeys } from '@layerfleet/protocol';
import { latencySeconds, violations, type Instance, type Placement, type Privacy, type Strategy } from '@layerfleet/planner';
import type { DeviceRecord, Registry } from './registry.js';
import type { ModelEntry } from './model-catalog.js';
import { RequestQueue } from './request-queue.js';
import type { StreamRates } from './stream-rate.js';

export interface Outcome {
  requestId: string;
  source: string;
  model: string;
  outcome: 'completed' | 'failed';
  /** times the source ran the request (more than 1 after a re-run on a new route version) */
  attempts: number;
  placement: string[];
  /** the route and its version the answer came over */
  route?: string;
  version?: number;
  reason?: string;
  predicted?: number;
  label?: number;
  correct?: boolean;
  totalMs?: number;
  /** Each hop may carry the device's signed 'layer' claim (gateway/src/device-claims.ts checks it). */
  hops?: MessageOf<'result'>['trace'];
  /** The source's signed 'result' claim, as it sent it. */
  resultClaim?: Uint8Array;
  latencyModelSeconds?: number;
}

/** What happened to a stream in the queue: entered it, left it placed, timed out, or found it full. */
export type QueueEvent = 'queued' | 'dequeued' | 'timeout' | 'full';

/** Why a stream got a new route version (the first version of a stream is not a change). */
export type RouteChangeReason = 'device-joined' | 'device-lost' | 'hop-failed' | 'rate' | 'setup-failed' | 'recheck';

/** A route version the gateway signed: went out to the hops, went live at the source, or was retired. */
export interface RouteEvent {
  kind: 'issued' | 'live' | 'retired';
  route: string;
  version: number;
  source: string;
  model: string;
  assignment: string[];
  /** for 'live' versions after the first: why the route changed */
  change?: RouteChangeReason;
}

export interface StandingRoutesDeps {
  registry: Registry;
  models: ReadonlyMap<string, ModelEntry>;
  privacy: Privacy;
  strategy: Strategy;
  /** distinguishes this gateway run's route ids from a previous run's, which hops may still hold */
  bootId: string;
  send(to: string, message: Message): void;
  finished(outcome: Outcome): void;
  log(line: string): void;
  routeEvent?(event: RouteEvent): void;
  queueEvent?(event: QueueEvent, stream: string): void;
  /** how long the hops of a new version have to answer `ready` (default 10 000 ms, plus weight delivery time) */
  setupTimeoutMs?: number;
  /** consecutive versions that may fail to set up before the stream gives up (default 3) */
  maxSetupAttempts?: number;
  /** streams waiting for a feasible placement at once (default 100); 0 fails them at once */
  maxQueued?: number;
  /** how long a stream waits for a feasible placement (default 5000 ms); 0 fails it at once */
  queueTimeoutMs?: number;
  /** each stream's measured request rate; a stream above its declared rate is planned at the measured one */
  streamRates?: StreamRates;
  /** a stream was found sending above its declared rate (called once per stream) */
  overRate?(source: string, model: string, measured: number, declared: number): void;
}

interface Version {
  n: number;
  assignment: string[];
  placement: Placement;
  /** the request rate it was planned at: its load on every device */
  rate: number;
  waitingFor: Set<string>;
}

interface Stream {
  key: string;
  route: string;
  source: string;
  model: ModelEntry;
  /** the rate the source declared in its `stream` (else its hello's) */
  declared: number | undefined;
  versions: number;
  live: Version | null;
  pending: Version | null;
  /** every version signed for this route, recent ones (a result names the one it came over) */
  signed: Map<number, string[]>;
  setupTimer: NodeJS.Timeout | null;
  setupFailures: number;
  /** a device of the live version is gone: the next version re-runs what was under way */
  broken: boolean;
  /** why the next version is made */
  change: RouteChangeReason | null;
  arrival: number;
  lastHopFailure: number;
}

/** Versions a hop or the source may still be finishing requests on. */
const SIGNED_VERSIONS_KEPT = 16;
/** Re-plans after a hop's failure are this far apart at least: a burst of failures is one event. */
const HOP_FAILURE_RECHECK_MS = 1000;

/** A reason as the wire takes it: the source's decoder refuses longer ones, and the whole text goes to telemetry anyway. */
const wireReason = (reason: string) => reason.length <= LIMITS.maxReasonLength ? reason : `${reason.slice(0, LIMITS.maxReasonLength - 1)}…`;
const sameAssignment = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export class StandingRoutes {
  private readonly streams = new Map<string, Stream>();
  private readonly byRoute = new Map<string, Stream>();
  /**
   * The last version each source/model stream reached, kept after the stream ends: a source that
   * leaves and comes back continues the numbering, so no version key (`route#n`) names two
   * placements — hops and the broker's route table key on it.
   */
  private readonly lastVersion = new Map<string, number>();
  private readonly queue: RequestQueue<Stream>;
  private readonly setupTimeoutMs: number;
  private readonly maxSetupAttempts: number;
  private arrivals = 0;
  private recheck: NodeJS.Immediate | null = null;
  private recheckWhy: RouteChangeReason = 'recheck';
  /** route versions made after each stream's first */
  changes = 0;

  constructor(private readonly deps: StandingRoutesDeps) {
    this.setupTimeoutMs = deps.setupTimeoutMs ?? 10_000;
    this.maxSetupAttempts = deps.maxSetupAttempts ?? 3;
    const queueTimeoutMs = deps.queueTimeoutMs ?? 5000;
    this.queue = new RequestQueue<Stream>({
      capacity: deps.maxQueued ?? 100,
      timeoutMs: queueTimeoutMs,
      expired: (key, stream, reason) => {
        this.deps.queueEvent?.('timeout', key);
        this.deps.log(`stream ${key}: nothing feasible within ${queueTimeoutMs} ms, giving up on it`);
        this.drop(stream, `no feasible placement within ${queueTimeoutMs} ms: ${reason}`);
      },
    });
  }

  /** streams with a route or waiting for one */
  get streamCount(): number { return this.streams.size; }
  /** streams waiting in the queue for a feasible placement */
  get waiting(): number { return this.queue.length; }

  /** Each stream's route as it stands, for telemetry. */
  snapshot(): Array<{ source: string; model: string; route: string; version: number | null; assignment: string[]; pending: number | null; waiting: boolean }> {
    return [...this.streams.values()].map((s) => ({
      source: s.source, model: s.model.name, route: s.route, version: s.live?.n ?? null, assignment: s.live?.assignment ?? [],
      pending: s.pending?.n ?? null, waiting: this.queue.has(s.key),
    }));
  }

  /** A source asks for (or again for) a route for its stream. */
  stream(source: DeviceRecord, msg: MessageOf<'stream'>): void {
    const model = this.deps.models.get(msg.model);
    if (!model) {
      return this.deps.send(source.id, { t: 'unrouted', model: msg.model, waiting: false, reason: wireReason(`unknown model ${JSON.stringify(msg.model)} (have ${[...this.deps.models.keys()].join(', ')})`) });
    }
    const key = `${source.id}/${model.name}`;
    let s = this.streams.get(key);
    if (!s) {
      s = {
        key, route: `${source.id}/${model.name}/${this.deps.bootId}`, source: source.id, model, declared: msg.rate, versions: this.lastVersion.get(key) ?? 0, live: null, pending: null,
        signed: new Map(), setupTimer: null, setupFailures: 0, broken: false, change: null, arrival: ++this.arrivals, lastHopFailure: -Infinity,
      };
      this.streams.set(key, s);
      this.byRoute.set(s.route, s);
      return this.replan(s, null);
    }
    if (msg.rate !== undefined && msg.rate !== s.declared) {
      s.declared = msg.rate;
      return this.replan(s, 'rate');
    }
    // The source lost its route (it reconnected, say): the live version again, with its layers if it lacks them.
    if (s.live) this.sendRoute(s, s.live, s.source, true, false);
    else if (!s.pending && !this.queue.has(key)) this.replan(s, null);
  }

  ready(from: string, msg: MessageOf<'ready'>): void {
    const s = this.byRoute.get(msg.route);
    const v = s?.pending;
    if (!s || !v || v.n !== msg.version || !v.waitingFor.delete(from)) return;
    this.markCached(s, v, from);
    if (v.waitingFor.size === 0) this.goLive(s);
  }

  /** A source's answer. Accepted only over a version this gateway signed for that source's route. */
  result(from: string, msg: MessageOf<'result'>): string | null {
    const s = this.byRoute.get(msg.route);
    if (!s || s.source !== from) return `result ${msg.requestId} from ${from} names route ${msg.route}, which is not one of its streams`;
    const assignment = s.signed.get(msg.version);
    if (!assignment) return `result ${msg.requestId} from ${from} names version ${msg.version} of ${msg.route}, which this gateway never signed`;
    this.deps.streamRates?.arrival(s.source, s.model.name);
    const v = s.live?.n === msg.version ? s.live : null;
    this.deps.finished({
      requestId: msg.requestId, source: s.source, model: s.model.name, outcome: 'completed', attempts: msg.attempt + 1, placement: assignment,
      route: s.route, version: msg.version, predicted: msg.predicted, totalMs: msg.totalMs, hops: msg.trace,
      ...(msg.claim ? { resultClaim: msg.claim } : {}),
      ...(msg.label === undefined ? {} : { label: msg.label, correct: msg.label === msg.predicted }),
      ...(v?.placement.feasible ? { latencyModelSeconds: v.placement.latencySeconds } : {}),
    });
    return null;
  }

  /**
   * A hop could not run its layers: the source hears of it (it runs the request again or gives
   * up), and the route is re-checked. From the source itself, it has given up on a request.
   */
  failed(from: string, msg: MessageOf<'failed'>): string | null {
    const s = msg.route === undefined ? this.streamOfSource(from, msg.model) : this.byRoute.get(msg.route);
    // a source giving up on a request of a stream the gateway gave up on first (nothing fitted)
    const model = msg.model === undefined ? undefined : this.deps.models.get(msg.model);
    if (!s && msg.route === undefined && model && this.deps.registry.get(from)?.caps.role === 'source') {
      this.deps.finished({ requestId: msg.requestId, source: from, model: model.name, outcome: 'failed', attempts: 0, placement: [], reason: msg.reason });
      return null;
    }
    if (!s) return `failed ${msg.requestId} from ${from}: no stream ${msg.route ?? `of ${from}`}`;
    if (from === s.source && msg.requestId === ROUTE_SETUP_REQUEST) return `${from} could not install ${s.route} version ${msg.version}: ${msg.reason}`;
    if (from === s.source) {
      const assignment = msg.version === undefined ? undefined : s.signed.get(msg.version);
      this.deps.finished({
        requestId: msg.requestId, source: s.source, model: s.model.name, outcome: 'failed', attempts: msg.attempt + (assignment ? 1 : 0),
        placement: assignment ?? [], reason: msg.reason, route: s.route, ...(assignment ? { version: msg.version! } : {}),
      });
      return null;
    }
    if (msg.version === undefined || !s.signed.get(msg.version)?.includes(from)) return `failed ${msg.requestId} from ${from}, which is no hop of ${s.route} version ${msg.version}`;
    // a hop that cannot install a version being set up (no weights, no memory): that version failed
    if (s.pending?.n === msg.version) { this.setupFailed(s, s.pending, `version ${msg.version}: ${from} could not install it: ${msg.reason}`); return null; }
    this.deps.send(s.source, { t: 'failed', requestId: msg.requestId, attempt: msg.attempt, route: s.route, version: msg.version, reason: wireReason(`${from}: ${msg.reason}`) });
    const now = Date.now();
    if (now - s.lastHopFailure >= HOP_FAILURE_RECHECK_MS) {
      s.lastHopFailure = now;
      this.replan(s, 'hop-failed');
    }
    return null;
  }

  /**
   * A device went away: a source takes its streams with it; every route through it gets a new
   * version (which re-runs what was under way on the old one), or waits for one.
   */
  deviceLost(id: string): void {
    for (const s of [...this.streams.values()]) {
      if (s.source === id) { this.closeStream(s); continue; }
      const liveUses = s.live?.assignment.includes(id) ?? false;
      const pendingUses = s.pending?.assignment.includes(id) ?? false;
      if (liveUses) s.broken = true;
      if (liveUses || pendingUses) this.replan(s, 'device-lost');
    }
    this.scheduleRecheck('device-lost');
  }

  /** A device joined, returned or announced new capabilities: routes may move, and waiting streams may fit. */
  deviceJoined(_id: string): void {
    this.scheduleRecheck('device-joined');
  }

  /** Once a second: a stream measured above the rate its route was planned at is re-planned. */
  tick(): void {
    const rates = this.deps.streamRates;
    if (!rates) return;
    for (const s of this.streams.values()) {
      const v = s.pending ?? s.live;
      if (!v) continue;
      if (this.rateOf(s) > v.rate * 1.1) this.replan(s, 'rate');
    }
  }

  close(): void {
    for (const stream of [...this.streams.values()]) this.closeStream(stream);
    this.queue.clear();
    if (this.recheck) clearImmediate(this.recheck);
    this.recheck = null;
  }

  /** The stream ends: its versions are retired (the broker keeps their links for the grace period). */
  private closeStream(s: Stream): void {
    this.clearSetup(s);
    this.queue.remove(s.key);
    for (const v of [s.live, s.pending]) if (v) this.event(s, 'retired', v);
    this.streams.delete(s.key);
    this.byRoute.delete(s.route);
    this.lastVersion.set(s.key, s.versions);
  }

  private streamOfSource(source: string, model: string | undefined): Stream | undefined {
    for (const s of this.streams.values()) if (s.source === source && (model === undefined || s.model.name === model)) return s;
    return undefined;
  }

  /** Re-checks every stream once the current burst of events is handled, not once per event. */
  private scheduleRecheck(why: RouteChangeReason): void {
    this.recheckWhy = why;
    if (this.recheck) return;
    this.recheck = setImmediate(() => {
      this.recheck = null;
      // oldest first: each placement's load counts for those after it
      for (const s of [...this.streams.values()].sort((a, b) => a.arrival - b.arrival)) this.replan(s, this.recheckWhy);
    });
  }

  /**
   * The strategy's placement for the stream on the fleet as it is now. Unchanged from the live
   * (or pending) version: nothing to do. Different: a new version goes out. Nothing fits: the
   * stream waits in the queue, keeping a live version that still breaks no constraint.
   */
  private replan(s: Stream, change: RouteChangeReason | null): void {
    if (!this.streams.has(s.key)) return;
    const planned = this.place(s);
    if ('unplaced' in planned) {
      if (s.live && !s.broken && this.stillValid(s, s.live)) { this.clearSetup(s); this.dropPending(s); return; }
      return this.enqueue(s, planned.unplaced);
    }
    if (this.queue.remove(s.key)) {
      this.deps.queueEvent?.('dequeued', s.key);
      this.deps.log(`stream ${s.key}: placed from the queue`);
    }
    const { placement, rate } = planned;
    if (s.pending && sameAssignment(s.pending.assignment, placement.assignment)) { s.pending.rate = rate; return; }
    if (s.live && !s.broken && sameAssignment(s.live.assignment, placement.assignment)) {
      s.live.rate = rate;
      this.clearSetup(s);
      this.dropPending(s);
      return;
    }
    if (s.live && change !== null) s.change = change;
    this.issue(s, placement, rate);
  }

  /** Whether a version still breaks no constraint on the fleet as it is now (its devices online, budgets, exposure). */
  private stillValid(s: Stream, v: Version): boolean {
    const inst = this.instance(s);
    const online = new Set(inst.devices.map((d) => d.id));
    return v.assignment.every((d) => online.has(d)) && violations(inst, v.assignment).length === 0;
  }

  private place(s: Stream): { placement: Placement; rate: number } | { unplaced: string } {
    const inst = this.instance(s);
    const name = this.deps.strategy.name;
    let placement: Placement;
    try {
      placement = this.deps.strategy.plan(inst);
    } catch (err) {
      return { unplaced: `strategy ${name} failed: ${(err as Error).message}` };
    }
    if (placement.assignment.length === 0) return { unplaced: `${name}: ${(placement.reasons?.length ? placement.reasons : ['rejected without a reason']).join(' | ')}` };
    const broken = violations(inst, placement.assignment);
    if (broken.length) return { unplaced: `${name} proposed ${placement.assignment.join('→')}, which breaks ${broken.join(' | ')}` };
    if (!(placement.feasible && Number.isFinite(placement.latencySeconds))) {
      placement = { feasible: true, latencySeconds: latencySeconds(inst, placement.assignment), assignment: placement.assignment };
    }
    return { placement, rate: inst.requestRate };
  }

  private enqueue(s: Stream, reason: string): void {
    this.clearSetup(s);
    this.dropPending(s);
    if (this.queue.has(s.key)) return this.queue.stillWaiting(s.key, reason);
    if (!this.queue.enabled) return this.drop(s, `no feasible placement: ${reason}`);
    if (!this.queue.add(s.key, s, s.arrival, reason)) {
      this.deps.queueEvent?.('full', s.key);
      return this.drop(s, `no feasible placement, and the queue is full (${this.queue.capacity} streams waiting): ${reason}`);
    }
    this.deps.queueEvent?.('queued', s.key);
    this.deps.log(`stream ${s.key}: waiting (${this.queue.length} waiting, up to ${this.queue.timeoutMs} ms) because ${reason}`);
    // The source holds its requests while the gateway keeps trying; a live version it may not use any more is withdrawn.
    if (s.live && (s.broken || !this.stillValid(s, s.live))) {
      this.event(s, 'retired', s.live);
      s.live = null;
    }
    this.deps.send(s.source, { t: 'unrouted', model: s.model.name, waiting: true, reason: wireReason(`no feasible placement yet: ${reason}`) });
  }

  /** The stream is given up on: the source fails what it holds, and asks again for new requests. */
  private drop(s: Stream, reason: string): void {
    this.deps.send(s.source, { t: 'unrouted', model: s.model.name, waiting: false, reason: wireReason(reason) });
    this.closeStream(s);
  }

  private issue(s: Stream, placement: Placement, rate: number): void {
    this.clearSetup(s);
    this.dropPending(s);
    const v: Version = { n: ++s.versions, assignment: placement.assignment, placement, rate, waitingFor: new Set(placement.assignment.filter((d) => d !== s.source)) };
    s.pending = v;
    s.signed.set(v.n, v.assignment);
    if (s.signed.size > SIGNED_VERSIONS_KEPT) s.signed.delete(s.signed.keys().next().value!);
    v.assignment.forEach((dev, i) => this.deps.registry.expose(dev, s.model.name, [i + 1]));
    this.event(s, 'issued', v);
    const timeoutMs = this.setupTimeoutMs + this.deliveryAllowanceMs(s, v);
    s.setupTimer = setTimeout(() => this.setupFailed(s, v, `version ${v.n}: ${[...v.waitingFor].join(', ')} not ready within ${Math.round(timeoutMs)} ms`), timeoutMs);
    s.setupTimer.unref?.();
    for (const dev of v.waitingFor) this.sendRoute(s, v, dev, false, false);
    if (v.waitingFor.size === 0) this.goLive(s);
  }

  private setupFailed(s: Stream, v: Version, why: string): void {
    s.setupTimer = null;
    if (s.pending !== v) return;
    this.dropPending(s);
    s.setupFailures++;
    this.deps.log(`stream ${s.key}: ${why}`);
    if (s.setupFailures >= this.maxSetupAttempts) {
      if (s.live && !s.broken && this.stillValid(s, s.live)) { s.setupFailures = 0; return; }
      return this.drop(s, `gave up after ${s.setupFailures} route versions failed to set up; last: ${why}`);
    }
    if (s.live) s.change = 'setup-failed';
    this.replan(s, 'setup-failed');
  }

  private goLive(s: Stream): void {
    const v = s.pending!;
    this.clearSetup(s);
    s.pending = null;
    s.setupFailures = 0;
    const old = s.live;
    const rerun = s.broken;
    s.live = v;
    s.broken = false;
    if (old) {
      this.changes++;
      this.event(s, 'retired', old);
    }
    this.event(s, 'live', v, old ? (s.change ?? 'recheck') : undefined);
    s.change = null;
    this.sendRoute(s, v, s.source, true, rerun);
    this.markCached(s, v, s.source); // after sending: the weights went with it
  }

  private clearSetup(s: Stream): void {
    if (s.setupTimer) clearTimeout(s.setupTimer);
    s.setupTimer = null;
  }

  private dropPending(s: Stream): void {
    if (!s.pending) return;
    this.event(s, 'retired', s.pending);
    s.pending = null;
  }

  private event(s: Stream, kind: RouteEvent['kind'], v: Version, change?: RouteChangeReason): void {
    this.deps.routeEvent?.({ kind, route: s.route, version: v.n, source: s.source, model: s.model.name, assignment: v.assignment, ...(change ? { change } : {}) });
  }

  private layersOf(v: Version, device: string): number[] {
    const out: number[] = [];
    v.assignment.forEach((d, i) => { if (d === device) out.push(i); });
    return out;
  }

  private markCached(s: Stream, v: Version, device: string): void {
    const rec = this.deps.registry.get(device);
    if (rec) for (const i of this.layersOf(v, device)) rec.cached.add(`${s.model.name}:${i}`);
  }

  /**
   * Time to get a version's weights onto devices that do not hold them yet, at each one's own
   * link rate, three times over: 60 KB of LeNet weights take ~3 s at QEMU's 0.2 Mbit/s.
   */
  private deliveryAllowanceMs(s: Stream, v: Version): number {
    let ms = 0;
    for (const dev of new Set(v.assignment)) {
      const rec = this.deps.registry.get(dev);
      if (!rec || dev === s.source) continue;
      const bytes = this.layersOf(v, dev).filter((i) => !rec.cached.has(`${s.model.name}:${i}`)).reduce((sum, i) => sum + s.model.costs[i]!.weightBytes, 0);
      if (bytes > 0 && rec.caps.rateBitsPerSecond > 0) ms += (8 * bytes * 1000) / rec.caps.rateBitsPerSecond;
    }
    return 3 * ms;
  }

  private sendRoute(s: Stream, v: Version, device: string, start: boolean, rerun: boolean): void {
    const rec = this.deps.registry.get(device);
    const layers = this.layersOf(v, device)
      .filter((i) => !rec?.cached.has(`${s.model.name}:${i}`))
      .map((index) => ({ index, layer: s.model.wireLayer(index) }));
    const peers: PeerKeys[] = [...new Set(v.assignment)].flatMap((id) => {
      const k = this.deps.registry.get(id)?.keys;
      return k ? [{ id, sign: k.signPublic, kex: k.kexPublic }] : [];
    });
    this.deps.send(device, { t: 'route', route: s.route, version: v.n, model: s.model.name, assignment: v.assignment, peers, layers, start, ...(rerun ? { rerun: true } : {}) });
  }

  /** The rate the stream is planned at: what it declared, or what it is measured sending when that is more. */
  private rateOf(s: Stream): number {
    const declared = s.declared ?? this.deps.registry.get(s.source)?.caps.requestRate ?? 1;
    const rates = this.deps.streamRates;
    return rates ? rates.planningRate(s.source, s.model.name, declared, (measured) => this.deps.overRate?.(s.source, s.model.name, measured, declared)) : declared;
  }

  private instance(s: Stream): Instance {
    const online = this.deps.registry.online();
    const load = new Map<string, number>();
    const linkLoad = new Map<string, number>();
    for (const other of this.streams.values()) {
      if (other === s) continue;
      const v = other.pending ?? other.live;
      if (!v) continue;
      v.assignment.forEach((dev, i) => {
        load.set(dev, (load.get(dev) ?? 0) + v.rate * other.model.costs[i]!.macs);
        if (i + 1 < v.assignment.length && v.assignment[i + 1] !== dev) linkLoad.set(dev, (linkLoad.get(dev) ?? 0) + v.rate * 8 * other.model.costs[i]!.outputBytes);
      });
    }
    return {
      requestRate: this.rateOf(s),
      privacy: this.deps.privacy,
      source: s.source,
      sourceMayComputeMiddle: false,
      model: { name: s.model.name, layers: s.model.costs },
      devices: online.map((d) => ({
        id: d.id,
        trusted: d.trusted || d.id === s.source,
        macsPerSecond: d.caps.macsPerSecond,
        loadMacsPerSecond: load.get(d.id) ?? 0,
        memoryBytes: d.caps.memoryBytes,
        rateBitsPerSecond: d.caps.rateBitsPerSecond,
        loadBitsPerSecond: linkLoad.get(d.id) ?? 0,
        exposed: [...(d.exposed.get(s.model.name) ?? [])],
      })),
    };
  }
}
