/**
 * A Mosquitto broker (Debian's `mosquitto`) on a free loopback port, for tests that need a broker
 * other than ours — the one a Home Assistant user already runs. Anonymous, no persistence; its
 * log is kept for failure messages. `stop` ends it (tests call it in `t.teardown`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whereIs } from '@layerfleet/test-support';

export interface Mosquitto { url: string; port: number; log(): string; stop(): Promise<void> }

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** `port`: a given one (to start a broker again where clients reconnect to), else a free one. */
export async function startMosquitto(timeoutMs = 10_000, port?: number): Promise<Mosquitto> {
  const program = whereIs('mosquitto');
  if (!program) throw new Error('mosquitto is not installed (Debian: apt-get install mosquitto)');
  const dir = await mkdtemp(join(tmpdir(), 'lf-mosquitto-'));
  port ??= await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n`);
  const child = spawn(program, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-20_000); });
  let exited: string | null = null;
  child.once('exit', (code, signal) => { exited = `mosquitto exited (${signal ?? code})`; });
  const end = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (exited !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`${exited ?? `mosquitto not listening on ${port} after ${timeoutMs} ms`}; log:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`, port, log: () => log,
    stop: () => new Promise<void>((resolve) => {
      if (exited !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => { clearTimeout(kill); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}
