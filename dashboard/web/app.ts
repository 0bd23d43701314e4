/**
 * The live dashboard page. It reads the gateway's telemetry over MQTT-over-WebSocket as the
 * read-only `dashboard` account (where and how: /config.json, served by the gateway's HTTP port),
 * folds every message into a FleetView (../src/fleet-view.ts, the same fold `status` uses) and
 * redraws at most four times a second. Bundled with esbuild by scripts/build-dashboard.mjs:
 * preact + htm for the view, uPlot for the two charts, mqtt.js's browser build for the link.
 */
import { h, render } from 'preact';
import htm from 'htm';
import uPlot from 'uplot';
import mqtt from 'mqtt';
import { FleetView, TELEMETRY_FILTER, type DeviceView, type StreamView } from '../src/fleet-view.js';

const html = htm.bind(h);

interface Config { ws: { port: number; path: string; secure: boolean } | null; username: string; password: string | null }

const view = new FleetView();
let link: { state: 'connecting' | 'connected' | 'offline' | 'error'; detail: string } = { state: 'connecting', detail: '' };
let messages = 0;

const fmtRate = (x: number | undefined) => (x === undefined ? '–' : x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : `${Math.round(x)}`);
const fmtBytes = (x: number | undefined) => (x === undefined ? '–' : x >= 1 << 30 ? `${(x / (1 << 30)).toFixed(1)} GiB` : x >= 1 << 20 ? `${(x / (1 << 20)).toFixed(1)} MiB` : x >= 1 << 10 ? `${(x / (1 << 10)).toFixed(1)} KiB` : `${x} B`);

/** A stable colour per device id, so a device looks the same in every placement. */
function colourOf(id: string): string {
  // FNV-1a, then a murmur finaliser: ids one letter apart land far apart on the colour wheel
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13;
  return `hsl(${(h >>> 0) % 360} 60% 42%)`;
}

function BudgetBar({ d }: { d: DeviceView }) {
  if (d.budget === undefined) return html`<span class="muted">–</span>`;
  const used = d.used ?? 0;
  const pct = d.budget > 0 ? Math.min(100, (100 * used) / d.budget) : 0;
  return html`<div class="bar" title=${`${fmtRate(used)}MAC/s used of ${fmtRate(d.budget)}MAC/s`}>
    <div class="fill ${pct > 95 ? 'hot' : ''}" style=${`width:${pct.toFixed(1)}%`}></div>
    <span>${fmtRate(used)} / ${fmtRate(d.budget)}MAC/s</span>
  </div>`;
}

function lineSummary(line: Record<string, unknown> | undefined): string {
  if (!line) return '';
  const n = (k: string) => (typeof line[k] === 'number' ? (line[k] as number) : 0);
  return `${String(line['port'] ?? '')} ${fmtRate(n('bitsPerSecond'))}bit/s, ${n('retries')} retries, ${n('timeouts')} timeouts`;
}

function DeviceRow({ d, hop }: { d: DeviceView; hop: { hops: number; p50Ms: number } | undefined }) {
  return html`<tr data-device=${d.id} data-state=${d.state} class=${d.class === 'board' ? 'board' : ''}>
    <td><span class="swatch" style=${`background:${colourOf(d.id)}`}></span>${d.id}</td>
    <td>${d.class}</td>
    <td><span class="state ${d.state}" title=${d.offlineReason ?? ''}>${d.state}</span></td>
    <td><${BudgetBar} d=${d} /></td>
    <td>${fmtBytes(d.memoryBytes)}</td>
    <td>${d.linkBitsPerSecond === undefined ? '–' : `${fmtRate(d.linkBitsPerSecond)}bit/s`}</td>
    <td>${d.layersHeld ?? '–'}</td>
    <td>${hop ? `${hop.p50Ms.toFixed(1)} ms × ${hop.hops}` : '–'}</td>
    <td>${d.boards.length ? d.boards.join(', ') : lineSummary(d.line)}</td>
  </tr>`;
}

/** One stream's placement, layer by layer: a box per layer in its device's colour, hops marked where the device changes. */
function Placement({ s }: { s: StreamView }) {
  return html`<div class="stream" data-stream=${`${s.source}/${s.model}`}>
    <div class="stream-name">${s.source} · ${s.model} <span class="muted">${new Date(s.ts).toLocaleTimeString()}</span></div>
    <svg class="placement" viewBox=${`0 0 ${s.placement.length * 96} 56`} width=${s.placement.length * 96} height="56">
      ${s.placement.map((dev, i) => html`<g data-layer=${i + 1} data-on=${dev}>
        ${i > 0 && s.placement[i - 1] !== dev ? html`<line x1=${i * 96 - 10} y1="28" x2=${i * 96 + 4} y2="28" class="hop" />` : null}
        <rect x=${i * 96 + 4} y="4" width="82" height="48" rx="6" fill=${colourOf(dev)} />
        <text x=${i * 96 + 45} y="22" text-anchor="middle" class="layer">layer ${i + 1}</text>
        <text x=${i * 96 + 45} y="40" text-anchor="middle" class="dev">${dev.length > 12 ? `${dev.slice(0, 11)}…` : dev}</text>
      </g>`)}
    </svg>
  </div>`;
}

function Counts({ title, counts, empty, testid }: { title: string; counts: Record<string, number>; empty: string; testid: string }) {
  const rows = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return html`<section data-testid=${testid}><h2>${title}</h2>
    ${rows.length === 0 ? html`<p class="muted">${empty}</p>` : html`<table><tbody>${rows.map(([k, n]) => html`<tr><td>${k}</td><td class="num">${n}</td></tr>`)}</tbody></table>`}
  </section>`;
}

function App() {
  const now = Date.now();
  const hops = view.hopLatency(now, 60_000);
  const g = view.gateway;
  const devices = view.deviceList();
  return html`<main>
    <header>
      <h1>layerfleet</h1>
      <span class="link ${link.state}" data-testid="link">${link.state}${link.detail ? `: ${link.detail}` : ''}</span>
      <span>${g ? `${g.devicesOnline ?? 0} online · ${g.streamCount ?? g.inFlight ?? 0} streams · ${g.completed ?? 0} completed · ${g.failed ?? 0} failed · ${g.strategy ?? ''}` : 'waiting for the gateway'}</span>
      <span data-testid="ledger" title=${view.ledger?.root ?? ''}>${view.ledger ? `ledger ${view.ledger.count} entries, root ${view.ledger.root.slice(0, 12)}…` : 'ledger –'}</span>
    </header>
    <section><h2>Devices</h2>
      <table data-testid="devices"><thead><tr><th>device</th><th>class</th><th>state</th><th>MAC/s used / budget</th><th>memory</th><th>link</th><th>layers</th><th>hop p50 (1 min)</th><th>boards / line</th></tr></thead>
      <tbody>${devices.map((d) => html`<${DeviceRow} key=${d.id} d=${d} hop=${hops.get(d.id)} />`)}</tbody></table>
      ${devices.length === 0 ? html`<p class="muted">no device has said anything yet</p>` : null}
    </section>
    <section data-testid="placements"><h2>Placements</h2>
      ${view.streams.size === 0 ? html`<p class="muted">no stream has completed a request yet</p>` : [...view.streams.values()].map((s) => html`<${Placement} key=${`${s.source}/${s.model}`} s=${s} />`)}
    </section>
    <div class="charts">
      <section><h2>Inferences per second (last 5 min)</h2><div id="rate-chart" data-testid="rate-chart"></div></section>
      <section><h2>Latency, completed requests (last 5 min)</h2><div id="latency-chart" data-testid="latency-chart"></div></section>
    </div>
    <div class="charts">
      <${Counts} title="Rejections by reason (gateway)" counts=${g?.rejections ?? {}} empty="none" testid="rejections" />
      <${Counts} title="Failed requests by reason" counts=${view.failures} empty="none" testid="failures" />
    </div>
    <footer class="muted">${messages} telemetry messages · ${Object.entries(view.ignored).map(([k, n]) => `${n} ignored (${k})`).join(', ') || 'none ignored'}</footer>
  </main>`;
}

let rateChart: uPlot | null = null;
let latencyChart: uPlot | null = null;

function drawCharts(): void {
  const now = Date.now();
  const rate = view.ratePerSecond(now, 5 * 60_000);
  const rateEl = document.getElementById('rate-chart');
  if (rateEl && !rateChart) {
    rateChart = new uPlot({
      width: 520, height: 220, scales: { x: { time: true } },
      series: [{}, { label: 'completed/s', stroke: 'hsl(140 55% 35%)', width: 2 }, { label: 'failed/s', stroke: 'hsl(0 70% 45%)', width: 2 }],
      axes: [{}, { label: 'per s' }],
    }, [rate.t, rate.completed, rate.failed], rateEl);
  } else rateChart?.setData([rate.t, rate.completed, rate.failed]);
  const hist = view.latencyHistogram(now);
  const xs = hist.bounds.map((_, i) => i);
  const names = hist.bounds.map((b, i) => (Number.isFinite(b) ? `${b}` : `>${hist.bounds[i - 1] ?? 0}`));
  const latencyEl = document.getElementById('latency-chart');
  if (latencyEl && !latencyChart) {
    latencyChart = new uPlot({
      width: 520, height: 220, scales: { x: { time: false } },
      series: [{ label: 'latency', value: (_u, i) => names[i] ?? '' }, { label: 'requests', fill: 'hsl(210 60% 55% / 0.7)', stroke: 'hsl(210 60% 40%)', paths: uPlot.paths.bars!({ size: [0.8, 64] }) }],
      axes: [{ label: 'ms, at most', values: (_u, splits) => splits.map((i) => names[i] ?? ''), splits: () => xs }, { label: 'requests' }],
    }, [xs, hist.counts], latencyEl);
  } else latencyChart?.setData([xs, hist.counts]);
}

let scheduled = false;
function redraw(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    render(html`<${App} />`, document.getElementById('app')!);
    drawCharts();
  }, 250);
}

async function main(): Promise<void> {
  document.getElementById('app')!.textContent = '';
  redraw();
  setInterval(redraw, 1000); // charts slide even when nothing arrives
  let config: Config;
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    config = (await res.json()) as Config;
  } catch (err) {
    link = { state: 'error', detail: `cannot read /config.json: ${(err as Error).message}` };
    return redraw();
  }
  if (!config.ws) {
    link = { state: 'error', detail: 'the gateway runs no MQTT-over-WebSocket listener (start it with --ws-port)' };
    return redraw();
  }
  const url = `${config.ws.secure ? 'wss' : 'ws'}://${location.hostname}:${config.ws.port}${config.ws.path}`;
  const client = mqtt.connect(url, {
    // Aedes 1.x speaks MQTT 3.1.1
    protocolVersion: 4,
    clientId: `dashboard-${Math.random().toString(36).slice(2, 10)}`,
    username: config.username,
    ...(config.password === null ? {} : { password: config.password }),
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
  });
  client.on('connect', () => {
    link = { state: 'connected', detail: url };
    client.subscribe(TELEMETRY_FILTER, { qos: 0 });
    redraw();
  });
  client.on('offline', () => { link = { state: 'offline', detail: 'reconnecting' }; redraw(); });
  client.on('error', (err) => { link = { state: 'error', detail: err.message }; redraw(); });
  client.on('message', (topic, payload) => {
    messages++;
    view.apply(topic, payload);
    redraw();
  });
}

void main();
