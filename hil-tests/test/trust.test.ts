// A gateway that admits only enrolled devices: enrolment with a one-time token and proof of both
// keys, key-derived broker credentials, per-role topic rules, and revocation taking effect at once.
import test from 'ava';
import { connectOutcome } from '@layerfleet/test-support';
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { generateDeviceKeys, loadOrCreateDeviceKeys, mqttCredentials, publicKeysOf, toHex, topics } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { startGateway, GATEWAY_ID, DeviceStore, issueEnrolmentToken, dashboardSecret } from '@layerfleet/gateway';
import { Agent, runSource } from '@layerfleet/agent';
import { until } from '../src/index.js';

const refused = connectOutcome;

/** The QoS the broker granted per filter (128: refused); mqtt.js rejects a SUBACK holding a refusal. */
const granted = (client: mqtt.MqttClient, filters: string[]) => client.subscribeAsync(filters).then(
  (g) => g.map((x) => x.qos),
  (err: { packet?: { granted?: number[] } }) => err.packet?.granted ?? Promise.reject(err),
);

test('only enrolled devices get in; each keeps to its topics; a revoked one is out at once', async (t) => {
  t.timeout(120_000);
  const state = await mkdtemp(join(tmpdir(), 'lf-trust-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'enrolled', heartbeatSilenceMs: 60_000 });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const agents: Agent[] = [];
  t.teardown(async () => { for (const a of agents) await a.close(200); await gw.close(); });
  const start = async (id: string, role: 'worker' | 'source', enrolToken?: string) => {
    const a = await Agent.start({
      id, brokerUrl: gw.url, stateDir: state, gateway, role, measuredMacsPerSecond: 1e9, memoryBytes: 5e8, heartbeatMs: 500,
      ...(role === 'source' ? { requestRate: 10, macsBudget: 1.5e6 } : { macsBudget: 5e6 }), ...(enrolToken ? { enrolToken } : {}),
    });
    agents.push(a);
    return a;
  };

  // Nobody gets in without credentials, or with a made-up device.
  t.regex(await refused(gw.url, { clientId: 'anon' }), /Bad username or password/);
  const stranger = generateDeviceKeys('w1');
  t.regex(await refused(gw.url, { clientId: 'w1', ...mqttCredentials(stranger) }), /Bad username or password/);
  await t.throwsAsync(start('w1', 'worker'), { message: /Bad username or password/ });

  // Enrolment: tokens from the operator, one per device; a spent or foreign token gets nothing.
  const tokenW1 = issueEnrolmentToken(state, { id: 'w1', owner: 'alice', trusted: false });
  const tokenCam = issueEnrolmentToken(state, { id: 'cam', owner: 'bob', trusted: true });
  t.regex(await refused(gw.url, { clientId: 'w1', username: 'enrol:w1', password: tokenCam }), /Bad username or password/);
  await start('w1', 'worker', tokenW1);
  const cam = await start('cam', 'source', tokenCam);
  await until(() => gw.registry.online().length === 2, 'both devices online');
  const devices = JSON.parse(await readFile(join(state, 'devices.json'), 'utf8')) as { devices: Array<{ id: string; owner: string; trusted: boolean; signPublic: string }> };
  t.deepEqual(devices.devices.map((d) => [d.id, d.owner, d.trusted]).sort(), [['cam', 'bob', true], ['w1', 'alice', false]]);
  t.is(devices.devices.find((d) => d.id === 'w1')!.signPublic, toHex(agents[0]!.endpoint.keys.signPublic));
  t.true(gw.registry.get('cam')!.trusted);
  t.regex(await refused(gw.url, { clientId: 'w1', username: 'enrol:w1', password: tokenW1 }), /Bad username or password/, 'a token works once');
  // A stolen id without the key it enrolled is refused.
  t.regex(await refused(gw.url, { clientId: 'w1', ...mqttCredentials(stranger) }), /Bad username or password/);

  // It serves: an inference through enrolled devices.
  const [r] = await runSource(cam, { model: loadLenetInt8(), inferences: 1 });
  t.truthy(r && r.predicted !== undefined, `answered: ${r?.error}`);

  // Topic rules: a device reads only its own inbox and writes only its own telemetry.
  // (a device of its own: a second connection under w1's client id would take over w1's session)
  const spyAgent = await start('spy', 'worker', issueEnrolmentToken(state, { id: 'spy', owner: 'mallory', trusted: false }));
  await spyAgent.close(200);
  const spyKeys = await loadOrCreateDeviceKeys(state, 'spy');
  const spy = await mqtt.connectAsync(gw.url, { clientId: 'spy', ...mqttCredentials(spyKeys), reconnectPeriod: 0 });
  t.deepEqual(await granted(spy, ['#', topics.deviceInbox('cam'), topics.allTelemetry]), [128, 128, 128]);
  t.deepEqual(await granted(spy, [topics.deviceInbox('spy')]), [0]);
  const before = gw.rejections.toJSON()['acl-publish'] ?? 0;
  // (Aedes answers a refused publish by closing the connection, so no acknowledgement is awaited.)
  spy.publish(topics.deviceStatus('cam'), '{"state":"offline"}', { qos: 0 });
  await until(() => (gw.rejections.toJSON()['acl-publish'] ?? 0) > before, 'the forged telemetry to be refused');
  await spy.endAsync(true);

  // The dashboard reads telemetry and writes nothing.
  t.regex(await refused(gw.url, { clientId: 'dash', username: 'dashboard', password: 'guess' }), /Bad username or password/);
  const dash = await mqtt.connectAsync(gw.url, { clientId: 'dash', username: 'dashboard', password: dashboardSecret(state), reconnectPeriod: 0 });
  t.deepEqual(await granted(dash, [topics.allTelemetry, topics.gatewayInbox]), [0, 128]);
  await dash.endAsync();

  // Revocation: dropped at once, refused afterwards, never planned again.
  t.true(new DeviceStore(state).revoke('w1', 'reported stolen'));
  await until(() => gw.registry.get('w1')?.online === false, 'w1 to be dropped');
  const w1Keys = await loadOrCreateDeviceKeys(state, 'w1');
  t.regex(await refused(gw.url, { clientId: 'w1', ...mqttCredentials(w1Keys) }), /Bad username or password/);
  const counts = gw.rejections.toJSON();
  t.true((counts['auth'] ?? 0) >= 6, JSON.stringify(counts));
  t.true((counts['acl-subscribe'] ?? 0) >= 4, JSON.stringify(counts));
});
