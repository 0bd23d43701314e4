// Hostile input for the broker's first decoder, as fuzz targets (hostile-packet-size-guard.test.ts
// runs them with CI's budget, `npm run fuzz` with any): PacketSizeGuard, which follows MQTT framing
// on every client's raw byte stream. Whatever a client sends, in whatever pieces: the bytes pass
// unchanged or the stream ends with a PacketSizeError, the same however the stream was cut, and
// never after any byte of an oversize packet's body went through.
import fc from 'fast-check';
import { fuzzTarget } from '@layerfleet/test-support';
import { MAX_MQTT_PACKET_BYTES, PacketSizeError, PacketSizeGuard } from '../src/packet-size-guard.js';

interface Outcome { passed: number; error?: string }

/** Feeds the chunks through the guard's transform as the stream machinery would; stops at the first error. */
export function feedGuard(chunks: Uint8Array[], max?: number): Outcome {
  const guard = new PacketSizeGuard(max);
  let passed = 0;
  for (const chunk of chunks) {
    let result: { err?: Error | null | undefined; data?: unknown } = {};
    guard._transform(Buffer.from(chunk), 'buffer' as BufferEncoding, (err, data) => { result = { err, data }; });
    if (result.err) {
      if (!(result.err instanceof PacketSizeError) || result.err.message.length === 0) throw new Error(`untyped ${result.err.name}: ${result.err.message}`);
      return { passed, error: result.err.message };
    }
    if (!Buffer.isBuffer(result.data) || !result.data.equals(Buffer.from(chunk))) throw new Error('the guard changed the bytes it passed');
    passed += chunk.length;
  }
  return { passed };
}

/** Cuts `stream` at fast-check-chosen offsets. */
const split = (stream: Uint8Array, cuts: number[]): Uint8Array[] => {
  const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, stream.length]) { out.push(stream.subarray(from, to)); from = to; }
  return out;
};

/** MQTT's variable-length "remaining length" (MQTT 3.1.1 §2.2.3), shortest form. */
export function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const packet = (type: number, body: Uint8Array) => Uint8Array.from([type, ...remainingLength(body.length), ...body]);
const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

const GUARD = 'PacketSizeGuard';

export const anyStreamSameVerdictForEveryCut = fuzzTarget({ decoder: GUARD, claim: 'any byte stream, cut anywhere: passes unchanged or PacketSizeError, same for every cut', ci: { seed: 801, numRuns: 4000 } },
  () => {
    const stream = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 4096, size: 'max' }));
    return fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), fc.constantFrom(undefined, 0, 1, 200, 16384), (s, cuts, max) => {
      const whole = feedGuard([s], max);
      const pieces = feedGuard(split(s, cuts), max);
      if ((whole.error === undefined) !== (pieces.error === undefined)) throw new Error('the verdict depends on how the stream was cut');
      if (pieces.error === undefined && pieces.passed !== s.length) throw new Error('bytes went missing');
    });
  });

export const packetsUnderTheLimitPass = fuzzTarget({ decoder: GUARD, claim: 'well-formed packets under the limit all pass, in any pieces', ci: { seed: 802, numRuns: 3000 } },
  () => {
    const packets = fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300, size: 'max' })).map(([ty, body]) => packet(ty, body)), { maxLength: 10 });
    return fc.property(packets, fc.array(fc.nat(), { maxLength: 20 }), (ps, cuts) => {
      const s = concat(ps);
      const r = feedGuard(split(s, cuts), 300);
      if (r.error !== undefined || r.passed !== s.length) throw new Error(`refused valid packets: ${r.error}`);
    });
  });

export const oversizeCutBeforeItsBody = fuzzTarget({ decoder: GUARD, claim: 'a packet declaring more than the limit is cut before any body byte', ci: { seed: 803, numRuns: 3000 } },
  () => {
    const max = 300;
    const before = fc.array(fc.uint8Array({ maxLength: max }).map((b) => packet(0x30, b)), { maxLength: 4 });
    return fc.property(before, fc.integer({ min: max + 1, max: 268_435_455 }), fc.array(fc.nat(), { maxLength: 10 }), (ok, declared, cuts) => {
      const head = concat(ok);
      const bad = Uint8Array.from([0x30, ...remainingLength(declared)]);
      const s = concat([head, bad, new Uint8Array(Math.min(declared, max + 50)).fill(0xaa)]);
      const r = feedGuard(split(s, cuts), max);
      if (r.error === undefined) throw new Error(`${declared} bytes declared, accepted`);
      if (r.passed >= head.length + bad.length) throw new Error(`${r.passed - head.length - bad.length} body bytes passed before the cut`);
    });
  });

export const overTheDefaultLimitRefused = fuzzTarget({ decoder: GUARD, claim: 'MAX_MQTT_PACKET_BYTES + 1..2^20 declared: refused', ci: { seed: 804, numRuns: 1000 } },
  () => fc.property(fc.integer({ min: 1, max: 1 << 20 }), (over) => {
    if (!/over the \d+-byte limit/.test(feedGuard([Uint8Array.from([0x30, ...remainingLength(MAX_MQTT_PACKET_BYTES + over)])]).error ?? '')) throw new Error(`+${over} not refused`);
  }));
