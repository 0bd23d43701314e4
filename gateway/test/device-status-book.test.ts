import test from 'ava';
import { DeviceStatusBook } from '../src/device-status-book.js';

const status = (body: Record<string, unknown>) => Buffer.from(JSON.stringify(body));
const topic = (id: string) => `lf/v1/telemetry/dev/${id}/status`;

test("the gateway's offline for a device follows on from the device's own status: same bootId, next seq", (t) => {
  const book = new DeviceStatusBook();
  book.observe(topic('w1'), status({ state: 'online', seq: 7, bootId: 'b1', ts: 1 }));
  t.deepEqual(book.offlineFor('w1', 'silent for 6000 ms', 99), { state: 'offline', reason: 'silent for 6000 ms', by: 'gateway', ts: 99, seq: 8, bootId: 'b1' });
  t.is(book.offlineFor('w1', 'again', 100), null, 'said once');
});

test('no offline from the gateway when the device (or its last will) said it already, or was never seen', (t) => {
  const book = new DeviceStatusBook();
  book.observe(topic('w1'), status({ state: 'online', seq: 1, bootId: 'b1' }));
  book.observe(topic('w1'), status({ state: 'offline', reason: 'connection lost', seq: 2, bootId: 'b1' }));
  t.is(book.offlineFor('w1', 'disconnected'), null);
  t.is(book.offlineFor('never-seen', 'disconnected'), null);
});

test('anything that is not a well-formed device status is ignored', (t) => {
  const book = new DeviceStatusBook();
  for (const [tp, payload] of [
    ['lf/v1/telemetry/dev/w1/load', status({ state: 'online', seq: 1, bootId: 'b' })],
    [topic('w1'), Buffer.from('not json')],
    [topic('w1'), status({ state: 'online', seq: '1', bootId: 'b' })],
    [topic('w1'), status({ state: 'online', seq: 1.5, bootId: 'b' })],
    [topic('w1'), Buffer.from('null')],
    [topic('w1'), Buffer.alloc(5000, 0x20)],
  ] as const) book.observe(tp, payload);
  t.is(book.offlineFor('w1', 'x'), null);
});
