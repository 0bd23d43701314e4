// The host side of the serial framing, against published COBS vectors, exact frame bytes and
// seeded noise.
import test from 'ava';
import { crc32 } from 'node:zlib';
import { mulberry32 } from '@layerfleet/models';
import {
  cobsDecode, cobsEncode, decodeFrame, encodeArgs, encodeFrame, FrameError, FrameSplitter, MAX_ENCODED_FRAME, MAX_PAYLOAD,
} from '../src/index.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const seq = (from: number, to: number) => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('COBS matches the published examples (Cheshire & Baker; Wikipedia\'s table)', (t) => {
  const cases: Array<[Uint8Array, Uint8Array]> = [
    [hex('00'), hex('0101')],
    [hex('0000'), hex('010101')],
    [hex('001100'), hex('01021101')],
    [hex('11220033'), hex('0311220233')],
    [hex('11223344'), hex('0511223344')],
    [hex('11000000'), hex('0211010101')],
    [seq(1, 254), Uint8Array.from([0xff, ...seq(1, 254)])],
    [Uint8Array.from([0, ...seq(1, 254)]), Uint8Array.from([0x01, 0xff, ...seq(1, 254)])],
    [seq(1, 255), Uint8Array.from([0xff, ...seq(1, 254), 0x02, 0xff])],
    [Uint8Array.from([...seq(2, 255), 0]), Uint8Array.from([0xff, ...seq(2, 255), 0x01, 0x01])],
    [new Uint8Array(0), hex('01')],
  ];
  for (const [raw, encoded] of cases) {
    t.deepEqual(Array.from(cobsEncode(raw)), Array.from(encoded), `encode ${Buffer.from(raw).toString('hex').slice(0, 16)}…`);
    t.deepEqual(Array.from(cobsDecode(encoded)), Array.from(raw), `decode ${Buffer.from(encoded).toString('hex').slice(0, 16)}…`);
    t.false(cobsEncode(raw).includes(0));
  }
});

test('COBS round-trips seeded random buffers and refuses zero bytes and overruns', (t) => {
  const rng = mulberry32(7);
  for (let i = 0; i < 500; i++) {
    const raw = Uint8Array.from({ length: Math.floor(rng() * 1500) }, () => (rng() < 0.2 ? 0 : Math.floor(rng() * 256)));
    t.deepEqual(cobsDecode(cobsEncode(raw)), raw);
  }
  t.throws(() => cobsDecode(hex('031100')), { message: /zero byte at offset 2/ });
  t.throws(() => cobsDecode(hex('0511')), { message: /claims 4 bytes, 1 remain/ });
  t.throws(() => cobsDecode(hex('00')), { message: /zero byte at offset 0/ });
});

test('a frame is version, type, seq, CBOR and the zlib CRC-32, exactly', (t) => {
  const payload = encodeArgs({ slot: 3, off: 0 });
  t.deepEqual(Buffer.from(payload).toString('hex'), 'a264736c6f7403636f666600', 'shortest CBOR map header, no tags');
  const wire = encodeFrame({ type: 0x03, seq: 0x0102, payload });
  t.is(wire[wire.length - 1], 0);
  t.false(wire.subarray(0, -1).includes(0));
  const body = cobsDecode(wire.subarray(0, -1));
  t.deepEqual(Array.from(body.subarray(0, 4)), [1, 3, 0x02, 0x01]);
  t.deepEqual(Array.from(body.subarray(4, -4)), Array.from(payload));
  t.is(Buffer.from(body).readUInt32LE(body.length - 4), crc32(body.subarray(0, -4)) >>> 0);
  t.deepEqual(decodeFrame(wire.subarray(0, -1)), { type: 3, seq: 0x0102, payload: Uint8Array.from(payload) });
});

test('every damaged frame is refused with its kind', (t) => {
  const wire = encodeFrame({ type: 0x01, seq: 9, payload: encodeArgs({}) }).subarray(0, -1);
  const kind = (bytes: Uint8Array) => {
    const e = t.throws(() => decodeFrame(bytes), { instanceOf: FrameError });
    return e?.kind;
  };
  const flipped = cobsDecode(wire);
  flipped[4]! ^= 0x10;
  t.is(kind(cobsEncode(flipped)), 'crc');
  const v2 = cobsDecode(wire);
  v2[0] = 2;
  new DataView(v2.buffer).setUint32(v2.length - 4, crc32(v2.subarray(0, -4)) >>> 0, true);
  t.is(kind(cobsEncode(v2)), 'version');
  t.is(kind(cobsEncode(hex('01010203'))), 'short');
  t.is(kind(hex('05aa')), 'cobs');
  t.is(kind(new Uint8Array(MAX_ENCODED_FRAME + 1).fill(1)), 'too-long');
  t.throws(() => encodeFrame({ type: 1, seq: 1, payload: new Uint8Array(MAX_PAYLOAD + 1) }), { instanceOf: RangeError });
});

test('the splitter resynchronises after noise and drops oversize runs without buffering them', (t) => {
  const good = encodeFrame({ type: 0x07, seq: 5, payload: encodeArgs({}) });
  const splitter = new FrameSplitter();
  const rng = mulberry32(11);
  const noise = Uint8Array.from({ length: 3000 }, () => 1 + Math.floor(rng() * 255));
  // 3000 bytes with no 0x00, then a good frame glued to it by a 0x00, then the good frame again split in two.
  const events = [
    ...splitter.push(noise),
    ...splitter.push(Uint8Array.from([0, ...good])),
    ...splitter.push(good.subarray(0, 4)),
    ...splitter.push(Uint8Array.from([0, 0, 0])),
    ...splitter.push(good.subarray(4)),
  ];
  t.deepEqual(events.map((e) => e.kind), ['too-long', 'frame', 'frame', 'frame']);
  t.is(events[0]?.kind === 'too-long' ? events[0].dropped : 0, 3000);
  t.deepEqual(decodeFrame((events[1] as { bytes: Uint8Array }).bytes).seq, 5);
  // The frame cut by stray zeros arrives as two damaged pieces, each refused, never merged.
  t.throws(() => decodeFrame((events[2] as { bytes: Uint8Array }).bytes));
  t.throws(() => decodeFrame((events[3] as { bytes: Uint8Array }).bytes));
});
