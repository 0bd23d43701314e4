// Hostile input for the serial framing, as fuzz targets (hostile-serial.test.ts runs them with
// CI's budget, `npm run fuzz` with any): COBS, frames and the stream splitter. Whatever a board (or
// line noise) sends: a frame, or a CobsError / FrameError of a known kind; never a different frame
// from a damaged one, never a frame longer than MAX_ENCODED_FRAME out of the splitter.
import fc from 'fast-check';
import { fuzzTarget, type FuzzTarget } from '@layerfleet/test-support';
import { isDeepStrictEqual } from 'node:util';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength, CobsError } from '../src/serial/cobs.js';
import { decodeFrame, encodeFrame, frameCrc, FrameError, MAX_ENCODED_FRAME, MAX_FRAME_BODY, MAX_PAYLOAD, MIN_FRAME_BODY, type Frame } from '../src/serial/frame.js';
import { FrameSplitter, type SplitEvent } from '../src/serial/frame-splitter.js';

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

const COBS = 'cobsDecode';
const DECODE_FRAME = 'decodeFrame';

export const cobsDecodeIsBounded = fuzzTarget({ decoder: COBS, claim: 'arbitrary bytes: CobsError or data no longer than the input', ci: { seed: 501, numRuns: 5000 } },
  () => fc.property(anyBytes, (b) => {
    const r = cobsOutcome(b);
    if (r instanceof Uint8Array && r.length > b.length) throw new Error(`${b.length} bytes decoded to ${r.length}`);
  }));

export const cobsRoundTrip = fuzzTarget({ decoder: 'cobsEncode/cobsDecode', claim: 'any data round-trips, zero-free, within cobsMaxEncodedLength', ci: { seed: 502, numRuns: 5000 } },
  () => fc.property(anyBytes, (data) => {
    const enc = cobsEncode(data);
    if (enc.includes(0) || enc.length > cobsMaxEncodedLength(data.length)) throw new Error('bad encoding');
    if (!isDeepStrictEqual(Uint8Array.from(cobsDecode(enc)), Uint8Array.from(data))) throw new Error('round trip changed the data');
  }));

/** The FrameError kinds seen, for the ava test to check every check was reached. */
export const junkIsFrameError: FuzzTarget<Set<string>> = {
  decoder: DECODE_FRAME, claim: 'arbitrary bytes: a FrameError of a known kind, length checked first', ci: { seed: 503, numRuns: 5000 },
  arm() {
    const kinds = new Set<string>();
    return {
      tally: kinds,
      property: fc.property(fc.oneof(anyBytes, fc.uint8Array({ minLength: MAX_ENCODED_FRAME - 8, maxLength: MAX_ENCODED_FRAME + 8 })), (b) => {
        const r = frameOutcome(b);
        if (!(r instanceof FrameError)) throw new Error('random bytes decoded as a frame');
        if (b.length > MAX_ENCODED_FRAME && (r.kind !== 'too-long' || !/encoded bytes/.test(r.message))) throw new Error(`${b.length} bytes: ${r.kind} before the length check`);
        kinds.add(r.kind);
      }),
    };
  },
};

export const anyBodyFailsItsCheck: FuzzTarget<Set<string>> = {
  decoder: DECODE_FRAME, claim: 'valid COBS around any body: exactly the check it fails, or the frame', ci: { seed: 504, numRuns: 4000 },
  arm() {
    const kinds = new Set<string>();
    const body = fc.oneof(
      fc.uint8Array({ maxLength: MAX_FRAME_BODY + 40, size: 'max' }),
      fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ minLength: 3, maxLength: 300, size: 'max' })).map(([v, rest]) => withCrc(concat([v], rest))),
      fc.uint8Array({ minLength: MAX_FRAME_BODY - 3, maxLength: MAX_FRAME_BODY + 8 }).map(withCrc),
    );
    return {
      tally: kinds,
      property: fc.property(body, (b) => {
        const encoded = cobsEncode(b);
        const r = frameOutcome(encoded);
        const crcOk = b.length >= MIN_FRAME_BODY && new DataView(b.buffer, b.byteOffset).getUint32(b.length - 4, true) === frameCrc(b.subarray(0, -4));
        const want = b.length < MIN_FRAME_BODY ? 'short' : b.length > MAX_FRAME_BODY ? 'too-long' : !crcOk ? 'crc' : b[0] !== 1 ? 'version' : 'frame';
        const got = r instanceof FrameError ? r.kind : 'frame';
        if (got !== want) throw new Error(`body of ${b.length}: ${got}, expected ${want}`);
        // The seq is the frame's own once its body could be read (not when the encoded length alone refused it).
        if (r instanceof FrameError && b.length >= 4 && encoded.length <= MAX_ENCODED_FRAME && r.seq !== (b[2]! | (b[3]! << 8))) throw new Error('FrameError without the frame\'s own seq');
        kinds.add(got);
      }),
    };
  },
};

export const frameRoundTrip = fuzzTarget({ decoder: 'encodeFrame/decodeFrame', claim: 'every type, seq and payload up to MAX_PAYLOAD round-trips', ci: { seed: 505, numRuns: 3000 } },
  () => fc.property(frame, (f) => {
    const wire = encodeFrame(f);
    if (wire[wire.length - 1] !== 0 || wire.subarray(0, -1).includes(0) || wire.length - 1 > MAX_ENCODED_FRAME) throw new Error('bad wire form');
    if (!isDeepStrictEqual(decodeFrame(wire.subarray(0, -1)), { ...f, payload: Uint8Array.from(f.payload) })) throw new Error('round trip changed the frame');
  }));

/** How many damaged frames were refused, and how many were another COBS spelling of the same body. */
export const damagedFrameRefused: FuzzTarget<{ refused: number; respelled: number }> = {
  decoder: DECODE_FRAME, claim: 'a damaged frame is refused unless another spelling of the same body', ci: { seed: 506, numRuns: 5000 },
  arm() {
    const tally = { refused: 0, respelled: 0 };
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    return {
      tally,
      property: fc.property(frame, fc.array(edit, { minLength: 1, maxLength: 3 }), (f, edits) => {
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
        if (r instanceof FrameError) { tally.refused++; return; }
        // The board's encoder closes a final full 254-byte block with an empty one (01), ours does not; both decode.
        if (!isDeepStrictEqual(r, { ...f, payload: Uint8Array.from(f.payload) }) || !isDeepStrictEqual(cobsDecode(bad), cobsDecode(good))) {
          throw new Error('a damaged frame decoded as a different frame');
        }
        tally.respelled++;
      }),
    };
  },
};

export const splitterCutsExactlyTheFrames = fuzzTarget({ decoder: 'FrameSplitter', claim: 'any chunking of frames and garbage: exactly the frames sent, in order', ci: { seed: 507, numRuns: 1000 } },
  () => {
    const item = fc.oneof(
      { arbitrary: frame.map((f) => ({ frame: f, bytes: encodeFrame(f) })), weight: 3 },
      { arbitrary: fc.oneof(fc.uint8Array({ maxLength: 200, size: 'max' }), longRuns(4 * MAX_ENCODED_FRAME)).map((g) => ({ frame: null, bytes: g })), weight: 2 },
    );
    return fc.property(fc.array(item, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (items, cuts) => {
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
    });
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

/** How many frames the board spells differently from us (a final full block), for the ava test to see some. */
export const boardSpellingDecodesAlike: FuzzTarget<{ differ: number }> = {
  decoder: DECODE_FRAME, claim: 'frames as the board spells them decode to the same frames', ci: { seed: 508, numRuns: 2000 },
  arm() {
    const tally = { differ: 0 };
    return {
      tally,
      property: fc.property(frame, (f) => {
        const ours = encodeFrame(f).subarray(0, -1);
        const theirs = boardCobs(cobsDecode(ours));
        if (!isDeepStrictEqual(theirs, Uint8Array.from(ours))) tally.differ++;
        if (!isDeepStrictEqual(decodeFrame(theirs), { ...f, payload: Uint8Array.from(f.payload) })) throw new Error('board spelling decoded differently');
      }),
    };
  },
};
