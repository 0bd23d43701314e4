/**
 * Prometheus metrics for `/metrics` (prom-client, text format 0.0.4). Names start `layerfleet_`,
 * use base units (seconds, bytes) and end counters in `_total`; no label carries a request id,
 * a device id or anything else that grows with traffic — only outcome, reason, class and state,
 * each from a short fixed list (plus reasons counted that the list lacks).
 *
 * Counters the gateway already keeps (GatewayStats, Rejections) are read when scraped, so the
 * figures are the same ones the `lf/v1/telemetry/gateway` topic carries; the inference histogram
 * and the outcome counter are fed by `observe` for each finished request.
 */
import { Counter, Gauge, Histogram, Registry as PromRegistry } from 'prom-client';
import type { Rejections } from '@layerfleet/protocol';
import type { Outcome } from '../standing-routes.js';
import type { Registry } from '../registry.js';
import type { GatewayStats } from '../gateway.js';
import { KNOWN_REJECTION_REASONS } from './rejection-reasons.js';
import { DEVICE_CLASSES, deviceClass } from '../device-class.js';

/** What the gateway lends the metrics; read at each scrape. */
export interface MetricsSources {
  registry: Registry;
  rejections: Rejections;
  stats: GatewayStats;
  /** clients connected to the broker now, any listener */
  brokerClients(): number;
  /** entries in the audit ledger */
  ledgerHeight(): number;
  /** standing streams (source, model) the gateway keeps a route for */
  streams(): number;
  waiting(): number;
}


/** Request-to-result seconds: LeNet over a few hops is milliseconds, a VGG on boards seconds. */
export const INFERENCE_BUCKETS_SECONDS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30];
const OUTCOMES = ['completed', 'failed'] as const;

/** Sets a counter read from elsewhere to `value` (prom-client counters only go up by `inc`). */
const setCounter = (c: Counter<string>, value: number, labels: Record<string, string> = {}) => {
  c.remove(labels);
  c.inc(labels, value);
};

export class GatewayMetrics {
  readonly prom = new PromRegistry();
  private readonly duration: Histogram<'outcome'>;
  private readonly inferences: Counter<'outcome'>;

  constructor(src: MetricsSources) {
    const registers = [this.prom];
    this.duration = new Histogram({
      name: 'layerfleet_inference_duration_seconds', help: 'Seconds from a request reaching the gateway to its outcome, by outcome.',
      labelNames: ['outcome'], buckets: INFERENCE_BUCKETS_SECONDS, registers,
    });
    this.inferences = new Counter({ name: 'layerfleet_inferences_total', help: 'Requests finished, by outcome.', labelNames: ['outcome'], registers });
    for (const outcome of OUTCOMES) {
      this.inferences.inc({ outcome }, 0);
      this.duration.zero({ outcome });
    }
    new Counter({
      name: 'layerfleet_rejections_total', help: 'Inputs the gateway refused, by reason (docs/telemetry.md lists them).', labelNames: ['reason'], registers,
      collect() {
        for (const reason of new Set([...KNOWN_REJECTION_REASONS, ...src.rejections.byReason.keys()])) setCounter(this, src.rejections.byReason.get(reason) ?? 0, { reason });
      },
    });
    new Gauge({
      name: 'layerfleet_devices', help: 'Devices the gateway knows, by class (source, worker, board) and state (online, offline).', labelNames: ['class', 'state'], registers,
      collect() {
        this.reset();
        for (const cls of DEVICE_CLASSES) for (const state of ['online', 'offline']) this.set({ class: cls, state }, 0);
        for (const d of src.registry.all()) this.inc({ class: deviceClass(d.id, d.caps.role), state: d.online ? 'online' : 'offline' });
      },
    });
    new Gauge({ name: 'layerfleet_broker_clients', help: 'MQTT clients connected to the broker, every listener.', registers, collect() { this.set(src.brokerClients()); } });
    new Gauge({ name: 'layerfleet_ledger_height', help: 'Entries in the audit ledger.', registers, collect() { this.set(src.ledgerHeight()); } });
    new Gauge({ name: 'layerfleet_streams', help: 'Streams (source, model) on a standing route.', registers, collect() { this.set(src.streams()); } });
    new Gauge({ name: 'layerfleet_streams_waiting', help: 'Streams waiting in the queue for a feasible route.', registers, collect() { this.set(src.waiting()); } });
    const counters: Array<[string, string, (s: GatewayStats) => number]> = [
      ['layerfleet_data_plane_bytes_total', 'Envelope bytes through the broker to and from inboxes.', (s) => s.dataPlaneBytes],
      ['layerfleet_data_plane_messages_total', 'Envelopes through the broker to and from inboxes.', (s) => s.dataPlaneMessages],
      ['layerfleet_queued_total', 'Times a request found no feasible placement and waited.', (s) => s.queued],
      ['layerfleet_queue_timeouts_total', 'Waiting requests failed when their time was up.', (s) => s.queueTimeouts],
      ['layerfleet_queue_full_total', 'Requests failed because the queue was full.', (s) => s.queueFull],
      ['layerfleet_streams_over_rate_total', 'Times a stream was found sending above its declared rate.', (s) => s.streamsOverRate],
      ['layerfleet_route_changes_total', 'Times a standing route was replaced by a new version (membership, load, rate, exposure changed).', (s) => s.routeChanges],
    ];
    for (const [name, help, read] of counters) new Counter({ name, help, registers, collect() { setCounter(this, read(src.stats)); } });
  }

  /** One finished request. */
  observe(o: Pick<Outcome, 'outcome' | 'totalMs'>): void {
    this.inferences.inc({ outcome: o.outcome });
    if (o.totalMs !== undefined && Number.isFinite(o.totalMs) && o.totalMs >= 0) this.duration.observe({ outcome: o.outcome }, o.totalMs / 1000);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.prom.contentType, body: await this.prom.metrics() };
  }
}
