// Hostile input for the application-message decoder (decodeMessage / parseMessage) and the
// protocol's CBOR wrapper, as fuzz targets (hostile-cbor-messages.test.ts runs them with CI's
// budget, `npm run fuzz` with any): whatever arrives, a Message or a MessageError — never another
// error, never a value that is not a message, and never a decoder left in a state that misreads
// the next honest message.
import fc from 'fast-check';
import { fuzzTarget, type FuzzTarget } from '@layerfleet/test-support';
import { decodeCbor, encodeCbor } from '../src/cbor.js';
import { decodeMessage, encodeMessage, LIMITS, MessageError, parseMessage, type HopTiming, type Message } from '../src/messages.js';
import { cborSoup, hostileKey, hostileLeaf, hostileValueOf, junkBytes, mutate, mutations, plain, PROTO_NAMES } from './hostile-arbitraries.js';

const deviceId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
/** Text of at most `max` UTF-16 units (a code point takes at most two). */
const text = (max: number) => fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: Math.floor(max / 2), size: 'max' }));
const attempt = fc.integer({ min: 0, max: 1000 });
const ms = fc.double({ min: 0, max: 1e12, noNaN: true });
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const routeId = text(128);
const version = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const trace: fc.Arbitrary<HopTiming[]> = fc.array(fc.record({
  device: deviceId, layers: fc.array(fc.integer({ min: 0, max: LIMITS.maxLayers }), { maxLength: 8 }), ms,
}), { maxLength: 8 });

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ t: fc.constant('heartbeat' as const), bootId: text(64), queue: fc.maxSafeNat() }),
  fc.record({ t: fc.constant('failed' as const), requestId: text(64), attempt, reason: text(LIMITS.maxReasonLength), route: routeId, version }, { requiredKeys: ['t', 'requestId', 'attempt', 'reason'] }),
  fc.record({ t: fc.constant('act' as const), route: routeId, version, requestId: text(64), attempt, layer: fc.integer({ min: 0, max: LIMITS.maxLayers }), data: fc.uint8Array({ maxLength: 4096, size: 'max' }), trace }),
  fc.record({ t: fc.constant('ready' as const), route: routeId, version }),
  fc.record({ t: fc.constant('stream' as const), model: text(64), rate: fc.double({ min: 0, max: 1e6, noNaN: true }) }, { requiredKeys: ['t', 'model'] }),
  fc.record({ t: fc.constant('unrouted' as const), model: text(64), reason: text(LIMITS.maxReasonLength), waiting: fc.boolean() }),
  fc.record({
    t: fc.constant('result' as const), route: routeId, version, requestId: text(64), attempt, predicted: fc.integer({ min: 0, max: 1e6 }), logits: fc.uint8Array({ maxLength: 4096, size: 'max' }),
    trace, totalMs: ms, label: fc.integer({ min: 0, max: 1e6 }),
  }, { requiredKeys: ['t', 'route', 'version', 'requestId', 'attempt', 'predicted', 'logits', 'trace', 'totalMs'] }),
  fc.record({
    t: fc.constant('hello' as const), sign: key32, kex: key32, bootId: text(64),
    caps: fc.record({
      macsPerSecond: ms, measuredMacsPerSecond: ms, memoryBytes: ms, rateBitsPerSecond: ms,
      role: fc.constantFrom('worker' as const, 'source' as const), requestRate: fc.double({ min: 0, max: 1e6, noNaN: true }),
    }, { requiredKeys: ['macsPerSecond', 'measuredMacsPerSecond', 'memoryBytes', 'rateBitsPerSecond', 'role'] }),
  }),
);

const FIELDS = ['route', 'version', 'rerun', 'waiting', 'rate', 'requestId', 'attempt', 'model', 'assignment', 'peers', 'layers', 'start', 'layer', 'data', 'trace', 'predicted', 'logits', 'totalMs',
  'label', 'reason', 'bootId', 'queue', 'sign', 'kex', 'caps', 'index', 'device', 'ms', 'id', 'role'];
const TYPES = ['hello', 'heartbeat', 'stream', 'route', 'ready', 'unrouted', 'act', 'result', 'failed'];
const fieldKey = fc.oneof(fc.constantFrom(...FIELDS), hostileKey);
const hostileValue = hostileValueOf(fieldKey);
const typeName = fc.oneof(fc.constantFrom(...TYPES), fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 17 }));

/** A map with a type tag and fields of the schema's names (and others), holding anything. */
const wrongShape = fc.tuple(typeName, fc.dictionary(fieldKey, hostileValue, { maxKeys: 8 })).map(([t, rest]) => ({ ...rest, t }));

const HONEST: Message = { t: 'act', route: 'cam/lenet5/0a1b2c3d', version: 1, requestId: 'r1', attempt: 2, layer: 3, data: Uint8Array.of(1, 2, 3), trace: [{ device: 'cam', layers: [0, 1], ms: 0.5 }] };
const HONEST_BYTES = encodeMessage(HONEST);

/** A decoded message must be a plain map of a real type, read back the same when re-encoded. */
function assertMessage(m: unknown): void {
  if (typeof m !== 'object' || m === null || Object.getPrototypeOf(m) !== Object.prototype) throw new Error(`decoded to a non-map ${typeof m}`);
  const t = (m as { t?: unknown }).t;
  if (typeof t !== 'string' || t in Object.prototype) throw new Error(`decoded to a message of type ${String(t)}`);
  if (JSON.stringify(plain(decodeMessage(encodeMessage(m as Message)))) !== JSON.stringify(plain(m))) throw new Error('decoded message does not re-encode to itself');
}

/** The outcome of decoding: 'ok' or the MessageError; any other error fails the property. */
export function decodeOutcome(run: () => Message): 'ok' | MessageError {
  let m: Message;
  try {
    m = run();
  } catch (err) {
    if (err instanceof MessageError && err.message.length > 0 && err.field.length > 0) return err;
    throw new Error(`untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
  assertMessage(m);
  return 'ok';
}

/** After any input, the shared codec still reads an honest message exactly. */
function assertCodecIntact(): void {
  if (JSON.stringify(plain(decodeMessage(HONEST_BYTES))) !== JSON.stringify(plain(HONEST))) throw new Error('codec state changed by hostile input');
}

const DECODE_MESSAGE = 'decodeMessage';

export const junkBytesDecodeTyped = fuzzTarget({ decoder: DECODE_MESSAGE, claim: 'arbitrary bytes: a message or MessageError; codec intact', ci: { seed: 101, numRuns: 4000 } },
  () => fc.property(junkBytes, (bytes) => { decodeOutcome(() => decodeMessage(bytes)); assertCodecIntact(); }));

export const cborSoupDecodesTyped = fuzzTarget({ decoder: DECODE_MESSAGE, claim: 'CBOR-token soup: a message or MessageError; codec intact', ci: { seed: 102, numRuns: 5000 } },
  () => fc.property(cborSoup, (bytes) => { decodeOutcome(() => decodeMessage(bytes)); assertCodecIntact(); }));

export const wrongShapeDecodesTyped = fuzzTarget({ decoder: 'decodeMessage, parseMessage', claim: 'any type tag, field names, values: a message or MessageError', ci: { seed: 103, numRuns: 4000 } },
  () => fc.property(wrongShape, (value) => {
    decodeOutcome(() => decodeMessage(encodeCbor(value)));
    decodeOutcome(() => parseMessage(value));
  }));

export const hostileValueDecodesTyped = fuzzTarget({ decoder: DECODE_MESSAGE, claim: 'any CBOR value: a message or MessageError', ci: { seed: 104, numRuns: 2000 } },
  () => fc.property(hostileValue, (value) => { decodeOutcome(() => decodeMessage(encodeCbor(value))); }));

export const prototypeTypeTagIsUnknown = fuzzTarget({ decoder: DECODE_MESSAGE, claim: 'a type tag naming an Object.prototype member is unknown', ci: { seed: 105, numRuns: 500 } },
  () => fc.property(fc.constantFrom(...PROTO_NAMES), fc.dictionary(fieldKey, hostileLeaf, { maxKeys: 4 }), (name, rest) => {
    const out = decodeOutcome(() => decodeMessage(encodeCbor({ ...rest, t: name })));
    if (out === 'ok' || out.field !== 'message.t') throw new Error(`t=${name}: ${out === 'ok' ? 'accepted' : out.message}`);
  }));

export const oneFieldReplacedDecodesTyped = fuzzTarget({ decoder: DECODE_MESSAGE, claim: 'a valid message, one field replaced or removed: message or MessageError', ci: { seed: 106, numRuns: 3000 } },
  () => fc.property(message, fieldKey, fc.option(hostileValue), (m, key, value) => {
    // A computed key makes an own property even for "__proto__" (an assignment would set the prototype).
    const broken: Record<string, unknown> = value === null ? { ...m } : { ...m, [key]: value };
    if (value === null) delete broken[key];
    decodeOutcome(() => decodeMessage(encodeCbor(broken)));
  }));

export const mutatedMessagesDecodeTyped = fuzzTarget({ decoder: DECODE_MESSAGE, claim: 'byte mutations of valid messages: message or MessageError', ci: { seed: 107, numRuns: 3000 } },
  () => fc.property(message, mutations, (m, edits) => {
    decodeOutcome(() => decodeMessage(mutate(encodeMessage(m), edits)));
    assertCodecIntact();
  }));

export const validMessagesRoundTrip = fuzzTarget({ decoder: 'encodeMessage/decodeMessage', claim: 'generated valid messages round-trip unchanged', ci: { seed: 108, numRuns: 3000 } },
  () => fc.property(message, (m) => {
    const back = decodeMessage(encodeMessage(m));
    if (JSON.stringify(plain(back)) !== JSON.stringify(plain(m))) throw new Error(`round trip changed ${m.t}`);
  }));

/** Each limit: the field a MessageError must name, a message whose field has n entries or bytes, and the limit. */
export interface LimitCase { readonly field: string; readonly build: (n: number) => Record<string, unknown>; readonly limit: number }
const base = { requestId: 'r', attempt: 0 };
export const LIMIT_CASES: readonly LimitCase[] = [
  { field: 'act.data', build: (n) => ({ ...base, t: 'act', layer: 0, trace: [], data: new Uint8Array(n) }), limit: LIMITS.maxTensorBytes },
  { field: 'act.trace', build: (n) => ({ ...base, t: 'act', layer: 0, data: new Uint8Array(1), trace: Array.from({ length: n }, () => ({ device: 'd', layers: [], ms: 0 })) }), limit: LIMITS.maxRouteHops },
  { field: 'failed.reason', build: (n) => ({ ...base, t: 'failed', reason: 'x'.repeat(n) }), limit: LIMITS.maxReasonLength },
  { field: 'plan.layers', build: (n) => ({ ...base, t: 'plan', model: 'm', assignment: [], peers: [], layers: Array.from({ length: n }, () => ({ index: 0, layer: {} })) }), limit: LIMITS.maxLayers },
  { field: 'plan.assignment', build: (n) => ({ ...base, t: 'plan', model: 'm', peers: [], layers: [], assignment: Array.from({ length: n }, () => 'd') }), limit: LIMITS.maxLayers },
  { field: 'result.trace[0].layers', build: (n) => ({ ...base, t: 'result', predicted: 0, logits: new Uint8Array(0), totalMs: 0, trace: [{ device: 'd', ms: 0, layers: Array.from({ length: n }, () => 0) }] }), limit: LIMITS.maxLayers },
  { field: 'act.trace[0].claim', build: (n) => ({ ...base, t: 'act', layer: 0, data: new Uint8Array(1), trace: [{ device: 'd', ms: 0, layers: [], claim: new Uint8Array(n) }] }), limit: LIMITS.maxClaimBytes },
  { field: 'result.claim', build: (n) => ({ ...base, t: 'result', predicted: 0, logits: new Uint8Array(0), totalMs: 0, trace: [], claim: new Uint8Array(n) }), limit: LIMITS.maxClaimBytes },
];

/** The cases run per field, for the ava test's count. */
export const justAboveEachLimitRefused: FuzzTarget<Map<string, number>> = {
  decoder: DECODE_MESSAGE, claim: 'just above each limit: a MessageError naming the field', ci: { seed: 109, numRuns: 1420 },
  arm() {
    const runs = new Map<string, number>();
    // A tensor at its limit is megabytes to encode: act.data gets a tenth of the other fields' share.
    const limitCase = fc.oneof(...LIMIT_CASES.map((c) => ({ arbitrary: fc.constant(c), weight: c.field === 'act.data' ? 1 : 10 })));
    return {
      tally: runs,
      property: fc.property(limitCase, fc.integer({ min: 1, max: 64 }), ({ field, build, limit }, over) => {
        runs.set(field, (runs.get(field) ?? 0) + 1);
        const out = decodeOutcome(() => decodeMessage(encodeCbor(build(limit + over))));
        if (out === 'ok' || out.field !== field) throw new Error(`${field} at ${limit}+${over}: ${out === 'ok' ? 'accepted' : out.message}`);
      }),
    };
  },
};

export const decodeCborErrorsNameInput = fuzzTarget({ decoder: 'decodeCbor', claim: 'malformed input: an Error that names the input', ci: { seed: 110, numRuns: 3000 } },
  () => fc.property(fc.oneof(junkBytes, cborSoup), (bytes) => {
    try {
      decodeCbor(bytes, 'probe');
    } catch (err) {
      if (!(err instanceof Error) || err.constructor !== Error || !err.message.startsWith('probe: ')) throw new Error(`decodeCbor threw ${String(err)}`);
    }
  }));
