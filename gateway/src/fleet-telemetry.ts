/**
 * The retained `lf/v1/telemetry/fleet` topic (docs/telemetry.md): what only the gateway knows and
 * a dashboard needs to draw the fleet — each device's class, link rate, memory and trust from its
 * signed hello, the placement each stream (source/model) is on now, and each device's hop
 * latency and hops computed over the last minute, and the layers of each model each device has
 * been sent (its exposure, which eq. 6 accumulates). Published once a second, so a dashboard (or
 * `layerfleet status`) that connects late finds it at once.
 */
import { TOPIC_PREFIX } from '@layerfleet/protocol';
import type { Registry } from './registry.js';
import type { Outcome } from './standing-routes.js';
import type { Telemetry } from './telemetry.js';
import { deviceClass } from './device-class.js';

export const FLEET_TOPIC = `${TOPIC_PREFIX}telemetry/fleet`;
/** how far back per-device hop latency looks */
export const FLEET_WINDOW_MS = 60_000;
/** hop timings kept per device within the window, newest kept */
const MAX_HOPS_PER_DEVICE = 2048;
const MAX_ROUTES = 1024;

export class FleetTelemetry {
  private readonly routes = new Map<string, { placement: string[]; ts: number; requests: number }>();
  private readonly hops = new Map<string, Array<{ ts: number; ms: number }>>();

  constructor(private readonly registry: Registry, private readonly now: () => number = Date.now) {}

  outcome(o: Pick<Outcome, 'source' | 'model' | 'outcome' | 'placement' | 'hops'>): void {
    if (o.outcome !== 'completed') return;
    const ts = this.now();
    const key = `${o.source}/${o.model}`;
    const route = this.routes.get(key);
    if (route) Object.assign(route, { placement: o.placement, ts, requests: route.requests + 1 });
    else if (this.routes.size < MAX_ROUTES) this.routes.set(key, { placement: o.placement, ts, requests: 1 });
    for (const h of o.hops ?? []) {
      if (!this.registry.get(h.device)) continue; // ids from the wire: only devices the registry knows get a list
      const list = this.hops.get(h.device) ?? this.hops.set(h.device, []).get(h.device)!;
      list.push({ ts, ms: h.ms });
      if (list.length > MAX_HOPS_PER_DEVICE) list.splice(0, list.length - MAX_HOPS_PER_DEVICE);
    }
  }

  body(): Record<string, unknown> {
    const from = this.now() - FLEET_WINDOW_MS;
    const devices: Record<string, unknown> = {};
    for (const d of this.registry.all()) {
      const list = (this.hops.get(d.id) ?? []).filter((h) => h.ts >= from);
      this.hops.set(d.id, list);
      const ms = list.map((h) => h.ms).sort((a, b) => a - b);
      devices[d.id] = {
        class: deviceClass(d.id, d.caps.role), online: d.online, trusted: d.trusted, macsPerSecond: d.caps.macsPerSecond,
        memoryBytes: d.caps.memoryBytes, rateBitsPerSecond: d.caps.rateBitsPerSecond, queue: d.queue,
        hops: ms.length, ...(ms.length ? { hopP50Ms: ms[Math.floor((ms.length - 1) / 2)], hopMaxMs: ms[ms.length - 1] } : {}),
        exposed: Object.fromEntries([...d.exposed].map(([model, layers]) => [model, [...layers].sort((a, b) => a - b)])),
      };
    }
    return { devices, routes: Object.fromEntries(this.routes), windowMs: FLEET_WINDOW_MS };
  }

  publish(telemetry: Pick<Telemetry, 'publish'>): void {
    telemetry.publish(FLEET_TOPIC, this.body(), true);
  }
}
