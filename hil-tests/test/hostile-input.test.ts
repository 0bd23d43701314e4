import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { generateDeviceKeys, loadOrCreateDeviceKeys, publicKeysOf, seal, encodeMessage, topics, type Message } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { startGateway, GATEWAY_ID } from '@layerfleet/gateway';
import { Agent, runSource } from '@layerfleet/agent';
import { until } from '../src/index.js';

test('hostile input on the broker is refused, counted by reason, and the fleet keeps serving', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-hostile-'));
  // Open access: here the envelope and the broker's limits must stop what enrolment would have kept out.
  const gw = await startGateway({ port: 0, stateDir: state, attemptTimeoutMs: 5000, access: 'open' });
  const model = loadLenetInt8();
  // This test is about hostile input, not the self-benchmark: a fixed figure keeps the budgets
  // (not a slow, loaded CI machine's measurement) deciding the placement.
  const measured = 1e9;
  const gatewayKeys = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const agents: Agent[] = [];
  try {
    for (const [id, budget] of [['w1', 5e6], ['w2', 1.1e6], ['w3', 0.4e6]] as const) {
      agents.push(await Agent.start({ id, brokerUrl: gw.url, stateDir: state, gateway: gatewayKeys, measuredMacsPerSecond: measured, macsBudget: budget }));
    }
    const source = await Agent.start({ id: 'cam', brokerUrl: gw.url, stateDir: state, gateway: gatewayKeys, role: 'source', measuredMacsPerSecond: measured, requestRate: 20 });
    agents.push(source);
    await until(() => gw.registry.online().length === 4, 'four devices to register', 10_000);

    const before = await runSource(source, { model, inferences: 8, concurrency: 2 });
    t.is(before.filter((r) => r.predicted !== undefined).length, 8, JSON.stringify(before.map((r) => r.error).filter(Boolean)));

    const intruder = await mqtt.connectAsync(gw.url, { clientId: 'intruder' });
    t.teardown(() => intruder.endAsync(true)); // left open by a failed check, it would retry the closed gateway forever
    const gwPublic = { id: GATEWAY_ID, kexPublic: gatewayKeys.kexPublic };
    const stranger = generateDeviceKeys('stranger');
    const sealTo = (sender = stranger, message: Message, recipient = gwPublic, topic: string = topics.gatewayInbox) =>
      Buffer.from(seal({ sender, recipient, topic, seq: Date.now() * 1000 + Math.floor(Math.random() * 1000), ts: Date.now(), payload: encodeMessage(message) }));
    const hello = (k = stranger): Message => ({ t: 'hello', sign: k.signPublic, kex: k.kexPublic, bootId: 'x', caps: { macsPerSecond: 1, measuredMacsPerSecond: 1, memoryBytes: 1, rateBitsPerSecond: 1, role: 'worker' } });

    await intruder.publishAsync(topics.gatewayInbox, Buffer.from([0xd8, 0x60, 0xff, 0x00, 0x13]));          // malformed
    await intruder.publishAsync(topics.gatewayInbox, Buffer.alloc(4 * 1024 * 1024 + 1000, 1));              // oversize envelope
    await intruder.publishAsync(topics.gatewayInbox, sealTo(stranger, { t: 'stream', model: 'lenet5' })); // unknown sender
    const w1Keys = agents[0]!.endpoint.keys;
    await intruder.publishAsync(topics.gatewayInbox, sealTo(stranger, hello(), { id: 'w1', kexPublic: w1Keys.kexPublic })); // wrong recipient
    const impostor = { ...generateDeviceKeys('w1') };
    await intruder.publishAsync(topics.gatewayInbox, sealTo(impostor, hello(impostor)));                      // w1's id, another key
    const replayed = sealTo(stranger, hello());
    await intruder.publishAsync(topics.gatewayInbox, replayed);
    await intruder.publishAsync(topics.gatewayInbox, replayed);                                                // replay
    await intruder.publishAsync(topics.gatewayInbox, sealTo(stranger, { t: 'ready', route: 'nope', version: 1 }, gwPublic, topics.deviceInbox('w1'))); // topic mismatch
    const suback = await intruder.subscribeAsync(topics.deviceInbox('w1')).then(() => null, (err: { packet?: { granted?: number[] } }) => err.packet); // another device's inbox
    t.deepEqual(suback?.granted, [128], 'a negative SUBACK [MQTT-3.9.3]');
    // posing as the gateway on telemetry: aedes drops the connection of a client whose publish is refused
    await intruder.publishAsync(topics.inference, '{"fake":true}').catch(() => {});

    // A packet declaring 100 MB: the connection is cut at its header, before anything is buffered.
    const flooder = await mqtt.connectAsync(gw.url, { clientId: 'flooder', reconnectPeriod: 0 });
    const cut = new Promise<void>((r) => flooder.stream.once('close', () => r()));
    flooder.stream.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x30])); // PUBLISH, remaining length 0x30·128³ = 100 663 296
    await cut;

    const expected = ['oversize-packet', 'malformed', 'oversize', 'unknown-sender', 'wrong-recipient', 'bad-signature', 'replay', 'topic-mismatch', 'acl-subscribe', 'acl-publish'];
    await until(() => expected.every((r) => (gw.rejections.byReason.get(r) ?? 0) >= 1), `rejections ${expected.join(', ')}; have ${JSON.stringify(gw.rejections.toJSON())}`, 10_000);
    for (const r of expected) t.true((gw.rejections.byReason.get(r) ?? 0) >= 1, r);
    t.is(gw.registry.get('w1')!.keys.signPublic.length, 32);
    t.deepEqual(Buffer.from(gw.registry.get('w1')!.keys.signPublic), Buffer.from(w1Keys.signPublic), 'the impostor did not replace w1');
    await intruder.endAsync(true);

    const after = await runSource(source, { model, inferences: 8, concurrency: 2 });
    t.is(after.filter((r) => r.predicted !== undefined).length, 8, `legitimate requests still complete: ${JSON.stringify(after.map((r) => r.error).filter(Boolean))}`);
  } finally {
    for (const a of agents) await a.close(200);
    await gw.close();
  }
});
