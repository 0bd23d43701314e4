// The gateway's mqtts and WebSocket listeners against a real running gateway: the same broker,
// the same credentials and topic rules, the same packet-size limit, and certificates from a fleet
// CA the gateway made itself.
import test from 'ava';
import { connectOutcome } from '@layerfleet/test-support';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import mqtt from 'mqtt';
import { loadOrCreateDeviceKeys, publicKeysOf, topics } from '@layerfleet/protocol';
import { startGateway, GATEWAY_ID, issueEnrolmentToken, dashboardSecret, ensureCertificates, type Gateway } from '@layerfleet/gateway';
import { Agent } from '@layerfleet/agent';
import { until } from '../src/index.js';

let state = '';
let gw: Gateway;
let ca: Buffer;
let startedAt = 0;
const agents: Agent[] = [];
const log: string[] = [];

test.before(async () => {
  state = await mkdtemp(join(tmpdir(), 'lf-transport-'));
  gw = await startGateway({ port: 0, tlsPort: 0, wsPort: 0, stateDir: state, access: 'enrolled', heartbeatSilenceMs: 60_000, log: (l) => log.push(l) });
  ca = await readFile(gw.caPath!);
  startedAt = Date.now();
});
test.after.always(async () => {
  for (const a of agents) await a.close(200);
  await gw?.close();
});

const count = (kind: string) => gw.rejections.toJSON()[kind] ?? 0;
const portOf = (url: string) => Number(new URL(url).port);
const refused = connectOutcome;

/** A WebSocket upgrade to /mqtt by hand, so a test can send frames no client library would. */
async function webSocketByHand(url: string): Promise<{ socket: net.Socket; received: Buffer[]; closed: Promise<void> }> {
  const socket = net.connect(portOf(url), '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(['GET /mqtt HTTP/1.1', `Host: 127.0.0.1:${portOf(url)}`, 'Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: mqtt', '', ''].join('\r\n'));
  await until(() => Buffer.concat(received).includes('\r\n\r\n'), 'the upgrade answer', 5000);
  const answer = Buffer.concat(received).toString('latin1');
  if (!answer.startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${answer}`);
  received.length = 0;
  return { socket, received, closed };
}

/** A client's binary frame (masked with a zero key, which leaves the payload as it is). */
const frame = (payload: Buffer) => Buffer.concat([Buffer.from([0x82, 0x80 | payload.length, 0, 0, 0, 0]), payload]);

test('(a) an enrolled agent connects over mqtts, verifying the fleet CA, and says hello', async (t) => {
  t.timeout(60_000);
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const enrolToken = issueEnrolmentToken(state, { id: 'tls-w1', owner: 'alice', trusted: false });
  const agent = await Agent.start({
    id: 'tls-w1', brokerUrl: gw.urls.mqtts!, ca, enrolToken, stateDir: state, gateway,
    measuredMacsPerSecond: 1e9, macsBudget: 5e6, memoryBytes: 5e8, heartbeatMs: 500,
  });
  agents.push(agent);
  await until(() => gw.registry.get('tls-w1')?.online === true, 'tls-w1 online');
  t.regex((agent.client.stream as TLSSocket).getProtocol() ?? '', /^TLSv1\.[23]$/);
  t.true((agent.client.stream as TLSSocket).authorized);
});

test('(b) mqtts without the fleet CA is refused by verification; plain MQTT on the TLS port gets nothing', async (t) => {
  t.timeout(60_000);
  const before = count('tls');
  t.regex(await refused(gw.urls.mqtts!, { clientId: 'no-ca' }), /unable to verify|self.signed|certificate/i);
  // The agent says which CA to pass instead of a bare OpenSSL code, and never sends its credentials.
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  await t.throwsAsync(Agent.start({ id: 'no-ca-agent', brokerUrl: gw.urls.mqtts!, stateDir: state, gateway, measuredMacsPerSecond: 1e9 }),
    { message: /does not trust .*--ca FILE/ });

  // A plain MQTT CONNECT ("MQTT", level 4, clean session, client id "plain") to the TLS port.
  const connect = Buffer.from([0x10, 17, 0, 4, ...Buffer.from('MQTT'), 4, 0x02, 0, 60, 0, 5, ...Buffer.from('plain')]);
  const socket = net.connect(portOf(gw.urls.mqtts!), '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => {});
  socket.once('connect', () => socket.write(connect));
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const bytes = Buffer.concat(received);
  // at most a TLS alert record (content type 21), never a CONNACK (0x20)
  t.true(bytes.length === 0 || bytes[0] === 21, `got ${bytes.toString('hex')}`);
  await until(() => count('tls') >= before + 3, 'three TLS failures counted');
  // each counted with the client's address (the OpenSSL reasons differ between versions)
  const failures = log.filter((l) => l.startsWith('rejected (tls): mqtts handshake'));
  t.true(failures.length >= 3 && failures.every((l) => /with (::ffff:)?127\.0\.0\.1 failed: \S/.test(l)), failures.join('\n'));
});

test('(c) a dashboard over WebSocket reads retained telemetry and cannot publish', async (t) => {
  t.timeout(60_000);
  t.regex(gw.urls.ws!, /^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
  t.regex(await refused(gw.urls.ws!, { clientId: 'dash-guess', username: 'dashboard', password: 'guess' }), /Bad username or password/);
  const dash = await mqtt.connectAsync(gw.urls.ws!, { clientId: 'dash-ws', username: 'dashboard', password: dashboardSecret(state), reconnectPeriod: 0 });
  const stats = new Promise<{ topic: string; retain: boolean; body: Record<string, unknown> }>((resolve) => {
    dash.on('message', (topic, payload, packet) => resolve({ topic, retain: packet.retain, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  });
  // the gateway publishes its stats every second, retained: once one is out, a new subscription gets it at once
  await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 1500 - Date.now())));
  await dash.subscribeAsync(topics.gatewayStats);
  const got = await stats;
  t.is(got.topic, topics.gatewayStats);
  t.true(got.retain, 'a retained message, delivered on subscribing');
  t.is(typeof got.body.devicesOnline, 'number');
  const before = count('acl-publish');
  const closed = new Promise<void>((resolve) => dash.once('close', () => resolve()));
  dash.publish(topics.deviceStatus('tls-w1'), '{"state":"offline"}', { qos: 0 });
  await until(() => count('acl-publish') > before, 'the dashboard publish to be refused');
  await closed;
  await dash.endAsync(true);
});

test('(d) a WebSocket frame over the size limit is refused from its header, and an oversize MQTT packet inside a small frame is cut', async (t) => {
  t.timeout(60_000);
  const before = count('oversize-packet');
  // A frame header declaring 8 MiB (over our limit, under ws's own default of 100 MiB) and no
  // payload: the maxPayload we set ends it from the header alone, before any buffering.
  const huge = await webSocketByHand(gw.urls.ws!);
  const header = Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(8 * 1024 * 1024, 6);
  huge.socket.write(header);
  await Promise.race([huge.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the 8 MiB frame header did not end the connection')), 5000))]);
  const closeFrame = Buffer.concat(huge.received);
  t.is(closeFrame[0], 0x88, 'a close frame');
  t.is(closeFrame.readUInt16BE(2), 1009, 'status 1009: message too big');
  await until(() => count('oversize-packet') >= before + 1, 'the frame to be counted');
  t.regex(gw.rejections.lastDetail.get('oversize-packet') ?? '', /WebSocket message over the \d+-byte limit/);

  // A 5-byte frame whose MQTT PUBLISH header declares ~96 MiB: the packet-size guard cuts it.
  const sneaky = await webSocketByHand(gw.urls.ws!);
  sneaky.socket.write(frame(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x30])));
  await sneaky.closed;
  await until(() => count('oversize-packet') >= before + 2, 'the packet to be counted');
  t.regex(gw.rejections.lastDetail.get('oversize-packet') ?? '', /declares at least 100663296 bytes/);
});

test('(e) certificates: made once, kept as they are, the gateway certificate chains to the fleet CA and names the gateway', async (t) => {
  const files = ['ca.crt', 'ca.key', 'gateway.crt', 'gateway.key'];
  const read = () => Promise.all(files.map((f) => readFile(join(state, 'tls', f), 'utf8')));
  const first = await read();
  const again = await ensureCertificates(state);
  const twice = await ensureCertificates(state);
  t.deepEqual(again.changes, []);
  t.deepEqual(twice.changes, []);
  t.deepEqual(await read(), first, 'ensureCertificates changed nothing');
  const caCert = new X509Certificate(again.ca);
  const cert = new X509Certificate(again.cert);
  t.true(caCert.ca);
  t.false(cert.ca);
  t.true(cert.checkIssued(caCert));
  t.true(cert.verify(caCert.publicKey));
  t.is(cert.checkHost('localhost'), 'localhost');
  t.is(cert.checkIP('127.0.0.1'), '127.0.0.1');
  t.is(cert.checkIP('::1'), '::1');
  t.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth only');
  t.is(again.caFingerprint256, caCert.fingerprint256);
  const years = (c: X509Certificate) => (Date.parse(c.validTo) - Date.parse(c.validFrom)) / (365.25 * 86_400_000);
  t.true(years(caCert) > 9.9 && years(caCert) < 10.1, `CA for ${years(caCert)} years`);
  t.true(years(cert) > 0.99 && years(cert) < 1.01, `gateway certificate for ${years(cert)} years`);

  // A new name reissues the gateway certificate under the same CA, keeping the names it had.
  const dir = await mkdtemp(join(tmpdir(), 'lf-certs-'));
  const a = await ensureCertificates(dir, { hosts: ['gw.example.test'] });
  const b = await ensureCertificates(dir, { hosts: ['10.1.2.3'] });
  t.is(b.ca, a.ca);
  t.not(b.cert, a.cert);
  const reissued = new X509Certificate(b.cert);
  t.true(reissued.verify(new X509Certificate(b.ca).publicKey));
  t.is(reissued.checkHost('gw.example.test'), 'gw.example.test');
  t.is(reissued.checkIP('10.1.2.3'), '10.1.2.3');
  await t.throwsAsync(ensureCertificates(dir, { hosts: ['not a host'] }), { message: /TLS host "not a host" is neither/ });

  // The CA's key may be kept elsewhere: it is needed only to issue, and then its absence is named.
  await rename(join(dir, 'tls', 'ca.key'), join(dir, 'ca.key.elsewhere'));
  t.deepEqual((await ensureCertificates(dir, { hosts: ['10.1.2.3'] })).changes, []);
  await t.throwsAsync(ensureCertificates(dir, { hosts: ['new.example.test'] }), { message: /lacks new\.example\.test\), which needs the fleet CA's key .*ca\.key/ });
  await rm(join(dir, 'tls', 'ca.crt'));
  await rename(join(dir, 'ca.key.elsewhere'), join(dir, 'tls', 'ca.key'));
  await t.throwsAsync(ensureCertificates(dir), { message: /ca\.crt is missing but .*ca\.key is there/ });
});

test('(f) a wss listener serves with the gateway certificate and is verified against the fleet CA', async (t) => {
  t.timeout(60_000);
  const dir = await mkdtemp(join(tmpdir(), 'lf-wss-'));
  const secure = await startGateway({ port: 0, wsPort: 0, wsTls: true, stateDir: dir, access: 'open' });
  t.teardown(() => secure.close());
  t.regex(secure.urls.ws!, /^wss:\/\/127\.0\.0\.1:\d+\/mqtt$/);
  t.is(secure.urls.mqtts, undefined);
  const client = await mqtt.connectAsync(secure.urls.ws!, { clientId: 'wss-ok', ca: await readFile(secure.caPath!), reconnectPeriod: 0 });
  await client.endAsync();
  t.regex(await refused(secure.urls.ws!, { clientId: 'wss-no-ca' }), /unable to verify|self.signed|certificate/i);
  await until(() => (secure.rejections.toJSON()['tls'] ?? 0) >= 1, 'the failed wss handshake to be counted');
  t.regex(secure.rejections.lastDetail.get('tls') ?? '', /^wss handshake with /);
});
