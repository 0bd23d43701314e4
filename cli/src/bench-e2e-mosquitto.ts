/**
 * Mosquitto (Debian package `mosquitto`) as the peer broker of `bench e2e`: started on a free
 * loopback port with a generated configuration (anonymous clients, no persistence), ready once an
 * MQTT client connects, stopped by the caller.
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import mqtt from 'mqtt';
import { startChild, type Child } from './bench-e2e-child.js';

export const MOSQUITTO_MISSING = 'mosquitto is not installed (Debian: apt-get install mosquitto); the Mosquitto figures are left out';

/** mosquitto's path: on PATH, or in /usr/sbin where Debian puts it (often not on a user's PATH). */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'mosquitto'), constants.X_OK);
      return join(dir, 'mosquitto');
    } catch { /* not here */ }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Mosquitto { url: string; child: Child; stop(): Promise<void> }

export async function startMosquitto(program: string, readyWithinMs = 10_000): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'layerfleet-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n`);
  const child = startChild('mosquitto', program, ['-c', conf]);
  const url = `mqtt://127.0.0.1:${port}`;
  const stop = async () => { await child.stop(); await rm(dir, { recursive: true, force: true }); };
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    try {
      const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 });
      await probe.endAsync();
      return { url, child, stop };
    } catch (err) {
      if (child.process.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`mosquitto did not accept a connection on ${url} within ${readyWithinMs} ms (${(err as Error).message})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
