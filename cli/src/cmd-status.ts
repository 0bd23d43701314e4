/**
 * `layerfleet status --gateway URL`: the fleet on one screen — devices, routes, load, rejections —
 * read from the gateway's retained telemetry as the dashboard account (read-fleet.ts), or as one
 * JSON object with `--json`.
 */
import type { DeviceView, FleetView } from '@layerfleet/dashboard';
import { numberFlag, parseCommandFlags, requiredString, type CommandSpec } from './args.js';
import { DASHBOARD_LOGIN_FLAGS, dashboardLogin } from './dashboard-login.js';
import { DEFAULT_READ_WAIT_MS, readFleet } from './read-fleet.js';

export const spec: CommandSpec = {
  name: 'status',
  summary: "the fleet on one screen: devices, routes, load, rejections (from the gateway's telemetry; --json for one JSON object)",
  flags: {
    gateway: { type: 'broker-url', default: 'mqtt://127.0.0.1:1883', description: "the gateway's broker (mqtt://, mqtts://, ws:// or wss://), read as the dashboard account" },
    ...DASHBOARD_LOGIN_FLAGS,
    wait: { type: 'number', default: DEFAULT_READ_WAIT_MS, unit: 'ms', description: "how long to wait for the connection and the gateway's retained topics" },
    json: { type: 'boolean', description: 'one JSON object: gateway, ledger, devices, routes, rejections' },
  },
};

const si = (x: number | undefined, unit: string) => (x === undefined ? '–' : x >= 1e9 ? `${(x / 1e9).toFixed(2)} G${unit}` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M${unit}` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k${unit}` : `${Math.round(x)} ${unit}`);
const mib = (x: number | undefined) => (x === undefined ? '–' : `${(x / 2 ** 20).toFixed(1)} MiB`);

function load(d: DeviceView): string {
  if (d.budget === undefined) return '–';
  const pct = d.budget > 0 && d.used !== undefined ? ` ${Math.round((100 * d.used) / d.budget)}%` : '';
  return `${si(d.used ?? 0, '').trim()} / ${si(d.budget, 'MAC/s')}${pct}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function statusJson(view: FleetView): Record<string, unknown> {
  return {
    gateway: view.gateway, ledger: view.ledger,
    devices: view.deviceList().map(({ boards, ...d }) => ({ ...d, ...(boards.length ? { boards } : {}) })),
    routes: [...view.streams.values()],
    rejections: Object.fromEntries(Object.entries(view.gateway?.rejections ?? {}).filter(([, n]) => n > 0)),
    failures: view.failures,
  };
}

export function statusText(view: FleetView): string {
  const g = view.gateway;
  const out: string[] = [];
  out.push(`gateway ${g?.strategy ?? '?'} · ${g?.devicesOnline ?? 0} online · ${g?.streamCount ?? 0} streams · ${g?.waiting ?? 0} waiting · ${g?.completed ?? 0} completed · ${g?.failed ?? 0} failed · ` +
    (view.ledger ? `ledger ${view.ledger.count} entries, root ${view.ledger.root.slice(0, 16)}…` : 'ledger –'));
  out.push('');
  const devices = view.deviceList();
  out.push(devices.length === 0 ? 'no devices' : table([
    ['DEVICE', 'CLASS', 'STATE', 'MAC/s USED/BUDGET', 'MEMORY', 'LINK', 'LAYERS', 'HOPS/1min', 'HOP p50'],
    ...devices.map((d) => [
      d.class === 'board' ? `  ${d.id}` : d.id, d.class, d.state === 'offline' && d.offlineReason ? `offline (${d.offlineReason})` : d.state, load(d), mib(d.memoryBytes),
      si(d.linkBitsPerSecond, 'bit/s'), d.layersHeld === undefined ? '–' : String(d.layersHeld), d.hops === undefined ? '–' : String(d.hops), d.hopP50Ms === undefined ? '–' : `${d.hopP50Ms.toFixed(1)} ms`,
    ]),
  ]));
  out.push('');
  const routes = [...view.streams.values()];
  out.push(routes.length === 0 ? 'ROUTES: none yet' : table([['ROUTE', 'PLACEMENT (layer 1 … L)', 'SINCE'], ...routes.map((s) => [`${s.source}/${s.model}`, s.placement.join(' → '), new Date(s.ts).toISOString().slice(11, 19)])]));
  out.push('');
  const rejections = Object.entries(g?.rejections ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  out.push(`REJECTIONS since the gateway started: ${rejections.length ? rejections.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}`);
  const failures = Object.entries(view.failures);
  if (failures.length) out.push(`FAILED REQUESTS while reading: ${failures.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return out.join('\n');
}

export async function run(argv: string[]): Promise<void> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return;
  const wait = numberFlag(flags, 'wait') ?? DEFAULT_READ_WAIT_MS;
  if (!(wait > 0)) throw new Error(`--wait: expected ms > 0, got ${wait}`);
  const view = await readFleet(requiredString(flags, 'gateway'), await dashboardLogin(flags), wait);
  console.log(flags.json ? JSON.stringify(statusJson(view)) : statusText(view));
}
