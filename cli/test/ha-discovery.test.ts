import test from 'ava';
import { FleetView } from '@layerfleet/dashboard';
import { availability, deviceDiscovery, haId, states } from '../src/ha/discovery.js';

const o = { prefix: 'homeassistant', base: 'layerfleet' };

test('a board: ids in [a-zA-Z0-9_-], via its host, line counters as total_increasing; only numbers as states', (t) => {
  t.is(haId('pi-1.host-1'), 'layerfleet_pi-1_host-1');
  t.is(haId('a b/c+#'), 'layerfleet_a_b_c__');
  const v = new FleetView();
  v.apply('lf/v1/telemetry/dev/pi-1.host-1/status', JSON.stringify({ state: 'online', macsPerSecond: 5e6 }));
  v.apply('lf/v1/telemetry/dev/pi-1.host-1/load', JSON.stringify({ macsPerSecondBudget: 5e6, macsPerSecondUsed: 'NaN', line: { bitsPerSecond: 3.8e7, retries: 2, timeouts: 'x' } }));
  const board = deviceDiscovery(o, v.devices.get('pi-1.host-1')!);
  t.is(board.topic, 'homeassistant/device/layerfleet_pi-1_host-1/config');
  const dev = board.payload['dev'] as Record<string, unknown>;
  t.is(dev['via_device'], 'layerfleet_pi-1');
  const cmps = board.payload['cmps'] as Record<string, Record<string, unknown>>;
  t.like(cmps['line_retries'], { state_class: 'total_increasing' });
  t.like(cmps['line_rate'], { device_class: 'data_rate', unit_of_measurement: 'bit/s' });
  const sent = new Map(states(o, v, Date.now()));
  t.is(sent.get('layerfleet/layerfleet_pi-1_host-1/line_retries'), '2');
  t.false(sent.has('layerfleet/layerfleet_pi-1_host-1/line_timeouts'), 'a non-number is left out, not sent');
  t.false(sent.has('layerfleet/layerfleet_pi-1_host-1/macs_used'));
  for (const [topic, value] of sent) t.true(Number.isFinite(Number(value)), `${topic}=${value}`);
  t.deepEqual(new Map(availability(o, v, true)).get('layerfleet/layerfleet_pi-1_host-1/availability'), 'online');
  t.false(new Map(availability(o, v, true)).has('layerfleet/layerfleet_pi-1/availability'), 'a host known only through its board: availability unknown, not sent');
});
