// The one HTTP surface an outsider reaches: the WebSocket listener's HTTP server (upgrades to
// /mqtt). Hostile requests — any method, path, headers, broken upgrades, raw bytes — get an HTTP
// error or a closed socket, never a crash or a hang; after a successful upgrade, frames of any
// content are refused without harming the broker; a dashboard still gets in afterwards.
import test from 'ava';
import fc from 'fast-check';
import net from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { DASHBOARD_USERNAME, topics } from '@layerfleet/protocol';
import { startGateway, dashboardSecret } from '@layerfleet/gateway';

/** Sends `bytes`, then reads until the server closes or `quietMs` pass; the answer's first line. */
function exchange(port: number, bytes: Uint8Array, quietMs = 300): Promise<{ statusLine: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ statusLine: Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? '', closed });
    };
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('close', () => done(true));
    socket.once('connect', () => { socket.write(bytes); timer = setTimeout(() => done(false), quietMs); });
  });
}

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('websocket', 'Upgrade', '13', 'mqtt', '', 'dGhlIHNhbXBsZSBub25jZQ=='));
const request = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'TRACE'), token),
  path: fc.oneof(fc.constantFrom('/mqtt', '/', '/mqtt?x=1', '*', '//mqtt', '/%00', `/${'a'.repeat(5000)}`), fc.string({ maxLength: 60 })),
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'FOO'),
  headers: fc.array(fc.tuple(fc.oneof(fc.constantFrom('Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Content-Length', 'Transfer-Encoding', 'Host'), token), headerValue), { maxLength: 8 }),
  body: fc.uint8Array({ maxLength: 200 }),
});
const render = (r: { method: string; path: string; version: string; headers: Array<[string, string]>; body: Uint8Array }) =>
  Buffer.concat([Buffer.from(`${r.method} ${r.path} ${r.version}\r\n${r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'), Buffer.from(r.body)]);

test('hostile HTTP and WebSocket input to the dashboard listener: an error or a closed socket, and the broker serves on', async (t) => {
  t.timeout(240_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-http-'));
  const gw = await startGateway({ port: 0, wsPort: 0, stateDir: state });
  t.teardown(() => gw.close());
  const port = Number(new URL(gw.urls.ws!).port);
  const answers = new Map<string, number>();

  // Structured requests: an HTTP status (400, 404, 426…) or a close; never a 101 without a valid upgrade.
  await fc.assert(fc.asyncProperty(request, async (r) => {
    const { statusLine, closed } = await exchange(port, render(r));
    const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1];
    answers.set(status ?? (closed ? 'closed' : 'silent'), (answers.get(status ?? (closed ? 'closed' : 'silent')) ?? 0) + 1);
    if (status === '101') {
      const key = r.headers.find(([k]) => k.toLowerCase() === 'sec-websocket-key')?.[1] ?? '';
      return r.path.split('?')[0] === '/mqtt' && /^[A-Za-z0-9+/]{22}==$/.test(key);
    }
    return status !== undefined || closed || statusLine === '';
  }), { seed: 601, numRuns: 300 });

  // Raw bytes: anything at all.
  await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2000 }), async (b) => {
    const { statusLine, closed } = await exchange(port, b, 150);
    return !statusLine.startsWith('HTTP/1.1 101') && (closed || statusLine === '' || /^HTTP\/1\.1 \d{3}/.test(statusLine));
  }), { seed: 602, numRuns: 300 });

  // A valid upgrade, then frames of any content (masked as a client must): refused, never parsed as MQTT that gets in.
  const upgrade = Buffer.from('GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n');
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (frames) => {
    const { statusLine } = await exchange(port, Buffer.concat([upgrade, Buffer.from(frames)]), 150);
    return statusLine === 'HTTP/1.1 101 Switching Protocols';
  }), { seed: 603, numRuns: 150 });

  t.log(`answers to structured requests: ${JSON.stringify(Object.fromEntries(answers))}`);
  t.true((answers.get('426') ?? 0) + (answers.get('400') ?? 0) > 0, 'plain requests are told what to do');
  // After all that, a dashboard connects over WebSocket and reads telemetry; no client got in by garbage.
  const dash = await mqtt.connectAsync(gw.urls.ws!, { clientId: 'dash-after', username: DASHBOARD_USERNAME, password: dashboardSecret(state), reconnectPeriod: 0 });
  const stats = await new Promise<Record<string, unknown>>((resolve) => {
    dash.on('message', (_topic, payload) => resolve(JSON.parse(payload.toString()) as Record<string, unknown>));
    void dash.subscribeAsync(topics.gatewayStats);
  });
  await dash.endAsync();
  t.is(typeof stats.devicesOnline, 'number');
  t.is(gw.registry.online().length, 0, 'no device was registered by hostile input');
});
