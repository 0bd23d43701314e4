import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { loadOrCreateDeviceKeys, publicKeysOf, topics } from '@layerfleet/protocol';
import { startGateway, GATEWAY_ID } from '@layerfleet/gateway';
import { Agent } from '@layerfleet/agent';

test('a dashboard sees retained status and load, and the last will when a device vanishes', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-telemetry-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'open' });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const agent = await Agent.start({ id: 'pi7', brokerUrl: gw.url, stateDir: state, gateway, measuredMacsPerSecond: 2e8, macsBudget: 3e6, heartbeatMs: 100, memoryBytes: 5e8 });
  const dashboard = await mqtt.connectAsync(gw.url, { clientId: 'dashboard' });
  try {
    await new Promise((r) => setTimeout(r, 300)); // a few heartbeats, so `load` is retained
    const seen: Array<{ topic: string; body: Record<string, unknown>; retain: boolean }> = [];
    dashboard.on('message', (topic, payload, packet) => seen.push({ topic, body: JSON.parse(payload.toString()), retain: packet.retain }));
    await dashboard.subscribeAsync([topics.deviceStatus('pi7'), topics.deviceLoad('pi7')]);
    const wait = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 25));
      t.true(pred(), what);
    };
    await wait(() => seen.some((m) => m.topic.endsWith('/status') && m.retain && m.body.state === 'online'), 'retained online status');
    await wait(() => seen.some((m) => m.topic.endsWith('/load') && m.retain), 'retained load');
    const load = seen.find((m) => m.topic.endsWith('/load'))!.body;
    t.is(load.macsPerSecondBudget, 3e6);
    t.is(load.memoryBytes, 5e8);
    for (const k of ['ts', 'seq', 'bootId']) t.truthy(load[k], `load carries ${k}`);

    // the device vanishes without a goodbye: the broker publishes its last will
    (agent.client.stream as unknown as { destroy(): void }).destroy();
    await wait(() => seen.some((m) => m.topic.endsWith('/status') && m.body.state === 'offline'), 'offline from the last will');
    await wait(() => gw.registry.get('pi7')?.online === false, 'the gateway marks it offline');
  } finally {
    await dashboard.endAsync(true);
    await agent.close(200);
    await gw.close();
  }
});
