/**
 * The fleet as its telemetry says it now, for one-shot commands (`status`, `plan --explain
 * --gateway`): connect as the dashboard account, take the retained topics (every device's status
 * and load, the gateway's stats, fleet and ledger topics — all republished at least every
 * second), fold them, disconnect. Bounded: it waits at most `waitMs` in all.
 */
import mqtt from 'mqtt';
import { FleetView, TELEMETRY_FILTER, TELEMETRY_PREFIX } from '@layerfleet/dashboard';
import type { DashboardLogin } from './dashboard-login.js';

export const DEFAULT_READ_WAIT_MS = 3000;

export async function readFleet(url: string, login: DashboardLogin, waitMs = DEFAULT_READ_WAIT_MS): Promise<FleetView> {
  const view = new FleetView();
  const client = mqtt.connect(url, {
    protocolVersion: 4, clientId: `status-${Math.random().toString(36).slice(2, 10)}`, reconnectPeriod: 0, connectTimeout: waitMs,
    ...(login.username === undefined ? {} : { username: login.username }), ...(login.password === undefined ? {} : { password: login.password }),
    ...(login.ca ? { ca: login.ca } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection to ${url} within ${waitMs} ms`)), waitMs);
      client.once('connect', () => { clearTimeout(timer); resolve(); });
      client.once('error', (err) => { clearTimeout(timer); reject(new Error(`${url}: ${err.message}${/not authorized|bad user/i.test(err.message) ? ' (give --state DIR or --password-file FILE: the dashboard password)' : ''}`)); });
    });
    const seen = new Set<string>();
    client.on('message', (topic, payload) => {
      view.apply(topic, payload);
      seen.add(topic.slice(TELEMETRY_PREFIX.length));
    });
    await client.subscribeAsync(TELEMETRY_FILTER);
    // retained topics arrive at once; the gateway's own are republished every second, so wait for those
    const end = Date.now() + waitMs;
    while (Date.now() < end && !(seen.has('gateway') && seen.has('fleet'))) await new Promise((r) => setTimeout(r, 50));
    // a moment more for the retained device topics that follow
    await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, end - Date.now()))));
    if (!seen.has('gateway')) throw new Error(`${url}: no gateway telemetry within ${waitMs} ms (is it a layerfleet gateway?)`);
    return view;
  } finally {
    await client.endAsync(true);
  }
}
