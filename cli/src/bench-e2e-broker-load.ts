/**
 * Load on a broker for `bench e2e`: publisher/subscriber pairs pushing QoS 0 messages of a given
 * size, each publisher keeping at most WINDOW messages its subscriber has not yet received (a
 * closed loop: what is measured is what the broker delivers, not what piles up in buffers).
 *
 *   node bench-e2e-broker-load.js CONFIG_JSON
 *
 * CONFIG_JSON: {url, messages (per pair), bytes, window, pairs: [{topic, pub: CLIENT, sub: CLIENT}]}
 * with CLIENT = {clientId, username?, password? (base64)}. stdout: {"event":"ready"} once every
 * subscriber is subscribed; after "go" on stdin, {"event":"done", delivered, sent, seconds}, when
 * every message arrived or nothing arrived for STALL_MS (QoS 0 may drop: the rest counts as lost).
 */
import { createInterface } from 'node:readline';
import mqtt, { type MqttClient } from 'mqtt';

interface ClientConfig { clientId: string; username?: string; password?: string }
interface Config { url: string; messages: number; bytes: number; window: number; pairs: Array<{ topic: string; pub: ClientConfig; sub: ClientConfig }> }

const STALL_MS = 5000;
const say = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);

async function connect(url: string, c: ClientConfig): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: c.clientId, reconnectPeriod: 0, connectTimeout: 10_000,
    ...(c.username === undefined ? {} : { username: c.username }),
    ...(c.password === undefined ? {} : { password: Buffer.from(c.password, 'base64') }),
  });
  // each publish leaves at once (no Nagle): the load measures the broker, not this process's batching
  (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  return client;
}

async function main(configJson: string | undefined): Promise<void> {
  if (!configJson) throw new Error('usage: bench-e2e-broker-load.js CONFIG_JSON');
  const config = JSON.parse(configJson) as Config;
  const clients: MqttClient[] = [];
  process.once('SIGTERM', () => { for (const c of clients) c.end(true); process.exit(0); });
  const payload = Buffer.alloc(config.bytes, 0x5a);
  let delivered = 0, sent = 0, lastDelivery = 0;
  const total = config.messages * config.pairs.length;
  const pumps: Array<() => void> = [];
  for (const pair of config.pairs) {
    const [pub, sub] = await Promise.all([connect(config.url, pair.pub), connect(config.url, pair.sub)]);
    clients.push(pub, sub);
    const granted = await sub.subscribeAsync(pair.topic, { qos: 0 });
    if (granted.some((g) => g.qos === 128)) throw new Error(`${pair.sub.clientId} may not subscribe to ${pair.topic}`);
    let pairSent = 0, pairDelivered = 0;
    const pump = () => {
      while (pairSent < config.messages && pairSent - pairDelivered < config.window) {
        pairSent++; sent++;
        pub.publish(pair.topic, payload, { qos: 0 });
      }
    };
    sub.on('message', () => {
      pairDelivered++; delivered++;
      lastDelivery = performance.now();
      pump();
    });
    pumps.push(pump);
  }
  say('ready');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).on('line', (line) => { if (line.trim() === 'go') resolve(); }));
  const started = performance.now();
  lastDelivery = started;
  for (const pump of pumps) pump();
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (delivered >= total || performance.now() - lastDelivery > STALL_MS) { clearInterval(check); resolve(); }
    }, 20);
  });
  say('done', { delivered, sent, seconds: (lastDelivery - started) / 1000 });
}

main(process.argv[2]).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
