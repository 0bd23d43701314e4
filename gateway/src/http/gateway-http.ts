/**
 * Wires the HTTP port to a running gateway: its metrics (fed by finished requests), the built
 * dashboard page, and the page's config (the WebSocket listener and the dashboard account).
 */
import { DASHBOARD_USERNAME, type Rejections } from '@layerfleet/protocol';
import { loadDashboardAssets } from '@layerfleet/dashboard';
import type { BrokerUrls } from '../broker.js';
import type { GatewayOptions, GatewayStats } from '../gateway.js';
import type { Outcome } from '../standing-routes.js';
import type { Registry } from '../registry.js';
import { dashboardSecret } from '../trust/access.js';
import { WS_PATH } from '../transport/ws-listener.js';
import { startGatewayHttp, type DashboardConfig, type GatewayHttp } from './http-server.js';
import { GatewayMetrics } from './metrics.js';

export type { GatewayHttp };

export interface GatewayParts {
  registry: Registry;
  rejections: Rejections;
  stats: GatewayStats;
  /** the gateway's outcome listeners, to which the metrics add one */
  listeners: Array<(o: Outcome) => void>;
  /** MQTT connections now, as the broker thread last said */
  brokerClients(): number;
  urls: BrokerUrls;
  ledgerHeight(): number;
  streams(): number;
  waiting(): number;
}

/** The WebSocket listener's port, from its URL (`ws://host:port/mqtt`). */
function wsConfig(urls: BrokerUrls): DashboardConfig['ws'] {
  if (!urls.ws) return null;
  const url = new URL(urls.ws);
  return { port: Number(url.port), path: WS_PATH, secure: url.protocol === 'wss:' };
}

export async function startGatewayHttpFor(opts: GatewayOptions & { httpPort: number }, parts: GatewayParts): Promise<GatewayHttp> {
  const metrics = new GatewayMetrics({
    registry: parts.registry, rejections: parts.rejections, stats: parts.stats,
    brokerClients: parts.brokerClients, ledgerHeight: parts.ledgerHeight, streams: parts.streams, waiting: parts.waiting,
  });
  parts.listeners.push((o) => metrics.observe(o));
  const enrolled = (opts.access ?? 'enrolled') === 'enrolled';
  return startGatewayHttp({
    port: opts.httpPort, host: opts.host ?? '127.0.0.1', rejections: parts.rejections, metrics,
    assets: loadDashboardAssets(),
    config: { ws: wsConfig(parts.urls), username: DASHBOARD_USERNAME, password: enrolled ? dashboardSecret(opts.stateDir) : null },
    ...(opts.log ? { log: opts.log } : {}),
  });
}
