/**
 * The life of one inference request at the gateway: plan it on the live fleet, hand each device
 * the gateway-signed plan and the weights of exactly its layers, start the source once every
 * other hop is ready, and finish with a result or a reason. A request that loses a device,
 * times out or is refused by a hop is re-planned; after `maxAttempts` it fails with the reason.
 *
 * Placements come from the configured `Strategy` and are checked by `violations` before use, so a
 * strategy that can break constraints (rl-pdnn, static) never gets a bad plan onto the wire. A
 * request nothing fits right now waits in a bounded queue instead of failing: fleets change
 * (devices join, return, leave; streams move), and the queue is retried whenever they do.
 */
import { LIMITS, type Message, type MessageOf, type PeerKeys } from '@layerfleet/protocol';
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
  attempts: number;
  placement: string[];
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

/** What happened to a request in the queue: entered it, left it placed, timed out, or found it full. */
export type QueueEvent = 'queued' | 'dequeued' | 'timeout' | 'full';

export interface OrchestratorDeps {
  registry: Registry;
  models: ReadonlyMap<string, ModelEntry>;
  privacy: Privacy;
  strategy: Strategy;
  send(to: string, message: Message): void;
  finished(outcome: Outcome): void;
  log(line: string): void;
  queueEvent?(event: QueueEvent, request: string): void;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  maxInFlight?: number;
  /** requests waiting for a feasible placement at once (default 100); 0 fails them at once */
  maxQueued?: number;
  /** how long one waits for a feasible placement (default 5000 ms); 0 fails it at once */
  queueTimeoutMs?: number;
  /** each stream's measured request rate; a stream above its declared rate is planned at the measured one */
  streamRates?: StreamRates;
  /** a stream was found sending above its declared rate (called once per stream) */
  overRate?(source: string, model: string, measured: number, declared: number): void;
}

interface Request {
  id: string;
  source: string;
  model: ModelEntry;
  label?: number;
  attempt: number;
  placement: Placement | null;
  waitingFor: Set<string>;
  timer: NodeJS.Timeout | null;
  lastReason: string;
  /** arrival order, which the queue is retried in */
  arrival: number;
}

const keyOf = (req: Request) => `${req.source}/${req.id}`;

/** A reason as the wire takes it: the source's decoder refuses longer ones, and the whole text goes to telemetry anyway. */
const wireReason = (reason: string) => reason.length <= LIMITS.maxReasonLength ? reason : `${reason.slice(0, LIMITS.maxReasonLength - 1)}…`;

export class Orchestrator {
  private readonly requests = new Map<string, Request>();
  /** the latest placement of each source's stream: the load it puts on every device (4.b, 4.c) */
  private readonly streams = new Map<string, { rate: number; assignment: string[]; model: ModelEntry }>();
  private readonly attemptTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxInFlight: number;
  private readonly queue: RequestQueue<Request>;
  private arrivals = 0;
  private retry: NodeJS.Immediate | null = null;

  constructor(private readonly deps: OrchestratorDeps) {
    this.attemptTimeoutMs = deps.attemptTimeoutMs ?? 10_000;
    this.maxAttempts = deps.maxAttempts ?? 3;
    this.maxInFlight = deps.maxInFlight ?? 1000;
    const queueTimeoutMs = deps.queueTimeoutMs ?? 5000;
    this.queue = new RequestQueue<Request>({
      capacity: deps.maxQueued ?? 100,
      timeoutMs: queueTimeoutMs,
      expired: (key, req, reason) => {
        this.deps.queueEvent?.('timeout', key);
        this.deps.log(`request ${key}: nothing feasible within ${queueTimeoutMs} ms, failing it`);
        this.finish(req, { outcome: 'failed', reason: `no feasible placement within ${queueTimeoutMs} ms: ${reason}` });
      },
    });
  }

  /** requests accepted and not finished, the queued ones included */
  get inFlight(): number { return this.requests.size; }
  /** requests waiting in the queue for a feasible placement */
  get waiting(): number { return this.queue.length; }

  infer(source: DeviceRecord, msg: MessageOf<'infer'>): void {
    const key = `${source.id}/${msg.requestId}`;
    const model = this.deps.models.get(msg.model);
    const base = { requestId: msg.requestId, source: source.id, model: msg.model, attempts: 0, placement: [], ...(msg.label === undefined ? {} : { label: msg.label }) };
    if (!model) return this.reject(source.id, { ...base, reason: `unknown model ${JSON.stringify(msg.model)} (have ${[...this.deps.models.keys()].join(', ')})` });
    this.deps.streamRates?.arrival(source.id, model.name);
    if (this.requests.has(key)) return this.deps.log(`duplicate request ${key} ignored`);
    if (this.requests.size >= this.maxInFlight) return this.reject(source.id, { ...base, reason: `gateway busy: ${this.maxInFlight} requests in flight` });
    const req: Request = { id: msg.requestId, source: source.id, model, attempt: -1, placement: null, waitingFor: new Set(), timer: null, lastReason: '', arrival: ++this.arrivals, ...(msg.label === undefined ? {} : { label: msg.label }) };
    this.requests.set(key, req);
    this.nextAttempt(req, 'first attempt');
  }

  ready(from: string, msg: MessageOf<'ready'>, source: string): void {
    const req = this.current(source, msg.requestId, msg.attempt);
    if (!req || !req.waitingFor.delete(from)) return;
    for (const layer of this.layersOf(req, from)) this.deps.registry.get(from)?.cached.add(`${req.model.name}:${layer}`);
    if (req.waitingFor.size === 0) this.sendPlan(req, req.source, true);
  }

  /**
   * A result is accepted from any attempt: when a hop dies just after passing its activation on,
   * the request is re-planned although the first attempt completes, and that answer is as good.
   */
  result(from: string, msg: MessageOf<'result'>): void {
    const req = this.requests.get(`${from}/${msg.requestId}`);
    if (!req) return;
    for (const layer of this.layersOf(req, from)) this.deps.registry.get(from)?.cached.add(`${req.model.name}:${layer}`);
    this.finish(req, {
      outcome: 'completed',
      predicted: msg.predicted,
      totalMs: msg.totalMs,
      hops: msg.trace,
      ...(msg.claim ? { resultClaim: msg.claim } : {}),
      ...(req.label === undefined ? {} : { correct: req.label === msg.predicted }),
    });
  }

  /** A hop refused or could not compute: re-plan. `requestSource` scopes the request id. */
  failed(from: string, msg: MessageOf<'failed'>, requestSource: string): void {
    const req = this.current(requestSource, msg.requestId, msg.attempt);
    if (!req) return;
    this.nextAttempt(req, `${from} reported: ${msg.reason}`);
  }

  /**
   * Re-plans every in-flight request that relied on a device that went away, then retries the
   * queue: a source that left takes its stream's standing load with it.
   */
  deviceLost(id: string): void {
    this.streams.delete(id);
    for (const req of [...this.requests.values()]) {
      if (req.source === id) { this.finish(req, { outcome: 'failed', reason: `source ${id} went offline` }); continue; }
      if (this.queue.has(keyOf(req))) continue; // its old placement is gone already; the retry below covers it
      if (req.placement?.assignment.includes(id)) this.nextAttempt(req, `device ${id} went offline mid-request`);
    }
    this.retryQueue(`${id} went offline`);
  }

  /** A device joined, returned or announced new capabilities: what waits may fit now. */
  deviceJoined(id: string): void {
    this.retryQueue(`${id} came online`);
  }

  /** Which source a request id belongs to, for messages from hops that name only the id. */
  sourceOf(requestId: string, from: string): string | undefined {
    for (const req of this.requests.values()) if (req.id === requestId && req.placement?.assignment.includes(from)) return req.source;
    return undefined;
  }

  close(): void {
    for (const req of this.requests.values()) if (req.timer) clearTimeout(req.timer);
    this.requests.clear();
    this.queue.clear();
    if (this.retry) clearImmediate(this.retry);
    this.retry = null;
  }

  /** The request's live attempt; a queued request has none, whatever its last attempt's hops still say. */
  private current(source: string, requestId: string, attempt: number): Request | undefined {
    const key = `${source}/${requestId}`;
    const req = this.requests.get(key);
    return req && req.attempt === attempt && !this.queue.has(key) ? req : undefined;
  }

  private layersOf(req: Request, device: string): number[] {
    const out: number[] = [];
    req.placement?.assignment.forEach((d, i) => { if (d === device) out.push(i); });
    return out;
  }

  /**
   * Plans the request's next attempt, or queues it when nothing fits. Only attempts that were sent
   * count towards `maxAttempts`: waiting is bounded by the queue's timeout instead.
   */
  private nextAttempt(req: Request, why: string): void {
    if (req.timer) clearTimeout(req.timer);
    req.timer = null;
    req.lastReason = why;
    if (req.attempt + 1 >= this.maxAttempts) return this.finish(req, { outcome: 'failed', reason: `gave up after ${req.attempt + 1} attempts; last: ${why}` });
    if (req.attempt >= 0) this.deps.log(`request ${keyOf(req)}: re-planning (attempt ${req.attempt + 2}) because ${why}`);
    const planned = this.place(req);
    if ('unplaced' in planned) return this.enqueue(req, planned.unplaced);
    this.launch(req, planned.inst, planned.placement);
  }

  /**
   * The strategy's placement for the request on the fleet as it is now, if it breaks no
   * constraint; otherwise why not, naming the strategy.
   */
  private place(req: Request): { inst: Instance; placement: Placement } | { unplaced: string } {
    const inst = this.instance(req);
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
    if (placement.feasible && Number.isFinite(placement.latencySeconds)) return { inst, placement };
    return { inst, placement: { feasible: true, latencySeconds: latencySeconds(inst, placement.assignment), assignment: placement.assignment } };
  }

  private enqueue(req: Request, reason: string): void {
    const key = keyOf(req);
    req.waitingFor.clear();
    if (!this.queue.enabled) return this.finish(req, { outcome: 'failed', reason: `no feasible placement: ${reason}` });
    if (!this.queue.add(key, req, req.arrival, reason)) {
      this.deps.queueEvent?.('full', key);
      return this.finish(req, { outcome: 'failed', reason: `no feasible placement, and the queue is full (${this.queue.capacity} waiting): ${reason}` });
    }
    this.deps.queueEvent?.('queued', key);
    this.deps.log(`request ${key}: queued (${this.queue.length} waiting, up to ${this.queue.timeoutMs} ms) because ${reason}`);
  }

  /** Places what fits of the queue, oldest first; each placement's load counts for those after it. */
  private retryQueue(why: string): void {
    if (this.retry) { clearImmediate(this.retry); this.retry = null; }
    for (const { key, item: req } of this.queue.inArrivalOrder()) {
      if (!this.queue.has(key)) continue;
      const planned = this.place(req);
      if ('unplaced' in planned) { this.queue.stillWaiting(key, planned.unplaced); continue; }
      this.queue.remove(key);
      this.deps.queueEvent?.('dequeued', key);
      this.deps.log(`request ${key}: placed from the queue after ${why}`);
      this.launch(req, planned.inst, planned.placement);
    }
  }

  /** Retries the queue once the current burst of events is handled, not once per event. */
  private scheduleRetry(why: string): void {
    if (this.queue.length === 0 || this.retry) return;
    this.retry = setImmediate(() => { this.retry = null; this.retryQueue(why); });
  }

  private launch(req: Request, inst: Instance, placement: Placement): void {
    req.attempt++;
    req.placement = placement;
    this.streams.set(req.source, { rate: inst.requestRate, assignment: placement.assignment, model: req.model });
    placement.assignment.forEach((dev, i) => this.deps.registry.expose(dev, req.model.name, [i + 1]));
    req.waitingFor = new Set(placement.assignment.filter((d) => d !== req.source));
    const timeoutMs = this.attemptTimeoutMs + this.deliveryAllowanceMs(req, placement);
    req.timer = setTimeout(() => this.nextAttempt(req, `attempt ${req.attempt + 1} timed out after ${Math.round(timeoutMs)} ms`), timeoutMs);
    req.timer.unref?.();
    for (const dev of req.waitingFor) this.sendPlan(req, dev, false);
    if (req.waitingFor.size === 0) this.sendPlan(req, req.source, true);
  }

  /**
   * Time to get this attempt's weights onto devices that do not hold them yet, at each one's
   * own link rate, three times over. A fixed timeout would fail every first request to a board
   * on a slow serial line (60 KB of LeNet weights take ~3 s at QEMU's 0.2 Mbit/s, longer at
   * 115200 baud) and re-plan it onto the same board, again and again.
   */
  private deliveryAllowanceMs(req: Request, placement: Placement): number {
    let ms = 0;
    for (const dev of new Set(placement.assignment)) {
      const rec = this.deps.registry.get(dev);
      if (!rec || dev === req.source) continue;
      const bytes = this.layersOf(req, dev).filter((i) => !rec.cached.has(`${req.model.name}:${i}`)).reduce((sum, i) => sum + req.model.costs[i]!.weightBytes, 0);
      if (bytes > 0 && rec.caps.rateBitsPerSecond > 0) ms += (8 * bytes * 1000) / rec.caps.rateBitsPerSecond;
    }
    return 3 * ms;
  }

  private sendPlan(req: Request, device: string, start: boolean): void {
    const placement = req.placement!;
    const rec = this.deps.registry.get(device);
    const layers = this.layersOf(req, device)
      .filter((i) => !rec?.cached.has(`${req.model.name}:${i}`))
      .map((index) => ({ index, layer: req.model.wireLayer(index) }));
    const peers: PeerKeys[] = [...new Set(placement.assignment)].flatMap((id) => {
      const k = this.deps.registry.get(id)?.keys;
      return k ? [{ id, sign: k.signPublic, kex: k.kexPublic }] : [];
    });
    this.deps.send(device, { t: 'plan', requestId: req.id, attempt: req.attempt, model: req.model.name, assignment: placement.assignment, peers, layers, start });
  }

  private instance(req: Request): Instance {
    const online = this.deps.registry.online();
    const source = this.deps.registry.get(req.source);
    const load = new Map<string, number>();
    const linkLoad = new Map<string, number>();
    for (const [src, s] of this.streams) {
      if (src === req.source) continue;
      s.assignment.forEach((dev, i) => {
        load.set(dev, (load.get(dev) ?? 0) + s.rate * s.model.costs[i]!.macs);
        if (i + 1 < s.assignment.length && s.assignment[i + 1] !== dev) linkLoad.set(dev, (linkLoad.get(dev) ?? 0) + s.rate * 8 * s.model.costs[i]!.outputBytes);
      });
    }
    const declared = source?.caps.requestRate ?? 1;
    const rates = this.deps.streamRates;
    const requestRate = rates ? rates.planningRate(req.source, req.model.name, declared, (measured) => this.deps.overRate?.(req.source, req.model.name, measured, declared)) : declared;
    return {
      requestRate,
      privacy: this.deps.privacy,
      source: req.source,
      sourceMayComputeMiddle: false,
      model: { name: req.model.name, layers: req.model.costs },
      devices: online.map((d) => ({
        id: d.id,
        trusted: d.trusted || d.id === req.source,
        macsPerSecond: d.caps.macsPerSecond,
        loadMacsPerSecond: load.get(d.id) ?? 0,
        memoryBytes: d.caps.memoryBytes,
        rateBitsPerSecond: d.caps.rateBitsPerSecond,
        loadBitsPerSecond: linkLoad.get(d.id) ?? 0,
        exposed: [...(d.exposed.get(req.model.name) ?? [])],
      })),
    };
  }

  private reject(source: string, outcome: Omit<Outcome, 'outcome'>): void {
    this.deps.send(source, { t: 'failed', requestId: outcome.requestId, attempt: 0, reason: wireReason(outcome.reason ?? 'rejected') });
    this.deps.finished({ ...outcome, outcome: 'failed' });
  }

  private finish(req: Request, end: Partial<Outcome> & Pick<Outcome, 'outcome'>): void {
    if (req.timer) clearTimeout(req.timer);
    const key = keyOf(req);
    this.queue.remove(key);
    this.requests.delete(key);
    // a request that never got a plan out is at attempt -1, which the wire does not take
    if (end.outcome === 'failed') this.deps.send(req.source, { t: 'failed', requestId: req.id, attempt: Math.max(0, req.attempt), reason: wireReason(end.reason ?? 'failed') });
    this.deps.finished({
      requestId: req.id,
      source: req.source,
      model: req.model.name,
      attempts: req.attempt + 1,
      placement: req.placement?.assignment ?? [],
      ...(req.label === undefined ? {} : { label: req.label }),
      ...(req.placement?.feasible ? { latencyModelSeconds: req.placement.latencySeconds } : {}),
      ...end,
    });
    this.scheduleRetry(`request ${key} finished`);
  }
}
