/**
 * The gateway: an Aedes broker on a TCP port, the device registry fed by signed `hello`s and
 * heartbeats, the orchestrator that plans and drives requests, and telemetry for dashboards.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SecureEndpoint, Rejected, Rejections, topics, inboxOwner, loadOrCreateDeviceKeys, encodePublicKeys, publicKeysOf,
  type Message, type DeviceKeys,
} from '@layerfleet/protocol';
import { startBroker, type Broker } from './broker.js';
import { Registry } from './registry.js';
import { Telemetry } from './telemetry.js';
import { Capture } from './capture.js';
import { Orchestrator, type Outcome } from './orchestrator.js';
import { defaultCatalog, type ModelEntry } from './model-catalog.js';
import { PRIVACY_LEVELS, createStrategy, DEFAULT_STRATEGY, type Privacy } from './planner/index.js';

export const GATEWAY_ID = 'gateway';

export interface GatewayOptions {
  port?: number;
  host?: string;
  stateDir: string;
  privacy?: Privacy | keyof typeof PRIVACY_LEVELS;
  trusted?: string[];
  capturePath?: string;
  heartbeatSilenceMs?: number;
  attemptTimeoutMs?: number;
  /** placement strategy, one of `STRATEGY_NAMES` (default `DEFAULT_STRATEGY`) */
  strategy?: string;
  /** rl-pdnn: the trained policy file */
  policy?: string;
  /** requests that may wait for a feasible placement at once (default 100) */
  maxQueued?: number;
  /** how long a request waits for a feasible placement before it fails (default 5000 ms) */
  queueTimeoutMs?: number;
  models?: Map<string, ModelEntry>;
  log?: (line: string) => void;
}

export interface GatewayStats {
  strategy: string;
  completed: number;
  failed: number;
  /** times a request found no feasible placement and waited */
  queued: number;
  /** times a waiting request was placed after all */
  dequeued: number;
  /** waiting requests that failed when their time was up */
  queueTimeouts: number;
  /** requests failed because the queue was full */
  queueFull: number;
  dataPlaneBytes: number;
  dataPlaneMessages: number;
}

export interface Gateway {
  port: number;
  url: string;
  keysPath: string;
  registry: Registry;
  rejections: Rejections;
  stats: GatewayStats;
  onOutcome(listener: (o: Outcome) => void): void;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.log ?? (() => {});
  // before anything listens: a misnamed strategy or a missing policy file is the caller's to fix
  const strategy = createStrategy(opts.strategy ?? DEFAULT_STRATEGY, opts.policy === undefined ? {} : { policy: opts.policy });
  await mkdir(opts.stateDir, { recursive: true });
  const keys: DeviceKeys = await loadOrCreateDeviceKeys(opts.stateDir, GATEWAY_ID);
  const keysPath = join(opts.stateDir, `${GATEWAY_ID}.pub.cose`);
  await writeFile(keysPath, encodePublicKeys(publicKeysOf(keys)));

  const rejections = new Rejections((line) => log(line));
  const broker: Broker = await startBroker({ port: opts.port ?? 1883, ...(opts.host ? { host: opts.host } : {}), rejections });
  const telemetry = new Telemetry(broker.aedes);
  const registry = new Registry(new Set(opts.trusted ?? []));
  const endpoint = new SecureEndpoint(keys);
  const capture = opts.capturePath ? new Capture(opts.capturePath) : null;
  const stats: GatewayStats = { strategy: strategy.name, completed: 0, failed: 0, queued: 0, dequeued: 0, queueTimeouts: 0, queueFull: 0, dataPlaneBytes: 0, dataPlaneMessages: 0 };
  const listeners: Array<(o: Outcome) => void> = [];
  const privacy = typeof opts.privacy === 'string' ? PRIVACY_LEVELS[opts.privacy]! : opts.privacy ?? PRIVACY_LEVELS.none!;

  const send = (to: string, message: Message) => {
    try {
      const topic = topics.deviceInbox(to);
      const payload = Buffer.from(endpoint.seal(to, topic, message));
      broker.aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => {});
    } catch (err) {
      log(`cannot send ${message.t} to ${to}: ${(err as Error).message}`);
    }
  };

  const orchestrator = new Orchestrator({
    registry,
    models: opts.models ?? defaultCatalog(),
    privacy,
    strategy,
    send,
    log,
    ...(opts.attemptTimeoutMs ? { attemptTimeoutMs: opts.attemptTimeoutMs } : {}),
    ...(opts.maxQueued === undefined ? {} : { maxQueued: opts.maxQueued }),
    ...(opts.queueTimeoutMs === undefined ? {} : { queueTimeoutMs: opts.queueTimeoutMs }),
    queueEvent(event) {
      if (event === 'queued') stats.queued++;
      else if (event === 'dequeued') stats.dequeued++;
      else if (event === 'timeout') stats.queueTimeouts++;
      else stats.queueFull++;
    },
    finished(o) {
      if (o.outcome === 'completed') stats.completed++; else stats.failed++;
      telemetry.publish(topics.inference, { ...o });
      for (const l of listeners) l(o);
    },
  });

  const markOffline = (id: string, why: string) => {
    if (!registry.offline(id)) return;
    log(`device ${id} offline (${why})`);
    telemetry.publish(topics.deviceStatus(id), { state: 'offline', reason: why }, true);
    orchestrator.deviceLost(id);
  };

  const handlers: { [T in Message['t']]?: (from: string, m: Extract<Message, { t: T }>) => void } = {
    hello(from, m) {
      const keysOf = { id: from, signPublic: m.sign, kexPublic: m.kex };
      const known = registry.get(from);
      if (known && Buffer.compare(Buffer.from(known.keys.signPublic), Buffer.from(m.sign)) !== 0) {
        rejections.count('key-mismatch', `hello from ${from} with a signing key other than the registered one`);
        return;
      }
      endpoint.addPeer(keysOf);
      const kind = registry.hello(from, keysOf, m.caps, m.bootId, Date.now());
      log(`device ${from} ${kind === 'new' ? 'joined' : kind === 'rebooted' ? 'rebooted' : 'refreshed'}: ${m.caps.role}, ${(m.caps.macsPerSecond / 1e6).toFixed(1)} MMAC/s offered of ${(m.caps.measuredMacsPerSecond / 1e6).toFixed(0)} measured`);
      // a hello from a device already online may still bring new capabilities
      orchestrator.deviceJoined(from);
    },
    heartbeat(from, m) { registry.seen(from, Date.now(), m.queue); },
    infer(from, m) { orchestrator.infer(registry.get(from)!, m); },
    ready(from, m) {
      const source = orchestrator.sourceOf(m.requestId, from);
      if (source) orchestrator.ready(from, m, source);
    },
    result(from, m) { orchestrator.result(from, m); },
    failed(from, m) {
      const source = orchestrator.sourceOf(m.requestId, from);
      if (source) orchestrator.failed(from, m, source);
    },
  };

  broker.aedes.subscribe(topics.gatewayInbox, (packet, done) => {
    done();
    let received;
    try {
      received = endpoint.open(topics.gatewayInbox, packet.payload as Uint8Array, true);
    } catch (err) {
      if (err instanceof Rejected) return rejections.count(err.reason, err.message);
      return rejections.count('internal', (err as Error).message);
    }
    const { sender, message } = received;
    if (message.t !== 'hello' && !registry.get(sender)) return rejections.count('unknown-device', `${message.t} from ${sender}, which never said hello`);
    if (message.t !== 'hello') {
      const wasOnline = registry.get(sender)!.online;
      registry.seen(sender, Date.now());
      // heard from again after being marked offline, without a new hello: capacity the queue may use
      if (!wasOnline) {
        log(`device ${sender} back online (${message.t})`);
        orchestrator.deviceJoined(sender);
      }
    }
    const handler = handlers[message.t] as ((from: string, m: Message) => void) | undefined;
    if (!handler) return rejections.count('unexpected-message', `${message.t} is not a message the gateway takes (from ${sender})`);
    handler(sender, message);
  }, () => {});

  broker.aedes.on('publish', (packet) => {
    if (packet.topic === topics.gatewayInbox || inboxOwner(packet.topic) !== null) {
      stats.dataPlaneBytes += packet.payload.length;
      stats.dataPlaneMessages++;
      capture?.write(packet.topic, packet.payload as Uint8Array);
    }
  });
  broker.aedes.on('clientDisconnect', (client) => { if (registry.get(client.id)) markOffline(client.id, 'disconnected'); });

  const silence = opts.heartbeatSilenceMs ?? 6000;
  const sweep = setInterval(() => {
    for (const d of registry.silent(Date.now(), silence)) markOffline(d.id, `silent for ${silence} ms`);
    telemetry.publish(topics.gatewayStats, {
      devicesOnline: registry.online().length, inFlight: orchestrator.inFlight, waiting: orchestrator.waiting, ...stats, rejections: rejections.toJSON(),
    }, true);
  }, 1000);
  sweep.unref();

  return {
    port: broker.port,
    url: `mqtt://127.0.0.1:${broker.port}`,
    keysPath,
    registry,
    rejections,
    stats,
    onOutcome: (l) => listeners.push(l),
    async close() {
      clearInterval(sweep);
      orchestrator.close();
      await broker.close();
      await capture?.close();
    },
  };
}
