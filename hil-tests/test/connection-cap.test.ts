// Sockets that never finish a TLS handshake (or a WebSocket upgrade) are not yet broker
// connections; each listener still holds at most maxConnections sockets of any kind, so such a
// flood cannot take every file descriptor. Past the cap a socket is closed on arrival and counted.
import test from 'ava';
import net from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '@layerfleet/gateway';
import { until } from '../src/index.js';

test('a listener holds at most maxConnections sockets; the rest are closed on arrival and counted', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-cap-'));
  const gw = await startGateway({ port: 0, tlsPort: 0, wsPort: 0, stateDir: state, maxConnections: 5 });
  const sockets: net.Socket[] = [];
  t.teardown(async () => { for (const s of sockets) s.destroy(); await gw.close(); });
  for (const url of [gw.urls.mqtts!, gw.urls.ws!]) {
    const port = Number(new URL(url).port);
    const closed: boolean[] = [];
    for (let i = 0; i < 8; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      const at = closed.push(false) - 1;
      s.once('close', () => { closed[at] = true; });
      sockets.push(s);
      await new Promise<void>((r) => s.once('connect', () => r()));
    }
    await until(() => closed.filter(Boolean).length === 3, `three sockets to ${url} closed on arrival`, 5000);
    t.deepEqual(closed, [false, false, false, false, false, true, true, true], url);
  }
  t.is(gw.rejections.byReason.get('connection-limit'), 6);
  t.regex(gw.rejections.lastDetail.get('connection-limit')!, /closed on arrival: MQTT over WebSocket holds its 5 connections/);
});
