import test from 'ava';
import { Encoder } from 'cbor-x';
import { decodeMessage, encodeMessage, MessageError, type Message } from '../src/index.js';

const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? [...x] : x?.type === 'Buffer' ? x.data : x)));
const raw = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

test('every message type survives encode/decode', (t) => {
  const key = new Uint8Array(32).fill(7);
  const samples: Message[] = [
    { t: 'hello', sign: key, kex: key, bootId: 'b1', caps: { macsPerSecond: 1e7, measuredMacsPerSecond: 2e8, memoryBytes: 1e9, rateBitsPerSecond: 1e8, role: 'source', requestRate: 50 } },
    { t: 'heartbeat', bootId: 'b1', queue: 3 },
    { t: 'stream', model: 'lenet5', rate: 20 },
    { t: 'stream', model: 'lenet5' },
    { t: 'route', route: 'cam1/lenet5/0a1b2c3d', version: 1, model: 'lenet5', assignment: ['cam1', 'a', 'b', 'c', 'cam1'], peers: [{ id: 'a', sign: key, kex: key }], layers: [{ index: 1, layer: { name: 'conv2' } }], start: true },
    { t: 'route', route: 'cam1/lenet5/0a1b2c3d', version: 2, model: 'lenet5', assignment: ['cam1', 'a', 'cam1'], peers: [], layers: [], start: true, rerun: true },
    { t: 'ready', route: 'cam1/lenet5/0a1b2c3d', version: 1 },
    { t: 'unrouted', model: 'lenet5', reason: 'nothing fits', waiting: true },
    { t: 'act', route: 'cam1/lenet5/0a1b2c3d', version: 1, requestId: 'r1', attempt: 0, layer: 2, data: new Uint8Array([1, 2, 255]), trace: [{ device: 'cam1', layers: [0], ms: 0.5 }] },
    { t: 'act', route: 'cam1/lenet5/0a1b2c3d', version: 1, requestId: 'r1', attempt: 0, layer: 3, data: new Uint8Array([1]), trace: [{ device: 'cam1', layers: [0], ms: 0.5, claim: new Uint8Array([9, 9]) }, { device: 'a', layers: [1, 2], ms: 2 }] },
    { t: 'result', route: 'cam1/lenet5/0a1b2c3d', version: 1, requestId: 'r1', attempt: 0, predicted: 3, logits: new Uint8Array(10), trace: [], totalMs: 4.2, label: 3 },
    { t: 'result', route: 'cam1/lenet5/0a1b2c3d', version: 1, requestId: 'r1', attempt: 0, predicted: 3, logits: new Uint8Array(10), trace: [{ device: 'cam1', layers: [0, 1], ms: 1, claim: new Uint8Array(3) }], totalMs: 4.2, claim: new Uint8Array([1, 2]) },
    { t: 'failed', requestId: 'r1', attempt: 2, reason: 'device a went offline' },
    { t: 'failed', requestId: 'r1', attempt: 0, reason: 'over budget', route: 'cam1/lenet5/0a1b2c3d', version: 1 },
  ];
  for (const m of samples) {
    const back = decodeMessage(encodeMessage(m));
    t.deepEqual(plain(back), plain(m), m.t);
  }
});

test('rejections name the field at fault', (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ t: 'nope' }, /^message\.t: unknown message type "nope"/],
    [[1, 2], /^message: expected a map/],
    [{ t: 'heartbeat', bootId: 'x' }, /^heartbeat\.queue: expected a finite number, got nothing/],
    [{ t: 'hello', sign: new Uint8Array(31), kex: new Uint8Array(32), bootId: 'b', caps: {} }, /^hello\.sign: expected 32 bytes, got 31/],
    [{ t: 'route', route: 'r', version: 1, model: 'm', assignment: ['ok', 'bad/id'], peers: [], layers: [] }, /^route\.assignment\[1\]/],
    [{ t: 'route', route: 'r', version: 0, model: 'm', assignment: [], peers: [], layers: [] }, /^route\.version/],
    [{ t: 'act', route: 'r', version: 1, requestId: 'r', attempt: 0, layer: 1, data: new Uint8Array(3 * 1024 * 1024), trace: [] }, /^act\.data: .* exceeds the limit/],
    [{ t: 'act', route: 'r', version: 1, requestId: 'r', attempt: 0, layer: 1.5, data: new Uint8Array(1), trace: [] }, /^act\.layer: expected an integer/],
  ];
  for (const [value, pattern] of cases) {
    const err = t.throws(() => decodeMessage(raw.encode(value)), { instanceOf: MessageError });
    t.regex(err!.message, pattern);
  }
});

test('bytes that are not CBOR are rejected, never thrown raw', (t) => {
  for (const junk of [new Uint8Array([0xff]), new Uint8Array([0xa1]), new Uint8Array(0), new Uint8Array([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]) {
    t.throws(() => decodeMessage(junk), { instanceOf: MessageError });
  }
});
