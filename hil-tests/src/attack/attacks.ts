/**
 * Each attack an outsider or an insider can make on a running gateway, with the rejections it
 * must produce: where they are counted (the gateway, or the device attacked) and under which
 * kind. The runner (suite.ts) checks the counters moved by exactly these.
 */
import net from 'node:net';
import mqtt from 'mqtt';
import {
  generateDeviceKeys, mqttCredentials, seal, encodeMessage, encodeCbor, decodeCbor, topics, DASHBOARD_USERNAME, ENROL_USERNAME_PREFIX,
  type DeviceKeys, type Message, type PublicDeviceKeys,
} from '@layerfleet/protocol';
import { DeviceStore, issueEnrolmentToken } from '@layerfleet/gateway';
import type { EnrolledFleet } from './enrolled-fleet.js';

/** How many rejections of a kind: exactly, or at least (where timing decides the exact count). */
export type Count = number | { atLeast: number };
/** Rejection counts an attack must add, by where they are counted and kind. */
export interface Expected { gateway?: Record<string, Count>; w1?: Record<string, Count> }

export interface Attack {
  name: string;
  /** what the attacker does, for the report */
  does: string;
  expect: Expected;
  run(fleet: EnrolledFleet): Promise<void>;
}

/** The broker's answer to a CONNECT: 'connected', or the error mqtt.js reports. */
export const tryConnect = (url: string, opts: mqtt.IClientOptions) =>
  mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts }).then(async (c) => { await c.endAsync(); return 'connected'; }, (e: Error) => e.message);

async function mustBeRefused(url: string, opts: mqtt.IClientOptions): Promise<void> {
  const answer = await tryConnect(url, opts);
  if (!/Bad username or password/.test(answer)) throw new Error(`connect as ${JSON.stringify(opts.clientId)} should be refused, got: ${answer}`);
}

/** The QoS granted per filter (128: refused); mqtt.js rejects a SUBACK that holds a refusal. */
const granted = (client: mqtt.MqttClient, filters: string[]) => client.subscribeAsync(filters).then(
  (g) => g.map((x) => x.qos),
  (err: { packet?: { granted?: number[] } }) => err.packet?.granted ?? Promise.reject(err),
);

let seq = 0;
/**
 * An envelope as a device with `keys` makes it (the signature and encryption are genuine). Its
 * sequence number follows the clock in µs as devices' do, so it is past what the device sent.
 */
export function envelope(keys: DeviceKeys, to: PublicDeviceKeys, topic: string, payload: Uint8Array): Buffer {
  seq = Math.max(seq + 1, Date.now() * 1000);
  return Buffer.from(seal({ sender: keys, recipient: to, topic, seq, ts: Date.now(), payload }));
}
const toGateway = (keys: DeviceKeys, fleet: EnrolledFleet, message: Message | Uint8Array) =>
  envelope(keys, fleet.gatewayKeys, topics.gatewayInbox, message instanceof Uint8Array ? message : encodeMessage(message));

/** Connects as an insider, publishes, and waits until the gateway has seen each publish. */
async function asInsider(fleet: EnrolledFleet, keys: DeviceKeys, send: (client: mqtt.MqttClient) => Promise<void>): Promise<void> {
  const client = await mqtt.connectAsync(fleet.gw.url, { clientId: keys.id, ...mqttCredentials(keys), reconnectPeriod: 0 });
  try {
    await send(client);
  } finally {
    await client.endAsync();
  }
}

const heartbeat: Message = { t: 'heartbeat', bootId: 'attack', queue: 0 };

export const ATTACKS: Attack[] = [
  {
    name: 'no credentials',
    does: 'CONNECT with no user name, as a new id and as an enrolled device\'s id',
    expect: { gateway: { auth: 2 } },
    async run(f) {
      await mustBeRefused(f.gw.url, { clientId: 'anon' });
      await mustBeRefused(f.gw.url, { clientId: 'w1' });
    },
  },
  {
    name: 'wrong credentials',
    does: 'w1\'s id with a key of its own; a stale (10 min) credential of the spy; a guessed dashboard password; another device\'s enrolment token',
    expect: { gateway: { auth: 4 } },
    async run(f) {
      await mustBeRefused(f.gw.url, { clientId: 'w1', ...mqttCredentials(generateDeviceKeys('w1')) });
      await mustBeRefused(f.gw.url, { clientId: 'spy', ...mqttCredentials(f.insiders.spy, Date.now() - 10 * 60_000) });
      await mustBeRefused(f.gw.url, { clientId: 'dash', username: DASHBOARD_USERNAME, password: 'hunter2' });
      const tokenForNewbie = issueEnrolmentToken(f.state, { id: 'newbie', owner: 'carol', trusted: false });
      await mustBeRefused(f.gw.url, { clientId: 'mallet', username: `${ENROL_USERNAME_PREFIX}mallet`, password: tokenForNewbie });
    },
  },
  {
    name: 'revoked device',
    does: 'the accomplice is revoked while connected, then reconnects with its (valid) key',
    expect: { gateway: { auth: 1 } },
    async run(f) {
      const { accomplice } = f.insiders;
      const client = await mqtt.connectAsync(f.gw.url, { clientId: accomplice.id, ...mqttCredentials(accomplice), reconnectPeriod: 0 });
      const dropped = new Promise<void>((r) => client.stream.once('close', () => r()));
      new DeviceStore(f.state).revoke(accomplice.id, 'attack suite: reported compromised');
      await dropped;
      await client.endAsync(true);
      await mustBeRefused(f.gw.url, { clientId: accomplice.id, ...mqttCredentials(accomplice) });
    },
  },
  {
    name: 'subscribe to another inbox, or #',
    does: 'the spy subscribes to w1\'s inbox, to every inbox (lf/v1/dev/+/in), to # and to all telemetry',
    expect: { gateway: { 'acl-subscribe': 4 } },
    async run(f) {
      await asInsider(f, f.insiders.spy, async (c) => {
        const answer = await granted(c, [topics.deviceInbox('w1'), 'lf/v1/dev/+/in', '#', topics.allTelemetry]);
        if (answer.some((q) => q !== 128)) throw new Error(`subscriptions granted: ${JSON.stringify(answer)}`);
      });
    },
  },
  {
    name: 'pose as another device on telemetry',
    does: 'the spy publishes w1\'s status topic (offline), to mislead dashboards',
    expect: { gateway: { 'acl-publish': 1 } },
    async run(f) {
      const client = await mqtt.connectAsync(f.gw.url, { clientId: 'spy', ...mqttCredentials(f.insiders.spy), reconnectPeriod: 0 });
      // A refused publish closes the connection (Aedes), so there is no acknowledgement to wait for.
      const closed = new Promise<void>((r) => client.stream.once('close', () => r()));
      client.publish(topics.deviceStatus('w1'), '{"state":"offline"}', { qos: 0 });
      await closed;
      await client.endAsync(true);
    },
  },
  {
    name: 'publish into another device\'s inbox',
    does: 'the spy sends w1 an envelope it signed, though no plan routes anything from the spy to w1',
    // Refused by the broker (Aedes closes the publisher's connection), so w1 never sees it.
    expect: { gateway: { 'acl-publish': 1 } },
    async run(f) {
      const w1 = f.workers[0]!.endpoint.keys;
      const client = await mqtt.connectAsync(f.gw.url, { clientId: 'spy', ...mqttCredentials(f.insiders.spy), reconnectPeriod: 0 });
      const closed = new Promise<void>((r) => client.stream.once('close', () => r()));
      client.publish(topics.deviceInbox('w1'), envelope(f.insiders.spy, w1, topics.deviceInbox('w1'), encodeMessage({ t: 'ready', route: 'x', version: 1 })), { qos: 0 });
      await closed;
      await client.endAsync(true);
    },
  },
  {
    name: 'forged envelope',
    does: 'an envelope claiming to be from w1, signed with a key that is not w1\'s',
    expect: { gateway: { 'bad-signature': 1 } },
    async run(f) {
      const forger = generateDeviceKeys('w1');
      await asInsider(f, f.insiders.spy, (c) => c.publishAsync(topics.gatewayInbox, toGateway(forger, f, heartbeat)).then(() => {}));
    },
  },
  {
    name: 'speak for another device',
    does: 'the spy publishes an envelope genuinely signed by the accomplice (keys shared between insiders)',
    expect: { gateway: { 'sender-mismatch': 1 } },
    async run(f) {
      await asInsider(f, f.insiders.spy, (c) => c.publishAsync(topics.gatewayInbox, toGateway(f.insiders.accomplice, f, heartbeat)).then(() => {}));
    },
  },
  {
    name: 'replayed envelope',
    does: 'the spy sends the same signed heartbeat twice',
    expect: { gateway: { replay: 1 } },
    async run(f) {
      const once = toGateway(f.insiders.spy, f, heartbeat);
      await asInsider(f, f.insiders.spy, async (c) => {
        await c.publishAsync(topics.gatewayInbox, once);
        await c.publishAsync(topics.gatewayInbox, once);
      });
    },
  },
  {
    name: 'tampered envelope',
    does: 'one byte of a valid envelope\'s ciphertext changed',
    expect: { gateway: { 'decrypt-failed': 1 } },
    async run(f) {
      const bytes = toGateway(f.insiders.spy, f, heartbeat);
      // COSE_Encrypt = tag 96 [protected, unprotected, ciphertext, recipients]: flip a byte inside the ciphertext.
      const ciphertext = (decodeCbor(bytes, 'envelope') as { value: Uint8Array[] }).value[2]!;
      bytes[bytes.indexOf(Buffer.from(ciphertext)) + (ciphertext.length >> 1)]! ^= 0x01;
      await asInsider(f, f.insiders.spy, (c) => c.publishAsync(topics.gatewayInbox, bytes).then(() => {}));
    },
  },
  {
    name: 'malformed CBOR',
    does: 'a truncated tag, an indefinite map never closed, and plain text, to the gateway',
    expect: { gateway: { malformed: 3 } },
    async run(f) {
      await asInsider(f, f.insiders.spy, async (c) => {
        for (const junk of [Buffer.from([0xd8, 0x60, 0xff, 0x00, 0x13]), Buffer.from([0xbf, 0x61, 0x74]), Buffer.from('hello gateway')]) await c.publishAsync(topics.gatewayInbox, junk);
      });
    },
  },
  {
    name: 'oversize message',
    does: 'a validly signed heartbeat padded to 4 KiB; a 1 MB envelope to the gateway',
    expect: { gateway: { 'oversize-message': 1, oversize: 1 } },
    async run(f) {
      const fat = encodeCbor({ ...heartbeat, pad: new Uint8Array(4096) });
      await asInsider(f, f.insiders.spy, async (c) => {
        await c.publishAsync(topics.gatewayInbox, toGateway(f.insiders.spy, f, fat));
        await c.publishAsync(topics.gatewayInbox, toGateway(f.insiders.spy, f, new Uint8Array(1 << 20)));
      });
    },
  },
  {
    name: 'message flood from an insider',
    does: 'the spy publishes 6000 validly signed heartbeats to the gateway as fast as it can',
    // Its burst (2000) and what refills while they are opened go through, as an honest device's
    // would; the rest are dropped unopened. How many depends on this machine's speed.
    expect: { gateway: { 'rate-limit': { atLeast: 1 } } },
    async run(f) {
      const flood = Array.from({ length: 6000 }, () => toGateway(f.insiders.spy, f, heartbeat));
      await asInsider(f, f.insiders.spy, async (c) => {
        for (const e of flood) c.publish(topics.gatewayInbox, e, { qos: 0 });
        await c.publishAsync(topics.gatewayInbox, toGateway(f.insiders.spy, f, heartbeat));
      });
    },
  },
  {
    name: '100 MB payload',
    does: 'a PUBLISH whose header declares 100 663 296 bytes, from a connected insider',
    expect: { gateway: { 'oversize-packet': 1 } },
    async run(f) {
      const client = await mqtt.connectAsync(f.gw.url, { clientId: 'spy', ...mqttCredentials(f.insiders.spy), reconnectPeriod: 0 });
      const cut = new Promise<void>((r) => client.stream.once('close', () => r()));
      // PUBLISH, remaining length 0x30·128³, then the start of a body that never ends
      client.stream.write(Buffer.concat([Buffer.from([0x30, 0x80, 0x80, 0x80, 0x30]), Buffer.alloc(64 * 1024, 0x41)]));
      await cut;
      await client.endAsync(true);
    },
  },
  {
    name: 'garbage instead of CONNECT',
    does: 'a TCP connection that opens with bytes that are not MQTT',
    expect: { gateway: { connection: 1 } },
    async run(f) {
      const socket = net.connect(f.gw.port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write('GET / HTTP/1.1\r\nHost: gateway\r\n\r\n');
      await new Promise<void>((r) => socket.once('close', () => r()));
    },
  },
];
