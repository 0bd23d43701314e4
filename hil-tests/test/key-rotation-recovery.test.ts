// Rotations that do not end cleanly: an answer lost after the gateway switched, keys staged but
// never sent, and a gateway in open access, which has no enrolled keys to rotate.
import test from 'ava';
import { access, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import {
  SecureEndpoint, generateDeviceKeys, loadDeviceKeys, loadOrCreateDeviceKeys, mqttCredentials, publicKeysOf, rotateMessage, saveDeviceKeys, topics,
} from '@layerfleet/protocol';
import { startGateway, GATEWAY_ID, issueEnrolmentToken } from '@layerfleet/gateway';
import { Agent, type AgentOptions } from '@layerfleet/agent';
import { until } from '../src/index.js';
import { hex } from '@layerfleet/test-support';

const gone = (path: string) => access(path).then(() => false, () => true);

test('an answer lost after the gateway switched: the next start finds the staged keys and takes them', async (t) => {
  t.timeout(60_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-rotate-lost-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'enrolled', heartbeatSilenceMs: 60_000 });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const lines: string[] = [];
  const opts: AgentOptions = { id: 'w2', brokerUrl: gw.url, stateDir: state, gateway, measuredMacsPerSecond: 1e9, memoryBytes: 5e8, log: (l) => lines.push(l) };
  let agent = await Agent.start({ ...opts, enrolToken: issueEnrolmentToken(state, { id: 'w2', owner: 'ops', trusted: false }) });
  t.teardown(async () => { await agent.close(200); await gw.close(); });
  const old = agent.endpoint.keys;
  await agent.close(200);

  // The device staged its next keys and asked; the gateway switched; the answer never came back.
  const next = generateDeviceKeys('w2');
  await saveDeviceKeys(state, next, '.new');
  const device = new SecureEndpoint(old);
  device.addPeer(gateway);
  const client = await mqtt.connectAsync(gw.url, { clientId: 'w2', ...mqttCredentials(old), reconnectPeriod: 0 });
  client.publish(topics.gatewayInbox, Buffer.from(device.seal('gateway', topics.gatewayInbox, rotateMessage(old.signPublic, next))));
  const signKey = async () => (JSON.parse(await readFile(join(state, 'devices.json'), 'utf8')) as { devices: Array<{ id: string; signPublic: string }> }).devices.find((d) => d.id === 'w2')!.signPublic;
  for (const end = Date.now() + 10_000; await signKey() !== hex(next.signPublic);) {
    if (Date.now() > end) throw new Error('the gateway never took the rotation');
    await new Promise((r) => setTimeout(r, 20));
  }
  await client.endAsync(true);

  agent = await Agent.start(opts);
  t.is(hex(agent.endpoint.keys.signPublic), hex(next.signPublic));
  t.is(hex((await loadDeviceKeys(state, 'w2'))!.kexPublic), hex(next.kexPublic));
  t.true(await gone(join(state, 'w2.sign.cose.new')));
  t.true(lines.some((l) => /refused the old keys and took those of an unanswered rotation/.test(l)), lines.join('\n'));
  await until(() => gw.registry.get('w2')?.online === true && hex(gw.registry.get('w2')!.keys.signPublic) === hex(next.signPublic), 'w2 online with its new keys');

  // Keys staged but never sent: the gateway still takes the live ones, so the staged ones go.
  await agent.close(200);
  await saveDeviceKeys(state, generateDeviceKeys('w2'), '.new');
  agent = await Agent.start(opts);
  t.is(hex(agent.endpoint.keys.signPublic), hex(next.signPublic));
  t.true(await gone(join(state, 'w2.sign.cose.new')) && await gone(join(state, 'w2.kex.cose.new')));
});

test('open access has no enrolled keys to rotate: refused as unexpected-message, the device keeps its keys', async (t) => {
  t.timeout(60_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-rotate-open-'));
  const gw = await startGateway({ port: 0, stateDir: state, heartbeatSilenceMs: 60_000, access: 'open' });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const agent = await Agent.start({ id: 'w3', brokerUrl: gw.url, stateDir: state, gateway, measuredMacsPerSecond: 1e9, memoryBytes: 5e8 });
  t.teardown(async () => { await agent.close(200); await gw.close(); });
  await until(() => gw.registry.get('w3')?.online === true, 'w3 online');
  const before = agent.endpoint.keys;
  await t.throwsAsync(agent.rotateKeys(1000), { message: /^key rotation of w3: no answer from the gateway within 1000 ms; still using the old keys/ });
  t.is(agent.endpoint.keys, before);
  t.regex(gw.rejections.lastDetail.get('unexpected-message') ?? '', /^rotate from w3: this gateway runs without enrolment/);
  t.is(hex((await loadDeviceKeys(state, 'w3'))!.signPublic), hex(before.signPublic));
});
