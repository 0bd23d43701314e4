/**
 * The gateway's HTTP port (`--http-port`): Prometheus `/metrics`, the live dashboard page and its
 * `/config.json` (where the page finds the MQTT-over-WebSocket listener and the read-only
 * dashboard account). Read-only: GET and HEAD only; everything else is refused with its status.
 *
 * What this port hands out is what the dashboard account can read anyway (telemetry: no tensors,
 * no keys), including that account's password: bind it where the WebSocket listener is reachable,
 * and no wider (docs/telemetry.md, "Who may read").
 */
import http from 'node:http';
import type { Rejections } from '@layerfleet/protocol';
import { listen } from '../transport/listen.js';
import type { GatewayMetrics } from './metrics.js';

/** Requests' headers must arrive within this; the port serves small files only. */
export const HTTP_REQUEST_TIMEOUT_MS = 10_000;

export interface StaticAsset { contentType: string; body: Buffer }

export interface DashboardConfig {
  /** the MQTT-over-WebSocket listener's port and path, or null when the gateway runs none */
  ws: { port: number; path: string; secure: boolean } | null;
  username: string;
  /** null on an open-access gateway (any name is admitted) */
  password: string | null;
}

export interface GatewayHttpOptions {
  port: number;
  host: string;
  rejections: Rejections;
  metrics: GatewayMetrics;
  /** path (`/`, `/app.js`, …) → file, or why the page is not there (not built) */
  assets: ReadonlyMap<string, StaticAsset> | { missing: string };
  config: DashboardConfig;
  log?: (line: string) => void;
}

export interface GatewayHttp {
  port: number;
  /** where this host reaches the dashboard */
  url: string;
  close(): Promise<void>;
}

export async function startGatewayHttp(opts: GatewayHttpOptions): Promise<GatewayHttp> {
  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, head: boolean) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(head ? undefined : body);
  };
  const server = http.createServer((req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', `${req.method ?? '?'} is not served here: this port is read-only\n`, false);
    }
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path === '/metrics') {
      opts.metrics.scrape().then(
        ({ contentType, body }) => send(res, 200, contentType, body, head),
        (err: Error) => send(res, 500, 'text/plain', `metrics: ${err.message}\n`, head),
      );
      return;
    }
    if (path === '/config.json') return send(res, 200, 'application/json', JSON.stringify(opts.config), head);
    if ('missing' in opts.assets) {
      return path === '/' ? send(res, 503, 'text/plain', `The dashboard page is not built: ${opts.assets.missing}\n`, head) : send(res, 404, 'text/plain', 'not found\n', head);
    }
    const asset = opts.assets.get(path === '/index.html' ? '/' : path);
    if (!asset) return send(res, 404, 'text/plain', `not found: ${path} (the dashboard is at /, metrics at /metrics)\n`, head);
    send(res, 200, asset.contentType, asset.body, head);
  });
  server.headersTimeout = HTTP_REQUEST_TIMEOUT_MS;
  server.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;
  const listener = await listen(server, opts.port, opts.host, 'HTTP (dashboard and metrics)', { rejections: opts.rejections, maxConnections: 256 });
  const reach = opts.host === '0.0.0.0' || opts.host === '::' || opts.host === '' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { port: listener.port, url: `http://${reach}:${listener.port}/`, close: () => listener.close() };
}
