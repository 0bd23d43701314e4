import test from 'ava';
import { Rejections } from '@layerfleet/protocol';
import { Registry } from '../src/registry.js';
import { GatewayMetrics } from '../src/http/metrics.js';
import { startGatewayHttp } from '../src/http/http-server.js';
import type { GatewayStats } from '../src/gateway.js';

const stats: GatewayStats = { strategy: 'segment-dp', completed: 0, failed: 0, queued: 0, dequeued: 0, queueTimeouts: 0, queueFull: 0, routeChanges: 0, routeChangeReasons: {}, streamsOverRate: 0, dataPlaneBytes: 0, dataPlaneMessages: 0, brokerClients: 0 };

async function server(t: import('ava').ExecutionContext, assets: Parameters<typeof startGatewayHttp>[0]['assets']) {
  const rejections = new Rejections();
  const metrics = new GatewayMetrics({ registry: new Registry(), rejections, stats, brokerClients: () => 3, ledgerHeight: () => 7, streams: () => 0, waiting: () => 0 });
  const http = await startGatewayHttp({ port: 0, host: '127.0.0.1', rejections, metrics, assets, config: { ws: null, username: 'dashboard', password: null } });
  t.teardown(() => http.close());
  return { http, metrics, rejections, get: (path: string, init: RequestInit = {}) => fetch(new URL(path, http.url), { ...init, signal: AbortSignal.timeout(10_000) }) };
}

test('read-only: GET and HEAD; other methods 405 with Allow; unknown paths and traversal 404; an unbuilt page 503 saying how to build it', async (t) => {
  const { get } = await server(t, { missing: 'dashboard/dist/web/index.html: ENOENT (run npm run build)' });
  const page = await get('/');
  t.is(page.status, 503);
  t.regex(await page.text(), /not built: .*run npm run build/);
  t.is((await get('/metrics', { method: 'DELETE' })).status, 405);
  const head = await get('/metrics', { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(await head.text(), '', 'HEAD has no body');
  t.is((await get('/..%2f..%2fetc/passwd')).status, 404);
  t.is((await get('/app.js')).status, 404);
  t.deepEqual(await (await get('/config.json')).json(), { ws: null, username: 'dashboard', password: null });
});

test('metrics: outcomes observed land in the histogram in seconds; a reason never seen before appears; gauges read at scrape', async (t) => {
  const { get, metrics, rejections } = await server(t, new Map([['/', { contentType: 'text/html', body: Buffer.from('<p>hi</p>') }]]));
  t.is(await (await get('/')).text(), '<p>hi</p>');
  metrics.observe({ outcome: 'completed', totalMs: 30 });
  metrics.observe({ outcome: 'failed', totalMs: Number.NaN });
  rejections.count('brand-new-reason', 'a test');
  const text = await (await get('/metrics')).text();
  t.regex(text, /^layerfleet_inference_duration_seconds_bucket\{le="0\.05",outcome="completed"\} 1$/m);
  t.regex(text, /^layerfleet_inference_duration_seconds_sum\{outcome="completed"\} 0\.03$/m);
  t.regex(text, /^layerfleet_inference_duration_seconds_count\{outcome="failed"\} 0$/m, 'a duration that is not a number is not observed');
  t.regex(text, /^layerfleet_inferences_total\{outcome="failed"\} 1$/m, 'but the outcome is counted');
  t.regex(text, /^layerfleet_rejections_total\{reason="brand-new-reason"\} 1$/m);
  t.regex(text, /^layerfleet_rejections_total\{reason="replay"\} 0$/m);
  t.regex(text, /^layerfleet_broker_clients 3$/m);
  t.regex(text, /^layerfleet_ledger_height 7$/m);
});
