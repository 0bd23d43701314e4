/**
 * The gateway: an Aedes broker on a TCP port, the device registry fed by signed `hello`s and
 * heartbeats, the standing routes its sources' streams run on, and telemetry for dashboards.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SecureEndpoint, Rejected, Rejections, topics, GATEWAY_INBOX_MAX_BYTES, loadOrCreateDeviceKeys, encodePublicKeys, publicKeysOf,
  type Message, type DeviceKeys,
} from '@layerfleet/protocol';
import type { BrokerUrls } from './broker.js';
import type { ClientRole } from './broker-acl.js';
import { startBrokerThread, type BrokerThread } from './broker-thread.js';
import { secureListeners, type ListenerOptions } from './transport/listener-options.js';
import { DeviceStore, Enrolment, KeyRotation, admissionProblem, watchRevocations } from './trust/index.js';
import { Ledger, LEDGER_TOPIC, ledgerTelemetry, signerFromKeys, type ClaimInput } from '@layerfleet/ledger';
import { outcomeTelemetry, recordOutcome } from './device-claims.js';
import { Registry } from './registry.js';
import { DeviceStatusBook } from './device-status-book.js';
import { Telemetry } from './telemetry.js';
import { StandingRoutes, type Outcome } from './standing-routes.js';
import { StreamRates } from './stream-rate.js';
import { defaultCatalog, type ModelEntry } from './model-catalog.js';
import { PRIVACY_LEVELS, createStrategy, DEFAULT_STRATEGY, type Privacy, type RlPdnn } from '@layerfleet/planner';
import { FleetTelemetry } from './fleet-telemetry.js';
import type { GatewayHttp } from './http/gateway-http.js';

export const GATEWAY_ID = 'gateway';

/** `ListenerOptions` add mqtts and WebSocket listeners beside plain MQTT on `port`. */
export interface GatewayOptions extends ListenerOptions {
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
  /** rl-pdnn: the trained policy, loaded (the CLI reads policy files with the simulator package) */
  policy?: RlPdnn;
  /** streams that may wait for a feasible placement at once (default 100) */
  maxQueued?: number;
  /** how long a stream waits for a feasible placement before it fails (default 5000 ms) */
  queueTimeoutMs?: number;
  models?: Map<string, ModelEntry>;
  log?: (line: string) => void;
  /**
   * 'enrolled' (the default): the broker admits only enrolled, unrevoked devices (credentials
   * from their keys), enrolling devices with a one-time token or their board host's vouch, and
   * the read-only dashboard account; every message to the gateway must be signed by the client
   * that published it. 'open', asked for explicitly (simulations, tests of other things): any
   * client may connect, and a device is trusted on first use.
   */
  access?: 'open' | 'enrolled';
  /** connections that may wait to authenticate at once (default 256); more are closed on arrival */
  maxPendingConnections?: number;
  /** how long a connection may take to send its CONNECT (default 10 s) */
  connectTimeoutMs?: number;
  /** connections each listener holds at most, of any kind (default 8192) */
  maxConnections?: number;
  /** messages per second each client may have the gateway open (default 1000), and the burst (default 2000) */
  inboxRate?: number;
  inboxBurst?: number;
  /** An HTTP port (0: ephemeral) serving the live dashboard at / and Prometheus metrics at /metrics (http/). */
  httpPort?: number;
}

export interface GatewayStats {
  strategy: string;
  completed: number;
  failed: number;
  /** times a stream found no feasible placement and waited */
  queued: number;
  /** times a waiting stream was placed after all */
  dequeued: number;
  /** waiting streams given up on when their time was up */
  queueTimeouts: number;
  /** streams given up on because the queue was full */
  queueFull: number;
  /** route versions that replaced a live one, by reason (standing-routes.ts) */
  routeChanges: number;
  routeChangeReasons: Record<string, number>;
  /** streams found sending above their declared rate, since planned at the measured one (stream-rate.ts) */
  streamsOverRate: number;
  dataPlaneBytes: number;
  dataPlaneMessages: number;
  /** clients connected to the broker, as its thread last reported (four times a second) */
  brokerClients: number;
}

export interface Gateway {
  /** the plain TCP listener, as `urls.mqtt` */
  port: number;
  url: string;
  urls: BrokerUrls;
  /** the fleet CA devices and dashboards verify the gateway with, when a TLS or WebSocket listener runs */
  caPath?: string;
  keysPath: string;
  registry: Registry;
  rejections: Rejections;
  stats: GatewayStats;
  onOutcome(listener: (o: Outcome) => void): void;
  /** the dashboard's URL when `httpPort` was given; metrics at `${httpUrl}metrics` */
  httpUrl?: string;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.log ?? (() => {});
  // before anything listens: a misnamed strategy or a missing policy file is the caller's to fix
  const strategy = createStrategy(opts.strategy ?? DEFAULT_STRATEGY, opts.policy === undefined ? {} : { policy: opts.policy });
  await mkdir(opts.stateDir, { recursive: true });
  const secure = await secureListeners(opts.stateDir, opts, log);
  const keys: DeviceKeys = await loadOrCreateDeviceKeys(opts.stateDir, GATEWAY_ID);
  const keysPath = join(opts.stateDir, `${GATEWAY_ID}.pub.cose`);
  await writeFile(keysPath, encodePublicKeys(publicKeysOf(keys)));

  const rejections = new Rejections((line) => log(line));
  // The audit ledger (ledger/ledger.ts): every stakeholder action, hash-chained and signed, in the state directory.
  const ledger = await Ledger.open(opts.stateDir, { keeper: signerFromKeys(keys) });
  if (ledger.recovered) log(`ledger: cut a torn record at byte ${ledger.recovered.offset} (${ledger.recovered.length} bytes: ${ledger.recovered.why})`);
  // Appends batch themselves; one that fails stops the ledger, which must be loud, never silent.
  const record = (claim: ClaimInput) => { ledger.append(claim).catch((err: Error) => log(`LEDGER WRITE FAILED: ${err.message}`)); };
  const enrolKeys = (id: string, signPublic: Uint8Array, kexPublic: Uint8Array, owner: string, trusted: boolean) => {
    if (ledger.enrolled(id)) return;
    record({ action: 'enrol', data: { device: id, signPublic, kexPublic, owner, trusted } });
  };
  const enrolledOnlyAccess = (opts.access ?? 'enrolled') === 'enrolled';
  let store: DeviceStore | null;
  let broker: BrokerThread;
  try {
    store = enrolledOnlyAccess ? new DeviceStore(opts.stateDir) : null;
    // The broker runs in a thread of its own (broker-worker.ts): see broker-thread.ts for why.
    broker = await startBrokerThread({
      port: opts.port ?? 1883, ...(opts.host ? { host: opts.host } : {}),
      ...(store ? { enrolledOnlyIn: opts.stateDir } : {}),
      ...(opts.maxPendingConnections === undefined ? {} : { maxPendingConnections: opts.maxPendingConnections }),
      ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
      ...(opts.maxConnections === undefined ? {} : { maxConnections: opts.maxConnections }),
      ...(opts.capturePath ? { capturePath: opts.capturePath } : {}),
      ...(opts.inboxRate === undefined ? {} : { inboxRate: opts.inboxRate }),
      ...(opts.inboxBurst === undefined ? {} : { inboxBurst: opts.inboxBurst }),
      ...secure.broker,
    });
  } catch (err) {
    // A taken port or an unreadable devices.json: let go of the ledger (and its lock) so a retry can open it.
    await ledger.close();
    throw err;
  }
  broker.onDeath((why) => log(`BROKER STOPPED: ${why}; devices cannot reach this gateway until it is restarted`));
  const telemetry = new Telemetry((topic, payload, retain) => broker.publish(topic, payload, retain));
  const registry = new Registry(new Set(opts.trusted ?? []));
  // Its inbox takes only small messages: anything larger is refused before decryption.
  const endpoint = new SecureEndpoint(keys, { maxBytes: GATEWAY_INBOX_MAX_BYTES });
  const stats: GatewayStats = { strategy: strategy.name, completed: 0, failed: 0, queued: 0, dequeued: 0, queueTimeouts: 0, queueFull: 0, routeChanges: 0, routeChangeReasons: {}, streamsOverRate: 0, dataPlaneBytes: 0, dataPlaneMessages: 0, brokerClients: 0 };
  const streamRates = new StreamRates();
  const listeners: Array<(o: Outcome) => void> = [];
  const privacy = typeof opts.privacy === 'string' ? PRIVACY_LEVELS[opts.privacy]! : opts.privacy ?? PRIVACY_LEVELS.none!;
  // by name in the stats telemetry, so `plan --explain --gateway` plans under the gateway's own level
  const privacyName = Object.entries(PRIVACY_LEVELS).find(([, p]) => p === privacy)?.[0] ?? 'custom';

  const send = (to: string, message: Message) => {
    if (message.t === 'route' && message.layers.length > 0) {
      record({ action: 'weights', data: { to, route: message.route, version: message.version, model: message.model, layers: message.layers.map((l) => l.index) } });
    }
    try {
      const topic = topics.deviceInbox(to);
      broker.publish(topic, endpoint.seal(to, topic, message));
    } catch (err) {
      log(`cannot send ${message.t} to ${to}: ${(err as Error).message}`);
    }
  };

  const streams = new StandingRoutes({
    registry,
    bootId: randomBytes(4).toString('hex'),
    models: opts.models ?? defaultCatalog(),
    privacy,
    strategy,
    send,
    log,
    ...(opts.attemptTimeoutMs ? { setupTimeoutMs: opts.attemptTimeoutMs } : {}),
    ...(opts.maxQueued === undefined ? {} : { maxQueued: opts.maxQueued }),
    ...(opts.queueTimeoutMs === undefined ? {} : { queueTimeoutMs: opts.queueTimeoutMs }),
    streamRates,
    overRate(source, model, measured, declared) {
      stats.streamsOverRate++;
      log(`stream ${source}/${model}: ${measured.toFixed(1)} requests/s measured over ${streamRates.windowMs / 1000} s, above the ${declared} declared; planning at the measured rate`);
    },
    queueEvent(event) {
      if (event === 'queued') stats.queued++;
      else if (event === 'dequeued') stats.dequeued++;
      else if (event === 'timeout') stats.queueTimeouts++;
      else stats.queueFull++;
    },
    routeEvent(e) {
      const key = `${e.route}#${e.version}`;
      if (e.kind === 'issued') {
        // The broker lets the hops pass activations before any of them can (the links open first).
        broker.openRoute(key, e.assignment);
        record({ action: 'placement', data: { route: e.route, version: e.version, source: e.source, model: e.model, assignment: e.assignment } });
      } else if (e.kind === 'retired') broker.retireRoute(key);
      else if (e.change) {
        stats.routeChanges++;
        stats.routeChangeReasons[e.change] = (stats.routeChangeReasons[e.change] ?? 0) + 1;
        log(`stream ${e.source}/${e.model}: route version ${e.version} live (${e.change}): ${e.assignment.join('→')}`);
      }
    },
    finished(o) {
      if (o.outcome === 'completed') stats.completed++; else stats.failed++;
      telemetry.publish(topics.inference, outcomeTelemetry(o));
      // What devices did goes in signed by them (their claims ride in the result), else as the gateway's witness.
      recordOutcome(o, { ledger, record, rejections, log });
      for (const l of listeners) l(o);
    },
  });

  const statusBook = new DeviceStatusBook();
  const publishOffline = (id: string, why: string) => {
    const body = statusBook.offlineFor(id, why);
    if (body) telemetry.publishAsIs(topics.deviceStatus(id), body, true);
  };
  const markOffline = (id: string, why: string) => {
    if (!registry.offline(id)) return;
    log(`device ${id} offline (${why})`);
    // A dropped connection's last will reaches the broker's subscribers a moment after the
    // disconnect is seen: wait for it, so the device's own offline is not said twice.
    if (why === 'disconnected') setTimeout(() => publishOffline(id, why), 250).unref();
    else {
      // Still connected but silent (hung, paused, a half-open link): say offline for it, and end
      // its connection, so that when it does wake it reconnects and announces itself afresh —
      // its next `online` then follows on from this `offline` in its own sequence.
      publishOffline(id, why);
      broker.disconnect(id, { dropWill: true });
    }
    streams.deviceLost(id);
  };

  const enrolment = store ? new Enrolment({
    store, stateDir: opts.stateDir, addPeer: (k) => endpoint.addPeer(k), send, rejections, log,
    enrolled: (id, owner, trusted, k) => enrolKeys(id, k.signPublic, k.kexPublic, owner, trusted),
  }) : null;
  const rotation = store ? new KeyRotation({ store, endpoint, registry, send, record, rejections, log }) : null;

  // A revocation (the CLI edits devices.json) takes effect at once: connection dropped, never planned again.
  const stopWatchingRevocations = store ? watchRevocations(store, {
    unrecorded: (id) => ledger.enrolled(id) !== undefined && ledger.enrolled(id)!.revokedAt === undefined,
    record: (id, why) => record({ action: 'revoke', data: { device: id, why } }),
    disconnect: (id) => broker.disconnect(id),
    markOffline,
    log,
  }) : () => {};

  const handlers: { [T in Message['t']]?: (from: string, m: Extract<Message, { t: T }>) => void } = {
    enrol(from, m) { enrolment?.enrol(from, m); },
    confirm(from, m) { enrolment?.confirm(from, m); },
    rotate(from, m) { rotation?.rotate(from, m); },
    hello(from, m) {
      const keysOf = { id: from, signPublic: m.sign, kexPublic: m.kex };
      const enrolled = store?.active(from);
      if (store && (!enrolled || enrolled.signPublic !== Buffer.from(m.sign).toString('hex') || enrolled.kexPublic !== Buffer.from(m.kex).toString('hex'))) {
        rejections.count('key-mismatch', `hello from ${from} with keys other than the ones it enrolled`);
        return;
      }
      const known = registry.get(from);
      if (known && Buffer.compare(Buffer.from(known.keys.signPublic), Buffer.from(m.sign)) !== 0) {
        rejections.count('key-mismatch', `hello from ${from} with a signing key other than the registered one`);
        return;
      }
      endpoint.addPeer(keysOf);
      const kind = registry.hello(from, keysOf, m.caps, m.bootId, Date.now());
      if (enrolled) registry.get(from)!.trusted = enrolled.trusted;
      // Open access trusts a device on first use; the ledger still records the key it first used.
      else enrolKeys(from, m.sign, m.kex, 'unenrolled', registry.get(from)!.trusted);
      log(`device ${from} ${kind === 'new' ? 'joined' : kind === 'rebooted' ? 'rebooted' : 'refreshed'}: ${m.caps.role}, ${(m.caps.macsPerSecond / 1e6).toFixed(1)} MMAC/s offered of ${(m.caps.measuredMacsPerSecond / 1e6).toFixed(0)} measured`);
      // a hello from a device already online may still bring new capabilities
      streams.deviceJoined(from);
    },
    heartbeat(from, m) { registry.seen(from, Date.now(), m.queue); },
    stream(from, m) { streams.stream(registry.get(from)!, m); },
    ready(from, m) { streams.ready(from, m); },
    result(from, m) {
      const refused = streams.result(from, m);
      if (refused) rejections.count('unknown-route', refused);
    },
    failed(from, m) {
      const refused = streams.failed(from, m);
      if (refused) rejections.count('unknown-route', refused);
    },
  };

  /** A publish to the gateway's inbox, as the broker thread passes it up with its publisher. */
  const fromInbox = (clientId: string, role: ClientRole | null, payload: Uint8Array) => {
    let received;
    try {
      received = endpoint.open(topics.gatewayInbox, payload, true);
    } catch (err) {
      if (err instanceof Rejected) return rejections.count(err.reason, err.message);
      return rejections.count('internal', (err as Error).message);
    }
    const { sender, message } = received;
    const refused = store ? admissionProblem(store, role ?? undefined, clientId, sender, message.t) : null;
    if (refused) return rejections.count(...refused);
    // A rotation needs no hello first: a stopped device rotates with `layerfleet keys rotate`.
    if (message.t === 'enrol' || message.t === 'confirm' || message.t === 'rotate') {
      const handle = handlers[message.t] as (from: string, m: Message) => void;
      return enrolment ? handle(sender, message) : rejections.count('unexpected-message', `${message.t} from ${sender}: this gateway runs without enrolment`);
    }
    if (message.t !== 'hello' && !registry.get(sender)) return rejections.count('unknown-device', `${message.t} from ${sender}, which never said hello`);
    if (message.t !== 'hello') {
      const wasOnline = registry.get(sender)!.online;
      registry.seen(sender, Date.now());
      // heard from again after being marked offline, without a new hello: capacity the queue may use
      if (!wasOnline) {
        log(`device ${sender} back online (${message.t})`);
        streams.deviceJoined(sender);
      }
    }
    const handler = handlers[message.t] as ((from: string, m: Message) => void) | undefined;
    if (!handler) return rejections.count('unexpected-message', `${message.t} is not a message the gateway takes (from ${sender})`);
    handler(sender, message);
  };

  broker.onEvent((e) => {
    switch (e.t) {
      case 'inbox': return fromInbox(e.clientId, e.role, e.payload);
      case 'status': return statusBook.observe(e.topic, e.payload);
      case 'client-gone': if (registry.get(e.clientId)) markOffline(e.clientId, 'disconnected'); return;
      case 'rejection': return rejections.count(e.reason, e.detail);
      case 'traffic':
        stats.dataPlaneBytes = e.dataPlaneBytes;
        stats.dataPlaneMessages = e.dataPlaneMessages;
        stats.brokerClients = e.clients;
        return;
    }
  });

  const silence = opts.heartbeatSilenceMs ?? 6000;
  // The gateway's own retained topics, published at start (a dashboard that connects after a
  // restart finds them at once) and then every second.
  const publishRetained = () => {
    telemetry.publish(LEDGER_TOPIC, ledgerTelemetry(ledger.head()), true);
    telemetry.publish(topics.gatewayStats, {
      devicesOnline: registry.online().length, privacy: privacyName, streamCount: streams.streamCount, waiting: streams.waiting, ...stats, rejections: rejections.toJSON(), streams: streamRates.snapshot(), routes: streams.snapshot(),
    }, true);
  };
  const fleetTelemetry = new FleetTelemetry(registry);
  listeners.push((o) => fleetTelemetry.outcome(o));
  const publishFleet = setInterval(() => fleetTelemetry.publish(telemetry), 1000);
  publishFleet.unref();
  let http: GatewayHttp | null = null;
  try {
    // loaded only when asked for: prom-client and the page cost a gateway without --http-port nothing
    if (opts.httpPort !== undefined) http = await (await import('./http/gateway-http.js')).startGatewayHttpFor(opts as GatewayOptions & { httpPort: number }, { registry, rejections, stats, listeners, brokerClients: () => stats.brokerClients, urls: broker.urls, ledgerHeight: () => ledger.head().count, streams: () => streams.streamCount, waiting: () => streams.waiting });
  } catch (err) {
    clearInterval(publishFleet);
    streams.close();
    await broker.close();
    await ledger.close();
    throw err;
  }
  publishRetained();
  const sweep = setInterval(() => {
    for (const d of registry.silent(Date.now(), silence)) markOffline(d.id, `silent for ${silence} ms`);
    streams.tick();
    ledger.checkpoint().catch((err: Error) => log(`LEDGER CHECKPOINT FAILED: ${err.message}`));
    publishRetained();
  }, 1000);
  sweep.unref();

  return {
    port: broker.port,
    url: broker.urls.mqtt,
    urls: broker.urls,
    ...(secure.caPath ? { caPath: secure.caPath } : {}),
    keysPath,
    registry,
    rejections,
    stats,
    onOutcome: (l) => listeners.push(l),
    ...(http ? { httpUrl: http.url } : {}),
    async close() {
      clearInterval(sweep);
      clearInterval(publishFleet);
      await http?.close();
      stopWatchingRevocations();
      streams.close();
      await broker.close();
      await ledger.close();
    },
  };
}
