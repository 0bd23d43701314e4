/**
 * The device agent: connects to the broker as its device id, announces signed capabilities,
 * installs the gateway-signed standing routes it is a hop of (with the weights of exactly its
 * layers), computes its layers of every request on them and forwards activations to the next
 * hop, encrypted to it. A source additionally starts requests on its stream's route and
 * computes the last layer (see source.ts).
 *
 * An activation is accepted only for a route version the gateway signed and this device holds,
 * for a layer of it assigned to this device, from the hop before it. One that arrives before its
 * route (the route's `route` message and the previous hop's activation race through the broker)
 * is held, boundedly and briefly, until the route is installed; the rest are refused and counted.
 */
import { randomUUID } from 'node:crypto';
import { freemem } from 'node:os';
import type { IClientOptions, MqttClient } from 'mqtt';
import {
  SecureEndpoint, Rejected, ROUTE_SETUP_REQUEST, Rejections, BoundedCache, topics, loadOrCreateDeviceKeys, mqttCredentials, signClaim, signerFromKeys,
  type Capabilities, type Message, type MessageOf, type PublicDeviceKeys, type HopTiming, type ClaimInput,
} from '@layerfleet/protocol';
import { LayerStore } from './layer-store.js';
import type { LayerKernels } from './layer-kernels.js';
import type { LayerExecutor } from './layer-executor.js';
import { connectOrEnrol, enrolDevice } from './enrol.js';
import { connectDevice, rotateDeviceKeys, settleKeyFiles, type RotationOutcome } from './rotate-keys.js';
import { MacsBudget } from './macs-budget.js';

export interface AgentOptions {
  id: string;
  brokerUrl: string;
  stateDir: string;
  gateway: PublicDeviceKeys;
  role?: Capabilities['role'];
  measuredMacsPerSecond: number;
  /** MAC/s offered to the fleet; defaults to what the self-benchmark measured */
  macsBudget?: number;
  memoryBytes?: number;
  rateBitsPerSecond?: number;
  requestRate?: number;
  heartbeatMs?: number;
  log?: (line: string) => void;
  /** Where assigned layers run; this process's int8 kernels unless a board is attached. */
  executor?: LayerExecutor;
  /** The kernels an in-process executor runs (chooseKernels); TypeScript when not given. */
  kernels?: LayerKernels;
  /** More fields for the retained `load` telemetry (a board's line counters, say). */
  loadTelemetry?: () => Record<string, unknown>;
  /**
   * What enrols this device if the broker does not know it yet: a one-time token (`layerfleet
   * enroll`), or a function making one when needed (a board host's vouch, protocol/src/vouch.ts).
   */
  enrolToken?: string | (() => string);
  /**
   * The fleet CA (PEM; the gateway's DIR/tls/ca.crt) that an mqtts:// or wss:// broker's
   * certificate must chain to. Without it, the system's CAs; an unverified broker is never accepted.
   */
  ca?: Buffer | string;
}

/** Messages a device holds while (re)connecting, before its hello: a source's requests, a hop's results. */
const MAX_HELD_FOR_HELLO = 256;
/** Route versions a device keeps: requests under way on a superseded one still finish on it. */
const ROUTES_KEPT = 256;
/** Activations held for a route not installed yet, at most, and for how long. */
const MAX_EARLY_ACTIVATIONS = 64;
const EARLY_ACTIVATION_WAIT_MS = 5000;

/** A standing route version as a hop or source holds it. */
export interface ActiveRoute { route: string; version: number; model: string; assignment: string[] }

const routeKey = (route: string, version: number) => `${route}#${version}`;

/** What a source does as its stream's routes come and go, and when a request's last layer is back. */
export interface SourceHooks {
  /** A route version is live for the source's stream; `rerun`: requests under way on older versions cannot finish there. */
  routeReady(route: ActiveRoute, rerun: boolean): void;
  /** No route for the stream: `waiting`, the gateway keeps trying; else it gave up. */
  unrouted(model: string, reason: string, waiting: boolean): void;
  finished(requestId: string, attempt: number, route: ActiveRoute, logits: Int8Array, trace: HopTiming[]): void;
  /** A hop could not run its layers of this attempt of the request. */
  failed(requestId: string, attempt: number, reason: string): void;
}

export class Agent {
  readonly rejections: Rejections;
  readonly layers: LayerExecutor;
  readonly routes = new BoundedCache<ActiveRoute>(ROUTES_KEPT);
  /** Activations that came before their route, by route key; see the file comment. */
  private readonly early = new Map<string, Array<{ sender: string; message: MessageOf<'act'>; timer: NodeJS.Timeout }>>();
  private earlyCount = 0;
  computedLayers = 0;
  /** Its MAC/s budget, enforced before each job (macs-budget.ts); the `load` telemetry's figures come from it. */
  budget: MacsBudget;
  private lastReport: ReturnType<MacsBudget['totals']>;
  private loadSeq = 0;
  /**
   * The `status` topic's sequence: each connection's `online` takes the next number and its last
   * will (or the gateway's `offline` for it) the one after, so a dashboard sees an unbroken
   * sequence across drops; see `willFor`.
   */
  private statusSeq = 0;
  private connected = false;
  /** Whether this connection's hello has gone out; see send(). */
  private helloSent = false;
  private readonly heldForHello: Array<{ to: string; message: Message }> = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private sourceHooks: SourceHooks | null = null;
  /** Set while a key rotation waits for the gateway's `rotated`. */
  private rotation: ((m: MessageOf<'rotated'>) => void) | null = null;

  private constructor(readonly opts: AgentOptions, readonly endpoint: SecureEndpoint, readonly client: MqttClient, readonly bootId: string) {
    this.rejections = new Rejections((line) => this.log(line));
    this.layers = opts.executor ?? new LayerStore(opts.kernels);
    this.budget = new MacsBudget(this.capabilities().macsPerSecond);
    this.lastReport = this.budget.totals();
  }

  static async start(opts: AgentOptions): Promise<Agent> {
    const staged = await settleKeyFiles(opts.stateDir, opts.id); // before loading: a rotation cut short may have left half a pair
    const keys = await loadOrCreateDeviceKeys(opts.stateDir, opts.id);
    const endpoint = new SecureEndpoint(keys);
    endpoint.addPeer(opts.gateway);
    const bootId = randomUUID().slice(0, 8);
    const log = (line: string) => opts.log?.(`[${opts.id}] ${line}`);
    let agent: Agent | undefined;
    const reEnrol = reEnrolment(opts, endpoint, log);
    const connect = () => connectDevice(opts.brokerUrl, endpoint, opts.stateDir, {
      clean: true,
      // Nothing sent while disconnected is worth sending later: heartbeats and load are stale, an
      // activation's request has been re-planned, and queued messages would reach a restarted
      // gateway before this device's hello.
      queueQoSZero: false,
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      rejectUnauthorized: true,
      will: willFor(opts.id, bootId, 0),
    }, staged, log, {
      // A fresh credential for every reconnect (the broker bounds a credential's age), from the
      // endpoint's keys, which are the new ones after a rotation; and a will that follows on
      // from this boot's last status.
      beforeReconnect: (o) => Object.assign(o, mqttCredentials(endpoint.keys), { will: willFor(opts.id, bootId, agent?.statusSeq ?? 0) }),
      onRefused: (err) => reEnrol(err),
    });
    const client = await connectOrEnrol({
      stateDir: opts.stateDir, gateway: opts.gateway, endpoint, brokerUrl: opts.brokerUrl, token: opts.enrolToken,
      ...(opts.ca === undefined ? {} : { ca: opts.ca }), connect, log,
    });
    agent = new Agent(opts, endpoint, client, bootId);
    const self = agent;
    client.on('message', (topic, payload) => self.receive(topic, payload));
    // Each reconnect says hello again and republishes the retained status and load, so a gateway
    // that restarted (and its dashboards) rebuild their view from the devices themselves.
    // A clean session starts with no subscriptions (and healing-connection.ts reconnects by hand,
    // so mqtt.js's own resubscribe does not apply): the inbox first, then the hello it answers.
    client.on('connect', () => {
      self.connected = true;
      noDelay(client);
      client.subscribeAsync(topics.deviceInbox(opts.id), { qos: 0 })
        .then(() => self.announce(), (err: Error) => log(`cannot subscribe to the inbox again: ${err.message}`))
        .then(() => self.publishLoad(), () => {});
    });
    client.on('close', () => {
      self.helloSent = false;
      if (!self.connected) return;
      self.connected = false;
      self.statusSeq++; // taken by this connection's will, or by the gateway's `offline` for it
    });
    self.connected = true;
    noDelay(client);
    await client.subscribeAsync(topics.deviceInbox(opts.id), { qos: 0 });
    await self.announce();
    self.heartbeat = setInterval(() => self.beat(), opts.heartbeatMs ?? 2000);
    return self;
  }

  get id(): string { return this.opts.id; }

  capabilities(): Capabilities {
    const o = this.opts;
    return {
      macsPerSecond: Math.min(o.macsBudget ?? o.measuredMacsPerSecond, o.measuredMacsPerSecond),
      measuredMacsPerSecond: o.measuredMacsPerSecond,
      memoryBytes: o.memoryBytes ?? freemem(),
      rateBitsPerSecond: o.rateBitsPerSecond ?? 100e6,
      role: o.role ?? 'worker',
      ...(o.requestRate === undefined ? {} : { requestRate: o.requestRate }),
    };
  }

  async announce(): Promise<void> {
    const caps = this.capabilities();
    this.client.publish(topics.deviceStatus(this.id), JSON.stringify({ state: 'online', role: caps.role, macsPerSecond: caps.macsPerSecond, ts: Date.now(), seq: ++this.statusSeq, bootId: this.bootId }), { qos: 1, retain: true });
    const k = this.endpoint.keys;
    this.send('gateway', { t: 'hello', sign: k.signPublic, kex: k.kexPublic, bootId: this.bootId, caps });
    this.helloSent = true;
    const held = this.heldForHello.splice(0);
    for (const { to, message } of held) this.send(to, message);
  }

  private holdForHello(to: string, message: Message): void {
    // Heartbeats are sent again anyway; anything else waits, the oldest dropped past the bound.
    if (message.t === 'heartbeat') return;
    if (this.heldForHello.push({ to, message }) > MAX_HELD_FOR_HELLO) {
      const dropped = this.heldForHello.shift()!;
      this.rejections.count('held-too-long', `${dropped.message.t} to ${dropped.to}: more than ${MAX_HELD_FOR_HELLO} messages waited for the connection's hello`);
    }
  }

  attachSource(hooks: SourceHooks): void { this.sourceHooks = hooks; }

  /**
   * Offers a new MAC/s budget to the fleet (a device that saturates, or is given more work of its
   * own): enforced from now on, and announced, so the gateway re-checks every route through it.
   */
  async setMacsBudget(macsPerSecond: number): Promise<void> {
    if (!(macsPerSecond > 0)) throw new RangeError(`MAC/s budget: expected a number > 0, got ${macsPerSecond}`);
    this.opts.macsBudget = macsPerSecond;
    this.budget = new MacsBudget(this.capabilities().macsPerSecond);
    this.lastReport = this.budget.totals();
    await this.announce();
  }

  /** Heartbeat to the gateway, and the retained `load` telemetry a dashboard shows per device. */
  private beat(): void {
    this.send('gateway', { t: 'heartbeat', bootId: this.bootId, queue: this.budget.queued });
    this.publishLoad();
  }

  private publishLoad(): void {
    const caps = this.capabilities();
    // budget drawn in the window, on the limiter's own clock: never above the budget (macs-budget.ts)
    const now = this.budget.totals(), last = this.lastReport;
    const seconds = Math.max(1e-3, (now.at - last.at) / 1000);
    this.lastReport = now;
    this.client.publish(topics.deviceLoad(this.id), JSON.stringify({
      macsPerSecondBudget: caps.macsPerSecond, macsPerSecondUsed: Math.floor((now.spent - last.spent) / seconds),
      macsPerSecondComputed: Math.round((now.computed - last.computed) / seconds), budgetBurstMacs: Math.round(this.budget.burst), budgetQueued: this.budget.queued,
      measuredMacsPerSecond: Math.round(caps.measuredMacsPerSecond),
      memoryBytes: caps.memoryBytes, layersHeld: this.layers.size, computedLayers: this.computedLayers, routes: this.routes.size,
      rejections: this.rejections.toJSON(), ...this.opts.loadTelemetry?.(), ts: Date.now(), seq: ++this.loadSeq, bootId: this.bootId,
    }), { qos: 0, retain: true });
  }

  send(to: string, message: Message): void {
    // Until this connection's hello is out, the gateway would refuse anything else from us as
    // from an unknown sender (a restarted gateway knows nobody yet): hold it, bounded, until then.
    if (!this.helloSent && message.t !== 'hello') return this.holdForHello(to, message);
    const topic = to === 'gateway' ? topics.gatewayInbox : topics.deviceInbox(to);
    try {
      this.client.publish(topic, Buffer.from(this.endpoint.seal(to, topic, message)), { qos: 0 });
    } catch (err) {
      this.log(`cannot send ${message.t} to ${to}: ${(err as Error).message}`);
    }
  }

  /** Says goodbye on the status topic if the broker is still there; never waits more than `graceMs`. */
  async close(graceMs = 1000): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const held of this.early.values()) for (const e of held) clearTimeout(e.timer);
    this.early.clear();
    const goodbye = this.client.connected
      ? this.client.publishAsync(topics.deviceStatus(this.id), JSON.stringify({ state: 'offline', reason: 'shut down', ts: Date.now(), seq: ++this.statusSeq, bootId: this.bootId }), { qos: 1, retain: true }).then(() => this.client.endAsync())
      : Promise.reject(new Error('not connected'));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('broker gone')), graceMs); });
    await Promise.race([goodbye, late]).catch(() => this.client.endAsync(true)).finally(() => clearTimeout(timer));
  }

  log(line: string): void { this.opts.log?.(`[${this.id}] ${line}`); }

  /**
   * A ledger claim signed by this device, for the gateway to record as this device's word. Signed
   * with the keys of the moment: after a rotation the gateway's ledger knows only the new ones.
   * Undefined if it cannot be signed; the gateway then records the action as witnessed, not signed.
   */
  signLedgerClaim(input: ClaimInput): Uint8Array | undefined {
    try {
      return signClaim(input, signerFromKeys(this.endpoint.keys));
    } catch (err) {
      this.log(`cannot sign the ${input.action} claim: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Rotates this device's keys while it runs (rotate-keys.ts), then reconnects to the broker with
   * the new key's credentials so that the old key admits nothing, not even this connection. Throws,
   * still on the old keys, when the gateway does not answer within `timeoutMs`.
   */
  async rotateKeys(timeoutMs = 10_000): Promise<RotationOutcome> {
    if (this.rotation) throw new Error(`key rotation of ${this.id}: one is already in progress`);
    try {
      const outcome = await rotateDeviceKeys({
        endpoint: this.endpoint, stateDir: this.opts.stateDir, timeoutMs,
        exchange: (rotate) => new Promise((resolve) => { this.rotation = resolve; this.send('gateway', rotate); }),
      });
      Object.assign(this.client.options, mqttCredentials(this.endpoint.keys));
      this.client.reconnect(); // a clean DISCONNECT, then CONNECT with the new credential; 'connect' says hello again
      return outcome;
    } finally {
      this.rotation = null;
    }
  }

  private receive(topic: string, payload: Buffer): void {
    let sender: string, message: Message;
    try {
      ({ sender, message } = this.endpoint.open(topic, payload));
    } catch (err) {
      if (err instanceof Rejected) return this.rejections.count(err.reason, err.message);
      return this.rejections.count('internal', (err as Error).message);
    }
    try {
      switch (message.t) {
        case 'route': return void this.onRoute(sender, message).catch((err: Error) => this.rejections.count('bad-request', `route from ${sender}: ${err.message}`));
        case 'act': return this.onActivation(sender, message);
        case 'failed': return this.onFailed(sender, message);
        case 'unrouted': return sender === 'gateway' ? this.sourceHooks?.unrouted(message.model, message.reason, message.waiting) : this.rejections.count('not-from-gateway', `unrouted from ${sender}`);
        case 'rotated': return sender === 'gateway' && this.rotation ? this.rotation(message) : this.rejections.count('unexpected-message', `rotated from ${sender} while no rotation is waiting`);
        default: return this.rejections.count('unexpected-message', `${message.t} from ${sender} is not for a device`);
      }
    } catch (err) {
      this.rejections.count('bad-request', `${message.t} from ${sender}: ${(err as Error).message}`);
    }
  }

  /** Installs a route version: its peers' keys, the weights of this device's layers; then `ready` (a hop) or go (the source). */
  private async onRoute(sender: string, m: MessageOf<'route'>): Promise<void> {
    if (sender !== 'gateway') return this.rejections.count('not-from-gateway', `route ${m.route} signed by ${sender}, not the gateway`);
    for (const peer of m.peers) if (peer.id !== this.id) this.endpoint.addPeer({ id: peer.id, signPublic: peer.sign, kexPublic: peer.kex });
    const route: ActiveRoute = { route: m.route, version: m.version, model: m.model, assignment: m.assignment };
    try {
      for (const w of m.layers) {
        if (m.assignment[w.index] !== this.id) throw new Error(`weights for layer ${w.index}, which is not assigned to ${this.id}`);
        await this.layers.install(m.model, w.index, w.layer);
      }
      m.assignment.forEach((dev, i) => { if (dev === this.id && !this.layers.has(m.model, i)) throw new Error(`assigned layer ${i} of ${m.model} but holds no weights for it`); });
    } catch (err) {
      // no request is on a version being set up: the gateway takes this as the version failing to set up
      return this.send('gateway', { t: 'failed', requestId: ROUTE_SETUP_REQUEST, attempt: 0, route: m.route, version: m.version, reason: (err as Error).message });
    }
    const key = routeKey(m.route, m.version);
    this.routes.set(key, route);
    if (m.start) this.sourceHooks?.routeReady(route, m.rerun === true);
    else this.send('gateway', { t: 'ready', route: m.route, version: m.version });
    const held = this.early.get(key);
    if (held) {
      this.early.delete(key);
      this.earlyCount -= held.length;
      for (const e of held) { clearTimeout(e.timer); this.onActivation(e.sender, e.message); }
    }
  }

  /** Starts a request on a route this device is the source of: its first layers, then the first hop. */
  runOnRoute(route: ActiveRoute, requestId: string, attempt: number, input: Int8Array): void {
    void this.compute(route, requestId, attempt, 0, input, []);
  }

  private onActivation(sender: string, m: MessageOf<'act'>): void {
    const route = this.routes.get(routeKey(m.route, m.version));
    if (!route) return this.holdEarly(sender, m);
    if (route.assignment[m.layer] !== this.id) return this.rejections.count('not-assigned', `activation for layer ${m.layer} of ${m.route} version ${m.version}, assigned to ${route.assignment[m.layer]}`);
    if (m.layer === 0 || route.assignment[m.layer - 1] !== sender) return this.rejections.count('wrong-hop', `activation for ${m.route} version ${m.version} layer ${m.layer} from ${sender}, expected ${route.assignment[m.layer - 1]}`);
    void this.compute(route, m.requestId, m.attempt, m.layer, new Int8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength), m.trace);
  }

  /** An activation for a route version not installed here (yet): held until it is, boundedly and briefly. */
  private holdEarly(sender: string, m: MessageOf<'act'>): void {
    const key = routeKey(m.route, m.version);
    if (this.earlyCount >= MAX_EARLY_ACTIVATIONS) return this.rejections.count('no-route', `activation for ${m.requestId} on ${key} from ${sender}: no such route here, and ${MAX_EARLY_ACTIVATIONS} activations already wait for theirs`);
    const timer = setTimeout(() => {
      const held = this.early.get(key);
      const i = held?.findIndex((e) => e.timer === timer) ?? -1;
      if (!held || i < 0) return;
      held.splice(i, 1);
      this.earlyCount--;
      if (held.length === 0) this.early.delete(key);
      this.rejections.count('no-route', `activation for ${m.requestId} on ${key} from ${sender}: no such route arrived within ${EARLY_ACTIVATION_WAIT_MS} ms`);
    }, EARLY_ACTIVATION_WAIT_MS);
    timer.unref();
    const held = this.early.get(key) ?? [];
    held.push({ sender, message: m, timer });
    this.early.set(key, held);
    this.earlyCount++;
  }

  private onFailed(sender: string, m: MessageOf<'failed'>): void {
    if (sender !== 'gateway') return this.rejections.count('not-from-gateway', `failed for ${m.requestId} from ${sender}`);
    this.sourceHooks?.failed(m.requestId, m.attempt, m.reason);
  }

  /** Runs this device's consecutive layers from `from`, then forwards or finishes. */
  private async compute(route: ActiveRoute, requestId: string, attempt: number, from: number, input: Int8Array, trace: HopTiming[]): Promise<void> {
    let to = from;
    while (to + 1 < route.assignment.length && route.assignment[to + 1] === this.id) to++;
    // The source's own layers failing is the source's to handle (it runs the request again or gives
    // up, and then tells the gateway); a hop's failure goes to the gateway, which tells the source.
    const failed = (reason: string) => route.assignment[0] === this.id && this.sourceHooks
      ? this.sourceHooks.failed(requestId, attempt, `${this.id}: ${reason}`)
      : this.send('gateway', { t: 'failed', requestId, attempt, route: route.route, version: route.version, reason: `${this.id}: ${reason}` });
    const macs = this.layers.macs(route.model, from, to);
    const refused = await this.budget.acquire(macs);
    if (refused !== null) {
      this.rejections.count('over-budget', `${requestId} layers ${from}..${to}: ${refused}`);
      return failed(refused);
    }
    const started = performance.now();
    let output: Int8Array;
    try {
      output = await this.layers.run(route.model, from, to, input);
    } catch (err) {
      return failed((err as Error).message);
    }
    this.computedLayers += to - from + 1;
    this.budget.done(macs);
    const layers = range(from, to);
    const ms = performance.now() - started;
    const claim = this.signLedgerClaim({ action: 'layer', data: { device: this.id, requestId, attempt, layers, ms } });
    const hop: HopTiming = { device: this.id, layers, ms, ...(claim ? { claim } : {}) };
    const nextTrace = [...trace, hop];
    if (to + 1 < route.assignment.length) {
      const data = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
      return this.send(route.assignment[to + 1]!, { t: 'act', route: route.route, version: route.version, requestId, attempt, layer: to + 1, data, trace: nextTrace });
    }
    this.sourceHooks?.finished(requestId, attempt, route, output, nextTrace);
  }
}

/**
 * The last will for a connection made when the status topic's sequence stood at `statusSeq`: the
 * connection's `online` will take statusSeq + 1, so the will takes statusSeq + 2. It carries the
 * fields every status does (ts: when the connection was made; the broker sends it unchanged).
 */
export function willFor(id: string, bootId: string, statusSeq: number): NonNullable<IClientOptions['will']> {
  const body = { state: 'offline', reason: 'connection lost', ts: Date.now(), seq: statusSeq + 2, bootId };
  return { topic: topics.deviceStatus(id), payload: Buffer.from(JSON.stringify(body)), qos: 1, retain: true };
}

/**
 * What to do when the broker refuses a device it admitted before: the gateway may have been
 * reset (a new devices.json) and forgotten it. A device holding an enrolment token enrols again —
 * which succeeds only if the gateway really forgot it (a known device's token is spent) — at most
 * once a minute; the connection retries either way.
 */
function reEnrolment(opts: AgentOptions, endpoint: SecureEndpoint, log: (line: string) => void): (err: Error) => void {
  let lastTry = -Infinity;
  return (err) => {
    const token = opts.enrolToken;
    if (token === undefined) return log(`the broker refused this device (${err.message}); retrying: it may have been revoked, or the gateway reset (run \`layerfleet enroll --id ${opts.id}\` there and restart with --enroll-token)`);
    if (Date.now() - lastTry < 60_000) return;
    lastTry = Date.now();
    enrolDevice(opts.brokerUrl, endpoint, typeof token === 'string' ? token : token(), opts.ca === undefined ? {} : { ca: opts.ca }).then(
      (r) => log(`the gateway had forgotten this device: enrolled again (owner ${r.owner})`),
      (e: Error) => log(`the broker refused this device (${err.message}) and enrolling again failed (${e.message}); retrying the connection`),
    );
  };
}

/** Activations are small messages a hop waits for: send each at once (no Nagle delay) on TCP and TLS connections. */
function noDelay(client: MqttClient): void {
  (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
