/**
 * The Home Assistant bridge: reads the fleet's telemetry from the gateway as the read-only
 * dashboard account (MQTT 3.1.1, what Aedes speaks), folds it (FleetView), and publishes device
 * discovery, availability and numeric states into the user's broker with an MQTT 5 client
 * (Home Assistant ends MQTT 3.1.1 support in 2027.1). Home Assistant never connects to the
 * gateway's broker.
 *
 * Discovery configs go out, retained, when a device is first seen or its config changes, on every
 * (re)connect to the user's broker, and whenever Home Assistant announces `online` on
 * `<prefix>/status` (it has restarted and forgotten non-retained state). States go out once a
 * second when they changed, retained, so a restarted Home Assistant finds them.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { FleetView, TELEMETRY_FILTER } from '@layerfleet/dashboard';
import {
  availability, bridgeAvailabilityTopic, deviceDiscovery, gatewayDiscovery, haStatusTopic, states, type DiscoveryOptions,
} from './discovery.js';

export interface HaBridgeOptions extends DiscoveryOptions {
  gatewayUrl: string;
  /** the dashboard account (password from the gateway's DIR/dashboard.secret), or nothing on an open gateway */
  gatewayUsername?: string;
  gatewayPassword?: string;
  /** the fleet CA for an mqtts:// or wss:// gateway */
  gatewayCa?: Buffer;
  haUrl: string;
  haUsername?: string;
  haPassword?: string;
  haCa?: Buffer;
  /** how often changed states are sent (default 1000 ms) */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface BridgeCounts { configs: number; states: number; republished: number; telemetry: number; ignored: Record<string, number> }

export class HaBridge {
  readonly view = new FleetView();
  readonly counts: BridgeCounts = { configs: 0, states: 0, republished: 0, telemetry: 0, ignored: this.view.ignored };
  private readonly sentConfig = new Map<string, string>();
  private readonly sentState = new Map<string, string>();
  private gatewayOnline = false;
  private timer: NodeJS.Timeout | null = null;

  private constructor(private readonly opts: HaBridgeOptions, private readonly gateway: MqttClient, private readonly ha: MqttClient) {}

  static async start(opts: HaBridgeOptions): Promise<HaBridge> {
    const log = opts.log ?? (() => {});
    const id = Math.random().toString(36).slice(2, 10);
    const common: IClientOptions = { reconnectPeriod: 2000, connectTimeout: 10_000 };
    const ha = mqtt.connect(opts.haUrl, {
      ...common, protocolVersion: 5, clientId: `layerfleet-ha-bridge-${id}`,
      ...(opts.haUsername === undefined ? {} : { username: opts.haUsername }), ...(opts.haPassword === undefined ? {} : { password: opts.haPassword }),
      ...(opts.haCa ? { ca: opts.haCa } : {}),
      will: { topic: bridgeAvailabilityTopic(opts), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    const gateway = mqtt.connect(opts.gatewayUrl, {
      ...common, protocolVersion: 4, clientId: `ha-bridge-${id}`,
      ...(opts.gatewayUsername === undefined ? {} : { username: opts.gatewayUsername }), ...(opts.gatewayPassword === undefined ? {} : { password: opts.gatewayPassword }),
      ...(opts.gatewayCa ? { ca: opts.gatewayCa } : {}),
    });
    const bridge = new HaBridge(opts, gateway, ha);
    ha.on('connect', () => {
      log(`home assistant broker ${opts.haUrl}: connected (MQTT 5); publishing discovery`);
      ha.publish(bridgeAvailabilityTopic(opts), 'online', { qos: 1, retain: true });
      ha.subscribe(haStatusTopic(opts), { qos: 1 });
      bridge.republish();
    });
    ha.on('message', (topic, payload) => {
      if (topic === haStatusTopic(opts) && payload.toString() === 'online') {
        log('home assistant said online: discovery republished');
        bridge.counts.republished++;
        bridge.republish();
      }
    });
    ha.on('error', (err) => log(`home assistant broker ${opts.haUrl}: ${err.message}`));
    gateway.on('connect', () => {
      log(`gateway ${opts.gatewayUrl}: connected; reading telemetry`);
      bridge.gatewayOnline = true;
      gateway.subscribe(TELEMETRY_FILTER, { qos: 0 });
    });
    gateway.on('close', () => { bridge.gatewayOnline = false; });
    gateway.on('error', (err) => log(`gateway ${opts.gatewayUrl}: ${err.message}`));
    gateway.on('message', (topic, payload) => {
      bridge.counts.telemetry++;
      // a status change goes out at once: a device that drops and reconnects within one interval still shows its offline
      if (bridge.view.apply(topic, payload) && topic.endsWith('/status')) bridge.flushAvailability();
    });
    bridge.timer = setInterval(() => bridge.flush(false), opts.intervalMs ?? 1000);
    return bridge;
  }

  /** Every config, availability and state again (Home Assistant restarted, or we reconnected). */
  republish(): void {
    this.sentConfig.clear();
    this.sentState.clear();
    this.flush(true);
  }

  /** Sends configs of devices new or changed, then availability and states that changed. */
  flush(all: boolean): void {
    if (!this.ha.connected) return;
    const now = Date.now();
    const configs = [gatewayDiscovery(this.opts), ...this.view.deviceList().map((d) => deviceDiscovery(this.opts, d))];
    for (const c of configs) {
      const text = JSON.stringify(c.payload);
      if (!all && this.sentConfig.get(c.topic) === text) continue;
      this.sentConfig.set(c.topic, text);
      this.ha.publish(c.topic, text, { qos: 1, retain: true });
      this.counts.configs++;
    }
    for (const [topic, value] of [...availability(this.opts, this.view, this.gatewayOnline), ...states(this.opts, this.view, now)]) {
      if (!all && this.sentState.get(topic) === value) continue;
      this.sentState.set(topic, value);
      this.ha.publish(topic, value, { qos: 0, retain: true });
      this.counts.states++;
    }
  }

  /** Availability that changed, now. */
  flushAvailability(): void {
    if (!this.ha.connected) return;
    for (const [topic, value] of availability(this.opts, this.view, this.gatewayOnline)) {
      if (this.sentState.get(topic) === value) continue;
      this.sentState.set(topic, value);
      this.ha.publish(topic, value, { qos: 1, retain: true });
      this.counts.states++;
    }
  }

  /** Says offline for the bridge (cleanly, not by will) and closes both connections. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.ha.connected) await this.ha.publishAsync(bridgeAvailabilityTopic(this.opts), 'offline', { qos: 1, retain: true }).catch(() => {});
    await Promise.all([this.ha.endAsync(true), this.gateway.endAsync(true)]);
  }
}
