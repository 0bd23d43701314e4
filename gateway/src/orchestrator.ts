/**
 * The life of one inference request at the gateway: plan it on the live fleet, hand each device
 * the gateway-signed plan and the weights of exactly its layers, start the source once every
 * other hop is ready, and finish with a result or a reason. A request that loses a device,
 * times out or is refused by a hop is re-planned; after `maxAttempts` it fails with the reason.
 */
import type { Message, MessageOf, PeerKeys } from '@layerfleet/protocol';
import { planSegmentDp, type Instance, type Placement, type Privacy } from './planner/index.js';
import type { DeviceRecord, Registry } from './registry.js';
import type { ModelEntry } from './model-catalog.js';

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
  hops?: MessageOf<'result'>['trace'];
  latencyModelSeconds?: number;
}

export interface OrchestratorDeps {
  registry: Registry;
  models: ReadonlyMap<string, ModelEntry>;
  privacy: Privacy;
  send(to: string, message: Message): void;
  finished(outcome: Outcome): void;
  log(line: string): void;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  maxInFlight?: number;
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
}

export class Orchestrator {
  private readonly requests = new Map<string, Request>();
  /** the latest placement of each source's stream: the load it puts on every device (4.b, 4.c) */
  private readonly streams = new Map<string, { rate: number; assignment: string[]; model: ModelEntry }>();
  private readonly attemptTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxInFlight: number;

  constructor(private readonly deps: OrchestratorDeps) {
    this.attemptTimeoutMs = deps.attemptTimeoutMs ?? 10_000;
    this.maxAttempts = deps.maxAttempts ?? 3;
    this.maxInFlight = deps.maxInFlight ?? 1000;
  }

  get inFlight(): number { return this.requests.size; }

  infer(source: DeviceRecord, msg: MessageOf<'infer'>): void {
    const key = `${source.id}/${msg.requestId}`;
    const model = this.deps.models.get(msg.model);
    const base = { requestId: msg.requestId, source: source.id, model: msg.model, attempts: 0, placement: [], ...(msg.label === undefined ? {} : { label: msg.label }) };
    if (!model) return this.reject(source.id, { ...base, reason: `unknown model ${JSON.stringify(msg.model)} (have ${[...this.deps.models.keys()].join(', ')})` });
    if (this.requests.has(key)) return this.deps.log(`duplicate request ${key} ignored`);
    if (this.requests.size >= this.maxInFlight) return this.reject(source.id, { ...base, reason: `gateway busy: ${this.maxInFlight} requests in flight` });
    const req: Request = { id: msg.requestId, source: source.id, model, attempt: -1, placement: null, waitingFor: new Set(), timer: null, lastReason: '', ...(msg.label === undefined ? {} : { label: msg.label }) };
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
      ...(req.label === undefined ? {} : { correct: req.label === msg.predicted }),
    });
  }

  /** A hop refused or could not compute: re-plan. `requestSource` scopes the request id. */
  failed(from: string, msg: MessageOf<'failed'>, requestSource: string): void {
    const req = this.current(requestSource, msg.requestId, msg.attempt);
    if (!req) return;
    this.nextAttempt(req, `${from} reported: ${msg.reason}`);
  }

  /** Re-plans every in-flight request that relied on a device that went away. */
  deviceLost(id: string): void {
    for (const req of [...this.requests.values()]) {
      if (req.source === id) { this.finish(req, { outcome: 'failed', reason: `source ${id} went offline` }); continue; }
      if (req.placement?.assignment.includes(id)) this.nextAttempt(req, `device ${id} went offline mid-request`);
    }
    this.streams.delete(id);
  }

  /** Which source a request id belongs to, for messages from hops that name only the id. */
  sourceOf(requestId: string, from: string): string | undefined {
    for (const req of this.requests.values()) if (req.id === requestId && req.placement?.assignment.includes(from)) return req.source;
    return undefined;
  }

  close(): void {
    for (const req of this.requests.values()) if (req.timer) clearTimeout(req.timer);
    this.requests.clear();
  }

  private current(source: string, requestId: string, attempt: number): Request | undefined {
    const req = this.requests.get(`${source}/${requestId}`);
    return req && req.attempt === attempt ? req : undefined;
  }

  private layersOf(req: Request, device: string): number[] {
    const out: number[] = [];
    req.placement?.assignment.forEach((d, i) => { if (d === device) out.push(i); });
    return out;
  }

  private nextAttempt(req: Request, why: string): void {
    if (req.timer) clearTimeout(req.timer);
    req.lastReason = why;
    if (req.attempt + 1 >= this.maxAttempts) return this.finish(req, { outcome: 'failed', reason: `gave up after ${req.attempt + 1} attempts; last: ${why}` });
    req.attempt++;
    if (req.attempt > 0) this.deps.log(`request ${req.source}/${req.id}: re-planning (attempt ${req.attempt + 1}) because ${why}`);
    const inst = this.instance(req);
    const placement = planSegmentDp(inst);
    if (!placement.feasible) return this.finish(req, { outcome: 'failed', reason: `no feasible placement: ${(placement.reasons ?? []).join(' | ')}` });
    req.placement = placement;
    this.streams.set(req.source, { rate: inst.requestRate, assignment: placement.assignment, model: req.model });
    placement.assignment.forEach((dev, i) => this.deps.registry.expose(dev, req.model.name, [i + 1]));
    req.waitingFor = new Set(placement.assignment.filter((d) => d !== req.source));
    req.timer = setTimeout(() => this.nextAttempt(req, `attempt ${req.attempt + 1} timed out after ${this.attemptTimeoutMs} ms`), this.attemptTimeoutMs);
    req.timer.unref?.();
    for (const dev of req.waitingFor) this.sendPlan(req, dev, false);
    if (req.waitingFor.size === 0) this.sendPlan(req, req.source, true);
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
    return {
      requestRate: source?.caps.requestRate ?? 1,
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
    this.deps.send(source, { t: 'failed', requestId: outcome.requestId, attempt: 0, reason: outcome.reason ?? 'rejected' });
    this.deps.finished({ ...outcome, outcome: 'failed' });
  }

  private finish(req: Request, end: Partial<Outcome> & Pick<Outcome, 'outcome'>): void {
    if (req.timer) clearTimeout(req.timer);
    this.requests.delete(`${req.source}/${req.id}`);
    if (end.outcome === 'failed') this.deps.send(req.source, { t: 'failed', requestId: req.id, attempt: req.attempt, reason: end.reason ?? 'failed' });
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
  }
}
