/**
 * Home Assistant MQTT discovery for the fleet, device-based (one `<prefix>/device/<id>/config`
 * per device, with `dev`, `o` and `cmps`), as the bridge publishes it into the user's broker.
 *
 * - ids: Home Assistant takes `[a-zA-Z0-9_-]` in discovery topics and unique ids; our device ids
 *   may hold a `.` (a board `pi-1.host-1`), so every id goes through `haId`, which maps anything
 *   else to `_` and is prefixed `layerfleet_` so that two bridges' entities never collide with
 *   other integrations'.
 * - availability: `mode: all` over two topics — the bridge's own (its MQTT last will says
 *   `offline` when the bridge dies) and the device's, from its retained `status` telemetry.
 * - states: one topic per sensor carrying a bare number, published only when the figure is a
 *   finite number, so a numeric sensor never receives a non-numeric state (Home Assistant logs an
 *   error and drops it); units are those Home Assistant knows for each `device_class`.
 */
import type { DeviceView, FleetView, GatewayView, LedgerView } from '@layerfleet/dashboard';

export const DEFAULT_DISCOVERY_PREFIX = 'homeassistant';
export const DEFAULT_BASE_TOPIC = 'layerfleet';
export const BRIDGE_VERSION = '0.1.0';

/** `[a-zA-Z0-9_-]` only (Home Assistant's rule for discovery ids), prefixed. */
export const haId = (id: string): string => `layerfleet_${id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;

export interface DiscoveryOptions {
  prefix: string;
  base: string;
}

/** One sensor: how Home Assistant shows it and where its number is. */
interface SensorSpec {
  key: string;
  name: string;
  unit?: string;
  device_class?: string;
  state_class: 'measurement' | 'total_increasing';
  icon?: string;
  read(d: DeviceView, extra: DeviceExtra): number | undefined;
}

/** Figures for a device that the fold computes over a window, not stored on the device. */
export interface DeviceExtra { hopP50Ms?: number; hops?: number }

const lineNumber = (d: DeviceView, k: string) => (typeof d.line?.[k] === 'number' ? (d.line[k] as number) : undefined);

const DEVICE_SENSORS: readonly SensorSpec[] = [
  { key: 'macs_used', name: 'MAC/s used', unit: 'MAC/s', state_class: 'measurement', icon: 'mdi:chip', read: (d) => d.used },
  { key: 'macs_budget', name: 'MAC/s budget', unit: 'MAC/s', state_class: 'measurement', icon: 'mdi:gauge', read: (d) => d.budget },
  { key: 'memory', name: 'Memory offered', unit: 'B', device_class: 'data_size', state_class: 'measurement', read: (d) => d.memoryBytes },
  { key: 'link', name: 'Link rate', unit: 'bit/s', device_class: 'data_rate', state_class: 'measurement', read: (d) => d.linkBitsPerSecond },
  { key: 'layers_held', name: 'Layers held', state_class: 'measurement', icon: 'mdi:layers', read: (d) => d.layersHeld },
  { key: 'hop_latency', name: 'Hop latency (p50, 1 min)', unit: 'ms', device_class: 'duration', state_class: 'measurement', read: (_d, x) => x.hopP50Ms },
  { key: 'hops', name: 'Hops computed (1 min)', state_class: 'measurement', icon: 'mdi:transit-connection-variant', read: (_d, x) => x.hops },
];
const BOARD_SENSORS: readonly SensorSpec[] = [
  { key: 'line_rate', name: 'Serial line rate', unit: 'bit/s', device_class: 'data_rate', state_class: 'measurement', read: (d) => lineNumber(d, 'bitsPerSecond') },
  { key: 'line_retries', name: 'Serial line retries', state_class: 'total_increasing', icon: 'mdi:refresh', read: (d) => lineNumber(d, 'retries') },
  { key: 'line_timeouts', name: 'Serial line timeouts', state_class: 'total_increasing', icon: 'mdi:timer-alert', read: (d) => lineNumber(d, 'timeouts') },
  { key: 'line_bytes_out', name: 'Serial bytes sent', unit: 'B', device_class: 'data_size', state_class: 'total_increasing', read: (d) => lineNumber(d, 'bytesOut') },
  { key: 'line_bytes_in', name: 'Serial bytes received', unit: 'B', device_class: 'data_size', state_class: 'total_increasing', read: (d) => lineNumber(d, 'bytesIn') },
];

interface GatewaySensor { key: string; name: string; unit?: string; device_class?: string; state_class: 'measurement' | 'total_increasing'; icon?: string; read(g: GatewayView | null, l: LedgerView | null, v: FleetView, now: number): number | undefined }
const GATEWAY_SENSORS: readonly GatewaySensor[] = [
  { key: 'completed', name: 'Inferences completed', state_class: 'total_increasing', icon: 'mdi:check-circle', read: (g) => g?.completed },
  { key: 'failed', name: 'Inferences failed', state_class: 'total_increasing', icon: 'mdi:alert-circle', read: (g) => g?.failed },
  { key: 'rejections', name: 'Rejected inputs', state_class: 'total_increasing', icon: 'mdi:shield-alert', read: (g) => (g ? Object.values(g.rejections).reduce((a, b) => a + b, 0) : undefined) },
  { key: 'devices_online', name: 'Devices online', state_class: 'measurement', icon: 'mdi:devices', read: (g) => g?.devicesOnline },
  { key: 'in_flight', name: 'Requests in flight', state_class: 'measurement', read: (g) => g?.inFlight },
  { key: 'ledger_height', name: 'Ledger entries', state_class: 'total_increasing', icon: 'mdi:book-lock', read: (_g, l) => l?.count },
  {
    key: 'latency_p50', name: 'Inference latency (p50, 1 min)', unit: 'ms', device_class: 'duration', state_class: 'measurement',
    read: (_g, _l, v, now) => {
      const ms = v.recent(now, 60_000).filter((o) => o.ok && o.ms !== undefined).map((o) => o.ms!).sort((a, b) => a - b);
      return ms.length ? ms[Math.floor((ms.length - 1) / 2)] : undefined;
    },
  },
  { key: 'inferences_per_second', name: 'Inferences per second (1 min)', unit: 'req/s', state_class: 'measurement', read: (_g, _l, v, now) => v.recent(now, 60_000).filter((o) => o.ok).length / 60 },
];

export const GATEWAY_HA_ID = haId('gateway');
export const bridgeAvailabilityTopic = (o: DiscoveryOptions) => `${o.base}/bridge/availability`;
export const deviceAvailabilityTopic = (o: DiscoveryOptions, id: string) => `${o.base}/${haId(id)}/availability`;
export const stateTopic = (o: DiscoveryOptions, id: string, key: string) => `${o.base}/${haId(id)}/${key}`;
export const configTopic = (o: DiscoveryOptions, id: string) => `${o.prefix}/device/${haId(id)}/config`;
/** Home Assistant's birth and will topic: `online` there means it (re)started and lost what it knew. */
export const haStatusTopic = (o: DiscoveryOptions) => `${o.prefix}/status`;

const ORIGIN = { name: 'layerfleet ha-bridge', sw: BRIDGE_VERSION };

function component(o: DiscoveryOptions, id: string, s: { key: string; name: string; unit?: string; device_class?: string; state_class: string; icon?: string }) {
  return {
    p: 'sensor', name: s.name, unique_id: `${haId(id)}_${s.key}`, state_topic: stateTopic(o, id, s.key),
    state_class: s.state_class, ...(s.unit ? { unit_of_measurement: s.unit } : {}), ...(s.device_class ? { device_class: s.device_class } : {}), ...(s.icon ? { icon: s.icon } : {}),
  };
}

export interface Discovery { topic: string; payload: Record<string, unknown> }

/** The discovery config of one fleet device. */
export function deviceDiscovery(o: DiscoveryOptions, d: DeviceView): Discovery {
  const host = d.class === 'board' ? d.id.slice(0, d.id.indexOf('.')) : null;
  const sensors = d.class === 'board' ? [...DEVICE_SENSORS, ...BOARD_SENSORS] : DEVICE_SENSORS;
  return {
    topic: configTopic(o, d.id),
    payload: {
      dev: { ids: [haId(d.id)], name: `layerfleet ${d.id}`, mf: 'layerfleet', mdl: d.class, sw: BRIDGE_VERSION, ...(host ? { via_device: haId(host) } : { via_device: GATEWAY_HA_ID }) },
      o: ORIGIN,
      cmps: Object.fromEntries(sensors.map((s) => [s.key, component(o, d.id, s)])),
      availability: [{ topic: bridgeAvailabilityTopic(o) }, { topic: deviceAvailabilityTopic(o, d.id) }],
      availability_mode: 'all',
      qos: 1,
    },
  };
}

/** The gateway as a device of its own: totals, latency, the ledger. */
export function gatewayDiscovery(o: DiscoveryOptions): Discovery {
  return {
    topic: configTopic(o, 'gateway'),
    payload: {
      dev: { ids: [GATEWAY_HA_ID], name: 'layerfleet gateway', mf: 'layerfleet', mdl: 'gateway', sw: BRIDGE_VERSION },
      o: ORIGIN,
      cmps: Object.fromEntries(GATEWAY_SENSORS.map((s) => [s.key, component(o, 'gateway', s)])),
      availability: [{ topic: bridgeAvailabilityTopic(o) }, { topic: deviceAvailabilityTopic(o, 'gateway') }],
      availability_mode: 'all',
      qos: 1,
    },
  };
}

/** Every numeric state there is now, as (topic, number text); figures not known are left out. */
export function states(o: DiscoveryOptions, view: FleetView, now: number): Array<[topic: string, value: string]> {
  const out: Array<[string, string]> = [];
  const put = (topic: string, v: number | undefined) => { if (v !== undefined && Number.isFinite(v)) out.push([topic, String(Math.round(v * 1000) / 1000)]); };
  const hops = view.hopLatency(now, 60_000);
  for (const d of view.devices.values()) {
    const h = hops.get(d.id);
    const extra: DeviceExtra = h ? { hopP50Ms: h.p50Ms, hops: h.hops } : { hops: 0 };
    for (const s of d.class === 'board' ? [...DEVICE_SENSORS, ...BOARD_SENSORS] : DEVICE_SENSORS) put(stateTopic(o, d.id, s.key), s.read(d, extra));
  }
  for (const s of GATEWAY_SENSORS) put(stateTopic(o, 'gateway', s.key), s.read(view.gateway, view.ledger, view, now));
  return out;
}

/** `online` / `offline` per device (unknown: left out), and the gateway's as the fold last heard it. */
export function availability(o: DiscoveryOptions, view: FleetView, gatewayOnline: boolean): Array<[topic: string, value: 'online' | 'offline']> {
  const out: Array<[string, 'online' | 'offline']> = [[deviceAvailabilityTopic(o, 'gateway'), gatewayOnline ? 'online' : 'offline']];
  for (const d of view.devices.values()) if (d.state !== 'unknown') out.push([deviceAvailabilityTopic(o, d.id), d.state]);
  return out;
}
