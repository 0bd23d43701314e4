/**
 * The broker alone under load for `bench e2e`: the gateway's Aedes broker with the gateway's
 * access hooks (enrolled-device authentication, the ACL and a route table allowing exactly each
 * publisher → subscriber pair), the same broker open, and Mosquitto, each under the same load
 * (bench-e2e-broker-load.ts) of QoS 0 messages the size of an activation, as messages/s delivered.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDeviceKeys, mqttCredentials, topics } from '@layerfleet/protocol';
import { DeviceStore } from '@layerfleet/gateway';
import { startChild, stopAll, type Child } from './bench-e2e-child.js';
import { cpuMs } from './bench-e2e-cpu.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const HOST_SCRIPT = join(HERE, 'bench-e2e-broker-host.js');
const LOAD_SCRIPT = join(HERE, 'bench-e2e-broker-load.js');

export interface LoadShape {
  pairs: number;
  /** messages per pair */
  messages: number;
  bytes: number;
  /** messages a publisher may have on their way to its subscriber at once */
  window: number;
  /** processes the pairs are spread over */
  loaders: number;
}

interface ClientConfig { clientId: string; username?: string; password?: string }
interface Pair { topic: string; pub: ClientConfig; sub: ClientConfig }

const pairIds = (i: number) => ({ pub: `bench-pub-${i}`, sub: `bench-sub-${i}` });

/** Anonymous pairs, for a broker without authentication. */
function anonymousPairs(n: number): Pair[] {
  return Array.from({ length: n }, (_, i) => {
    const { pub, sub } = pairIds(i);
    return { topic: topics.deviceInbox(sub), pub: { clientId: pub }, sub: { clientId: sub } };
  });
}

/** What a broker did under load: messages/s delivered, messages lost, and its own CPU µs per delivered message. */
export interface BrokerLoad { perSecond: number; lost: number; cpuUsPerMessage: number }

/** Loads the broker at `url` (its process `brokerPid`) with `shape`. */
export async function loadBroker(url: string, brokerPid: number, pairs: Pair[], shape: LoadShape): Promise<BrokerLoad> {
  const loaders: Child[] = [];
  try {
    const count = Math.max(1, Math.min(shape.loaders, pairs.length));
    for (let l = 0; l < count; l++) {
      const mine = pairs.filter((_, i) => i % count === l);
      const config = { url, messages: shape.messages, bytes: shape.bytes, window: shape.window, pairs: mine };
      loaders.push(startChild(`broker load ${l + 1}`, process.execPath, [LOAD_SCRIPT, JSON.stringify(config)]));
    }
    for (const loader of loaders) await loader.next('ready', 30_000);
    const cpuBefore = cpuMs(brokerPid);
    for (const loader of loaders) loader.tell('go');
    const bound = 60_000 + shape.messages * pairs.length;
    const reports = await Promise.all(loaders.map((loader) => loader.next('done', bound)));
    const cpuAfter = cpuMs(brokerPid);
    const delivered = reports.reduce((s, r) => s + Number(r.delivered), 0);
    const sent = reports.reduce((s, r) => s + Number(r.sent), 0);
    const seconds = Math.max(...reports.map((r) => Number(r.seconds)));
    if (delivered === 0) throw new Error(`bench e2e: the broker at ${url} delivered none of ${sent} messages`);
    const cpuUsPerMessage = cpuBefore === undefined || cpuAfter === undefined ? NaN : ((cpuAfter - cpuBefore) * 1000) / delivered;
    return { perSecond: delivered / seconds, lost: sent - delivered, cpuUsPerMessage };
  } finally {
    await stopAll(loaders);
  }
}

export interface AedesLoad { hooked: BrokerLoad & { rejections: Record<string, number> }; open: BrokerLoad }

/** The gateway's broker with its hooks, then open, each in a process of its own. */
export async function loadAedes(shape: LoadShape): Promise<AedesLoad> {
  const stateDir = await mkdtemp(join(tmpdir(), 'layerfleet-bench-broker-'));
  const children: Child[] = [];
  try {
    // enrolled devices, as `layerfleet enroll` and an agent's first start would leave them
    const store = new DeviceStore(stateDir);
    const pairs: Pair[] = [];
    const device = (id: string): ClientConfig => {
      const keys = generateDeviceKeys(id);
      store.add({ id, owner: 'bench', trusted: false, signPublic: Buffer.from(keys.signPublic).toString('hex'), kexPublic: Buffer.from(keys.kexPublic).toString('hex'), enrolledAt: Date.now() });
      const { username, password } = mqttCredentials(keys);
      return { clientId: id, username, password: password.toString('base64') };
    };
    for (let i = 0; i < shape.pairs; i++) {
      const { pub, sub } = pairIds(i);
      pairs.push({ topic: topics.deviceInbox(sub), pub: device(pub), sub: device(sub) });
    }
    const hookedHost = startChild('aedes (gateway hooks)', process.execPath, [HOST_SCRIPT, 'hooked', stateDir, pairs.map((p) => `${p.pub.clientId}:${p.sub.clientId}`).join(',')]);
    children.push(hookedHost);
    const hookedPort = Number((await hookedHost.next('listening', 30_000)).port);
    const hooked = await loadBroker(`mqtt://127.0.0.1:${hookedPort}`, hookedHost.process.pid!, pairs, shape);
    hookedHost.tell('report');
    const rejections = (await hookedHost.next('rejections', 10_000)).counts as Record<string, number>;
    await hookedHost.stop();

    const openHost = startChild('aedes (open)', process.execPath, [HOST_SCRIPT, 'open']);
    children.push(openHost);
    const openPort = Number((await openHost.next('listening', 30_000)).port);
    const open = await loadBroker(`mqtt://127.0.0.1:${openPort}`, openHost.process.pid!, anonymousPairs(shape.pairs), shape);
    return { hooked: { ...hooked, rejections }, open };
  } finally {
    await stopAll(children);
    await rm(stateDir, { recursive: true, force: true });
  }
}

export const loadAnonymous = (url: string, brokerPid: number, shape: LoadShape) => loadBroker(url, brokerPid, anonymousPairs(shape.pairs), shape);

/** A broker for the bare pipeline: the gateway's Aedes, open, in a process of its own. */
export async function startOpenAedes(): Promise<{ url: string; child: Child }> {
  const child = startChild('aedes (open)', process.execPath, [HOST_SCRIPT, 'open']);
  try {
    const port = Number((await child.next('listening', 30_000)).port);
    return { url: `mqtt://127.0.0.1:${port}`, child };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
