import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { testNeeding } from '@layerfleet/test-support/ava';
import { until } from '@layerfleet/test-support';
import { BIN, startMosquitto, watchedFleet } from '../src/index.js';

const test = testNeeding(['mosquitto']);
const HA_ID = /^[a-zA-Z0-9_-]+$/;

test('ha-bridge: device discovery for every device, availability from status, numeric states only, republished on homeassistant/status online', async (t) => {
  let broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const fleet = await watchedFleet();
  t.teardown(() => fleet.close());
  const worker = await fleet.start('w1', 'worker');
  await fleet.start('w2', 'worker');
  const cam = await fleet.start('cam', 'source');
  await fleet.infer(cam, 4);

  // Home Assistant's side: an MQTT 5 client on the user's broker
  const ha = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'home-assistant', connectTimeout: 10_000 });
  t.teardown(() => ha.endAsync(true));
  const configs = new Map<string, Record<string, unknown>>();
  const values = new Map<string, string>();
  const nonNumeric: string[] = [];
  const history: string[] = [];
  ha.on('message', (topic, payload) => {
    const text = payload.toString();
    if (topic.startsWith('homeassistant/device/')) { configs.set(topic, JSON.parse(text) as Record<string, unknown>); return; }
    if (topic === 'homeassistant/status') return;
    values.set(topic, text);
    history.push(`${topic}=${text}`);
    if (!topic.endsWith('/availability') && !Number.isFinite(Number(text))) nonNumeric.push(`${topic}=${text}`);
  });
  await ha.subscribeAsync(['homeassistant/device/+/config', 'layerfleet/#']);

  const child = spawn(process.execPath, [BIN, 'ha-bridge', '--gateway', fleet.gw.url, '--state', fleet.stateDir, '--to', broker.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-10_000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => { child.kill('SIGTERM'); await exited; });
  const firstLine = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  t.like(JSON.parse(firstLine), { event: 'bridging', prefix: 'homeassistant' });

  const ids = ['layerfleet_gateway', 'layerfleet_w1', 'layerfleet_w2', 'layerfleet_cam'];
  const allConfigs = () => ids.every((id) => configs.has(`homeassistant/device/${id}/config`));
  await until(allConfigs, 'a discovery config for the gateway and every device', 20_000, () => stderr);
  for (const [topic, config] of configs) {
    const id = topic.split('/')[2]!;
    t.regex(id, HA_ID, topic);
    const c = config as { dev: { ids: string[]; name: string }; o: { name: string }; cmps: Record<string, Record<string, unknown>>; availability: Array<{ topic: string }>; availability_mode: string };
    t.deepEqual(c.dev.ids, [id]);
    t.truthy(c.o.name, 'origin named');
    t.is(c.availability_mode, 'all');
    t.is(c.availability.length, 2, 'the bridge and the device');
    t.true(Object.keys(c.cmps).length > 0);
    for (const [key, cmp] of Object.entries(c.cmps)) {
      t.regex(key, HA_ID);
      t.regex(String(cmp['unique_id']), HA_ID);
      t.is(cmp['p'], 'sensor');
      t.true(typeof cmp['state_topic'] === 'string');
      t.true(cmp['state_class'] === 'measurement' || cmp['state_class'] === 'total_increasing', `${key}: ${String(cmp['state_class'])}`);
      if (cmp['device_class'] === 'duration') t.is(cmp['unit_of_measurement'], 'ms');
    }
  }
  const gw = configs.get('homeassistant/device/layerfleet_gateway/config') as { cmps: Record<string, Record<string, unknown>> };
  t.like(gw.cmps['completed'], { state_class: 'total_increasing' });
  t.like(gw.cmps['latency_p50'], { device_class: 'duration', unit_of_measurement: 'ms', state_class: 'measurement' });

  // availability from each device's status, and states as numbers
  await until(() => values.get('layerfleet/layerfleet_w1/availability') === 'online' && values.get('layerfleet/bridge/availability') === 'online', 'w1 and the bridge available', 20_000, () => stderr);
  await until(() => Number(values.get('layerfleet/layerfleet_gateway/completed') ?? 0) >= 4, 'the completed counter', 20_000, () => stderr);
  t.true(Number(values.get('layerfleet/layerfleet_w1/macs_budget')) === 5e6, 'w1 budget');

  // Home Assistant restarts: every config again
  configs.clear();
  await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await until(allConfigs, 'configs republished after homeassistant/status online', 20_000, () => stderr);

  // the user's broker restarts (no persistence: it forgets every retained config): the bridge reconnects and publishes them again
  await broker.stop();
  configs.clear();
  broker = await startMosquitto(10_000, broker.port);
  await until(() => ha.connected, 'Home Assistant back on its broker', 20_000);
  await ha.subscribeAsync(['homeassistant/device/+/config', 'layerfleet/#']);
  await until(allConfigs, 'configs republished after the bridge reconnected', 30_000, () => stderr);

  // an agent vanishes: its last will becomes the device's availability
  const before = history.length;
  (worker.client.stream as unknown as { destroy(): void }).destroy();
  // (the agent reconnects by itself after a moment, so its online may follow)
  await until(() => history.slice(before).includes('layerfleet/layerfleet_w1/availability=offline'), 'w1 unavailable', 20_000, () => stderr);
  t.is(values.get('layerfleet/layerfleet_w2/availability'), 'online');
  t.deepEqual(nonNumeric, [], 'no numeric sensor ever got a non-number');
  t.log(`discovery sample: ${JSON.stringify(configs.get('homeassistant/device/layerfleet_w1/config')).slice(0, 900)}…`);
});
