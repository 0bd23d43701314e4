// Hostile input for the serial framing: COBS, frames and the stream splitter. Whatever a board
// (or line noise) sends: a frame, or a CobsError / FrameError of a known kind; never a different
// frame from a damaged one, never a frame longer than MAX_ENCODED_FRAME out of the splitter.
import test from 'ava';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength, CobsError } from '../src/serial/cobs.js';
import { decodeFrame, encodeFrame, frameCrc, FrameError, MAX_ENCODED_FRAME, MAX_FRAME_BODY, MAX_PAYLOAD, MIN_FRAME_BODY, type Frame } from '../src/serial/frame.js';
import { FrameSplitter, type SplitEvent } from '../src/serial/frame-splitter.js';

fc.configureGlobal({ includeErrorInReport: true });

const KINDS = new Set(['cobs', 'short', 'too-long', 'crc', 'version']);
const concat = (...parts: ArrayLike<number>[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

/** Bytes with some zeros, and bytes with long non-zero runs (COBS's 254-byte block boundary). */
// size 'max': lengths spread over the whole range (fast-check's default size keeps them under ~10).
const bytesWithZeros = (maxLength: number) => fc.array(fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 255 }), weight: 6 }), { maxLength, size: 'max' }).map((a) => Uint8Array.from(a));
const longRuns = (maxLength: number) => fc.uint8Array({ min: 1, maxLength, size: 'max' });
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 3000, size: 'max' }), bytesWithZeros(3000), longRuns(3000));

const frame: fc.Arbitrary<Frame> = fc.record({
  type: fc.integer({ min: 0, max: 255 }), seq: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: MAX_PAYLOAD, size: 'max' }), longRuns(MAX_PAYLOAD), bytesWithZeros(64)),
}, { noNullPrototype: true });

/** decodeFrame's result, or its FrameError (of a known kind, with a message); anything else fails. */
function frameOutcome(encoded: Uint8Array): Frame | FrameError {
  try {
    return decodeFrame(encoded);
  } catch (err) {
    if (err instanceof FrameError && KINDS.has(err.kind) && err.message.length > 0) return err;
    throw new Error(`decodeFrame threw untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}
function cobsOutcome(encoded: Uint8Array): Uint8Array | CobsError {
  try {
    return cobsDecode(encoded);
  } catch (err) {
    if (err instanceof CobsError && err.message.length > 0) return err;
    throw new Error(`cobsDecode threw untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}
/** A frame body (version, type, seq, payload) with its CRC-32 appended. */
const withCrc = (head: Uint8Array) => {
  const body = new Uint8Array(head.length + 4);
  body.set(head);
  new DataView(body.buffer).setUint32(head.length, frameCrc(head), true);
  return body;
};

test('cobsDecode of arbitrary bytes is a CobsError or data no longer than its input', (t) => {
  fc.assert(fc.property(anyBytes, (b) => {
    const r = cobsOutcome(b);
    if (r instanceof Uint8Array && r.length > b.length) throw new Error(`${b.length} bytes decoded to ${r.length}`);
  }), { seed: 501, numRuns: 5000 });
  t.pass();
});

test('cobsEncode/cobsDecode round-trip any data, without a zero byte and within cobsMaxEncodedLength', (t) => {
  fc.assert(fc.property(anyBytes, (data) => {
    const enc = cobsEncode(data);
    if (enc.includes(0) || enc.length > cobsMaxEncodedLength(data.length)) throw new Error('bad encoding');
    if (!isDeepStrictEqual(Uint8Array.from(cobsDecode(enc)), Uint8Array.from(data))) throw new Error('round trip changed the data');
  }), { seed: 502, numRuns: 5000 });
  t.pass();
});

test('decodeFrame of arbitrary bytes is a FrameError of a known kind (a frame only with a matching CRC)', (t) => {
  const kinds = new Set<string>();
  fc.assert(fc.property(fc.oneof(anyBytes, fc.uint8Array({ minLength: MAX_ENCODED_FRAME - 8, maxLength: MAX_ENCODED_FRAME + 8 })), (b) => {
    const r = frameOutcome(b);
    if (!(r instanceof FrameError)) throw new Error('random bytes decoded as a frame');
    if (b.length > MAX_ENCODED_FRAME && (r.kind !== 'too-long' || !/encoded bytes/.test(r.message))) throw new Error(`${b.length} bytes: ${r.kind} before the length check`);
    kinds.add(r.kind);
  }), { seed: 503, numRuns: 5000 });
  t.deepEqual([...kinds].sort(), ['cobs', 'crc', 'short', 'too-long']);
});

test('valid COBS around any body gives exactly the check that body fails: short, too-long, crc, version — or the frame', (t) => {
  const kinds = new Set<string>();
  const body = fc.oneof(
    fc.uint8Array({ maxLength: MAX_FRAME_BODY + 40, size: 'max' }),
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ minLength: 3, maxLength: 300, size: 'max' })).map(([v, rest]) => withCrc(concat([v], rest))),
    fc.uint8Array({ minLength: MAX_FRAME_BODY - 3, maxLength: MAX_FRAME_BODY + 8 }).map(withCrc),
  );
  fc.assert(fc.property(body, (b) => {
    const encoded = cobsEncode(b);
    const r = frameOutcome(encoded);
    const crcOk = b.length >= MIN_FRAME_BODY && new DataView(b.buffer, b.byteOffset).getUint32(b.length - 4, true) === frameCrc(b.subarray(0, -4));
    const want = b.length < MIN_FRAME_BODY ? 'short' : b.length > MAX_FRAME_BODY ? 'too-long' : !crcOk ? 'crc' : b[0] !== 1 ? 'version' : 'frame';
    const got = r instanceof FrameError ? r.kind : 'frame';
    if (got !== want) throw new Error(`body of ${b.length}: ${got}, expected ${want}`);
    // The seq is the frame's own once its body could be read (not when the encoded length alone refused it).
    if (r instanceof FrameError && b.length >= 4 && encoded.length <= MAX_ENCODED_FRAME && r.seq !== (b[2]! | (b[3]! << 8))) throw new Error('FrameError without the frame\'s own seq');
    kinds.add(got);
  }), { seed: 504, numRuns: 4000 });
  t.deepEqual([...kinds].sort(), ['crc', 'frame', 'short', 'too-long', 'version']);
});

test('encodeFrame/decodeFrame round-trip every type, seq and payload up to MAX_PAYLOAD', (t) => {
  fc.assert(fc.property(frame, (f) => {
    const wire = encodeFrame(f);
    if (wire[wire.length - 1] !== 0 || wire.subarray(0, -1).includes(0) || wire.length - 1 > MAX_ENCODED_FRAME) throw new Error('bad wire form');
    if (!isDeepStrictEqual(decodeFrame(wire.subarray(0, -1)), { ...f, payload: Uint8Array.from(f.payload) })) throw new Error('round trip changed the frame');
  }), { seed: 505, numRuns: 3000 });
  t.pass();
});

/** lf_cobs_encode of the firmware (lf_cobs.c): it closes a final full 254-byte block with an empty one (01); ours does not. */
function boardCobs(data: Uint8Array): Uint8Array {
  const out: number[] = [0];
  let codeAt = 0;
  let code = 1;
  for (const byte of data) {
    if (byte !== 0) { out.push(byte); code++; }
    if (byte === 0 || code === 0xff) { out[codeAt] = code; codeAt = out.length; out.push(0); code = 1; }
  }
  out[codeAt] = code;
  return Uint8Array.from(out);
}

test('frames as the board spells them decode to the same frames', (t) => {
  let differ = 0;
  fc.assert(fc.property(frame, (f) => {
    const ours = encodeFrame(f).subarray(0, -1);
    const theirs = boardCobs(cobsDecode(ours));
    if (!isDeepStrictEqual(theirs, Uint8Array.from(ours))) differ++;
    if (!isDeepStrictEqual(decodeFrame(theirs), { ...f, payload: Uint8Array.from(f.payload) })) throw new Error('board spelling decoded differently');
  }), { seed: 508, numRuns: 2000 });
  t.true(differ > 0);
});

test('a damaged frame is refused; it decodes only when it is another COBS spelling of the very same body', (t) => {
  let refused = 0;
  let respelled = 0;
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  fc.assert(fc.property(frame, fc.array(edit, { minLength: 1, maxLength: 3 }), (f, edits) => {
    const good = encodeFrame(f).subarray(0, -1);
    let b = Array.from(good);
    for (const e of edits) {
      const at = e.at % (b.length + 1);
      if (e.kind === 'flip' && at < b.length) b[at]! ^= e.mask;
      else if (e.kind === 'insert') b.splice(at, 0, e.byte);
      else if (e.kind === 'delete') b.splice(at, e.count);
      else if (e.kind === 'truncate') b = b.slice(0, at);
    }
    const bad = Uint8Array.from(b);
    fc.pre(!isDeepStrictEqual(bad, Uint8Array.from(good)));
    const r = frameOutcome(bad);
    if (r instanceof FrameError) { refused++; return; }
    // The board's encoder closes a final full 254-byte block with an empty one (01), ours does not; both decode.
    if (!isDeepStrictEqual(r, { ...f, payload: Uint8Array.from(f.payload) }) || !isDeepStrictEqual(cobsDecode(bad), cobsDecode(good))) {
      throw new Error('a damaged frame decoded as a different frame');
    }
    respelled++;
  }), { seed: 506, numRuns: 5000 });
  t.true(refused > 4900, `${refused} refused, ${respelled} respelled`);
});

test('the splitter cuts any chunking of frames mixed with garbage into exactly the frames sent, in order', (t) => {
  const item = fc.oneof(
    { arbitrary: frame.map((f) => ({ frame: f, bytes: encodeFrame(f) })), weight: 3 },
    { arbitrary: fc.oneof(fc.uint8Array({ maxLength: 200, size: 'max' }), longRuns(4 * MAX_ENCODED_FRAME)).map((g) => ({ frame: null, bytes: g })), weight: 2 },
  );
  fc.assert(fc.property(fc.array(item, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (items, cuts) => {
    // Both sides send 0x00 before each frame, so garbage ends there instead of swallowing the frame.
    const stream = concat(...items.flatMap((i) => [[0], i.bytes]), [0]);
    const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const splitter = new FrameSplitter();
    const events: SplitEvent[] = [];
    let from = 0;
    for (const to of [...at, stream.length]) { events.push(...splitter.push(stream.subarray(from, to))); from = to; }
    if (!isDeepStrictEqual(events, new FrameSplitter().push(stream))) throw new Error('events depend on how the stream was chunked');
    const decoded: Frame[] = [];
    for (const e of events) {
      if (e.kind === 'too-long') { if (e.dropped <= MAX_ENCODED_FRAME) throw new Error(`dropped ${e.dropped} bytes as too long`); continue; }
      if (e.bytes.length === 0 || e.bytes.length > MAX_ENCODED_FRAME || e.bytes.includes(0)) throw new Error(`emitted a frame of ${e.bytes.length} bytes`);
      const r = frameOutcome(e.bytes);
      if (!(r instanceof FrameError)) decoded.push(r);
    }
    const sent = items.flatMap((i) => (i.frame ? [{ ...i.frame, payload: Uint8Array.from(i.frame.payload) }] : []));
    if (!isDeepStrictEqual(decoded, sent)) throw new Error(`${decoded.length} frames decoded, ${sent.length} sent`);
  }), { seed: 507, numRuns: 1000 });
  t.pass();
});
