// Hostile input for the application-message decoder (decodeMessage / parseMessage) and the
// protocol's CBOR wrapper: whatever arrives, a Message or a MessageError — never another error,
// never a value that is not a message, and never a decoder left in a state that misreads the next
// honest message.
import test from 'ava';
import fc from 'fast-check';
import { decodeCbor, encodeCbor } from '../src/cbor.js';
import { decodeMessage, encodeMessage, LIMITS, MessageError, parseMessage, type HopTiming, type Message } from '../src/messages.js';
import { cborSoup, hostileKey, hostileLeaf, hostileValueOf, junkBytes, mutate, mutations, plain, PROTO_NAMES } from './hostile-arbitraries.js';

const deviceId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
/** Text of at most `max` UTF-16 units (a code point takes at most two). */
const text = (max: number) => fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: Math.floor(max / 2), size: 'max' }));
const attempt = fc.integer({ min: 0, max: 1000 });
const ms = fc.double({ min: 0, max: 1e12, noNaN: true });
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const trace: fc.Arbitrary<HopTiming[]> = fc.array(fc.record({
  device: deviceId, layers: fc.array(fc.integer({ min: 0, max: LIMITS.maxLayers }), { maxLength: 8 }), ms,
}), { maxLength: 8 });

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ t: fc.constant('heartbeat' as const), bootId: text(64), queue: fc.maxSafeNat() }),
  fc.record({ t: fc.constant('failed' as const), requestId: text(64), attempt, reason: text(LIMITS.maxReasonLength) }),
  fc.record({ t: fc.constant('act' as const), requestId: text(64), attempt, layer: fc.integer({ min: 0, max: LIMITS.maxLayers }), data: fc.uint8Array({ maxLength: 4096, size: 'max' }), trace }),
  fc.record({ t: fc.constant('ready' as const), requestId: text(64), attempt }),
  fc.record({ t: fc.constant('infer' as const), requestId: text(64), model: text(64), label: fc.integer({ min: 0, max: 1e6 }) }, { requiredKeys: ['t', 'requestId', 'model'] }),
  fc.record({
    t: fc.constant('result' as const), requestId: text(64), attempt, predicted: fc.integer({ min: 0, max: 1e6 }), logits: fc.uint8Array({ maxLength: 4096, size: 'max' }),
    trace, totalMs: ms, label: fc.integer({ min: 0, max: 1e6 }),
  }, { requiredKeys: ['t', 'requestId', 'attempt', 'predicted', 'logits', 'trace', 'totalMs'] }),
  fc.record({
    t: fc.constant('hello' as const), sign: key32, kex: key32, bootId: text(64),
    caps: fc.record({
      macsPerSecond: ms, measuredMacsPerSecond: ms, memoryBytes: ms, rateBitsPerSecond: ms,
      role: fc.constantFrom('worker' as const, 'source' as const), requestRate: fc.double({ min: 0, max: 1e6, noNaN: true }),
    }, { requiredKeys: ['macsPerSecond', 'measuredMacsPerSecond', 'memoryBytes', 'rateBitsPerSecond', 'role'] }),
  }),
);

const FIELDS = ['requestId', 'attempt', 'model', 'assignment', 'peers', 'layers', 'start', 'layer', 'data', 'trace', 'predicted', 'logits', 'totalMs',
  'label', 'reason', 'bootId', 'queue', 'sign', 'kex', 'caps', 'index', 'device', 'ms', 'id', 'role'];
const TYPES = ['hello', 'heartbeat', 'infer', 'plan', 'ready', 'act', 'result', 'failed'];
const fieldKey = fc.oneof(fc.constantFrom(...FIELDS), hostileKey);
const hostileValue = hostileValueOf(fieldKey);
const typeName = fc.oneof(fc.constantFrom(...TYPES), fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 17 }));

/** A map with a type tag and fields of the schema's names (and others), holding anything. */
const wrongShape = fc.tuple(typeName, fc.dictionary(fieldKey, hostileValue, { maxKeys: 8 })).map(([t, rest]) => ({ ...rest, t }));

const HONEST: Message = { t: 'act', requestId: 'r1', attempt: 2, layer: 3, data: Uint8Array.of(1, 2, 3), trace: [{ device: 'cam', layers: [0, 1], ms: 0.5 }] };
const HONEST_BYTES = encodeMessage(HONEST);

/** A decoded message must be a plain map of a real type, read back the same when re-encoded. */
function assertMessage(m: unknown): void {
  if (typeof m !== 'object' || m === null || Object.getPrototypeOf(m) !== Object.prototype) throw new Error(`decoded to a non-map ${typeof m}`);
  const t = (m as { t?: unknown }).t;
  if (typeof t !== 'string' || t in Object.prototype) throw new Error(`decoded to a message of type ${String(t)}`);
  if (JSON.stringify(plain(decodeMessage(encodeMessage(m as Message)))) !== JSON.stringify(plain(m))) throw new Error('decoded message does not re-encode to itself');
}

/** The outcome of decoding: 'ok' or the MessageError; any other error fails the property. */
function decodeOutcome(run: () => Message): 'ok' | MessageError {
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

test('arbitrary bytes and CBOR-token soup decode to a message or a MessageError', (t) => {
  fc.assert(fc.property(junkBytes, (bytes) => { decodeOutcome(() => decodeMessage(bytes)); assertCodecIntact(); }), { seed: 101, numRuns: 4000 });
  fc.assert(fc.property(cborSoup, (bytes) => { decodeOutcome(() => decodeMessage(bytes)); assertCodecIntact(); }), { seed: 102, numRuns: 5000 });
  t.pass();
});

test('valid CBOR of the wrong shape — any type tag, any field names, any values — is a message or a MessageError', (t) => {
  fc.assert(fc.property(wrongShape, (value) => {
    decodeOutcome(() => decodeMessage(encodeCbor(value)));
    decodeOutcome(() => parseMessage(value));
  }), { seed: 103, numRuns: 4000 });
  fc.assert(fc.property(hostileValue, (value) => { decodeOutcome(() => decodeMessage(encodeCbor(value))); }), { seed: 104, numRuns: 2000 });
  t.pass();
});

test('a type tag naming an Object.prototype member is an unknown type, not a parser', (t) => {
  fc.assert(fc.property(fc.constantFrom(...PROTO_NAMES), fc.dictionary(fieldKey, hostileLeaf, { maxKeys: 4 }), (name, rest) => {
    const out = decodeOutcome(() => decodeMessage(encodeCbor({ ...rest, t: name })));
    if (out === 'ok' || out.field !== 'message.t') throw new Error(`t=${name}: ${out === 'ok' ? 'accepted' : out.message}`);
  }), { seed: 105, numRuns: 500 });
  t.pass();
});

test('a valid message with one field replaced by anything, or removed, is a message or a MessageError', (t) => {
  fc.assert(fc.property(message, fieldKey, fc.option(hostileValue), (m, key, value) => {
    // A computed key makes an own property even for "__proto__" (an assignment would set the prototype).
    const broken: Record<string, unknown> = value === null ? { ...m } : { ...m, [key]: value };
    if (value === null) delete broken[key];
    decodeOutcome(() => decodeMessage(encodeCbor(broken)));
  }), { seed: 106, numRuns: 3000 });
  t.pass();
});

test('byte-level mutations of valid messages decode to a message or a MessageError', (t) => {
  fc.assert(fc.property(message, mutations, (m, edits) => {
    decodeOutcome(() => decodeMessage(mutate(encodeMessage(m), edits)));
    assertCodecIntact();
  }), { seed: 107, numRuns: 3000 });
  t.pass();
});

test('generated valid messages survive encodeMessage/decodeMessage unchanged', (t) => {
  fc.assert(fc.property(message, (m) => {
    const back = decodeMessage(encodeMessage(m));
    if (JSON.stringify(plain(back)) !== JSON.stringify(plain(m))) throw new Error(`round trip changed ${m.t}`);
  }), { seed: 108, numRuns: 3000 });
  t.pass();
});

test('just above each limit is a MessageError naming the field; at the limit is accepted', (t) => {
  const base = { requestId: 'r', attempt: 0 };
  const cases: Array<[string, (n: number) => Record<string, unknown>, number]> = [
    ['act.data', (n) => ({ ...base, t: 'act', layer: 0, trace: [], data: new Uint8Array(n) }), LIMITS.maxTensorBytes],
    ['act.trace', (n) => ({ ...base, t: 'act', layer: 0, data: new Uint8Array(1), trace: Array.from({ length: n }, () => ({ device: 'd', layers: [], ms: 0 })) }), LIMITS.maxRouteHops],
    ['failed.reason', (n) => ({ ...base, t: 'failed', reason: 'x'.repeat(n) }), LIMITS.maxReasonLength],
    ['plan.layers', (n) => ({ ...base, t: 'plan', model: 'm', assignment: [], peers: [], layers: Array.from({ length: n }, () => ({ index: 0, layer: {} })) }), LIMITS.maxLayers],
    ['plan.assignment', (n) => ({ ...base, t: 'plan', model: 'm', peers: [], layers: [], assignment: Array.from({ length: n }, () => 'd') }), LIMITS.maxLayers],
    ['result.trace[0].layers', (n) => ({ ...base, t: 'result', predicted: 0, logits: new Uint8Array(0), totalMs: 0, trace: [{ device: 'd', ms: 0, layers: Array.from({ length: n }, () => 0) }] }), LIMITS.maxLayers],
    ['act.trace[0].claim', (n) => ({ ...base, t: 'act', layer: 0, data: new Uint8Array(1), trace: [{ device: 'd', ms: 0, layers: [], claim: new Uint8Array(n) }] }), LIMITS.maxClaimBytes],
    ['result.claim', (n) => ({ ...base, t: 'result', predicted: 0, logits: new Uint8Array(0), totalMs: 0, trace: [], claim: new Uint8Array(n) }), LIMITS.maxClaimBytes],
  ];
  let runs = 0;
  for (const [field, build, limit] of cases) {
    t.is(decodeOutcome(() => decodeMessage(encodeCbor(build(limit)))), 'ok', `${field} at its limit`);
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), (over) => {
      runs++;
      const out = decodeOutcome(() => decodeMessage(encodeCbor(build(limit + over))));
      if (out === 'ok' || out.field !== field) throw new Error(`${field} at ${limit}+${over}: ${out === 'ok' ? 'accepted' : out.message}`);
    }), { seed: 109, numRuns: field === 'act.data' ? 20 : 200 });
  }
  t.is(runs, 1420);
});

test('decodeCbor turns every malformed input into an Error that names the input', (t) => {
  fc.assert(fc.property(fc.oneof(junkBytes, cborSoup), (bytes) => {
    try {
      decodeCbor(bytes, 'probe');
    } catch (err) {
      if (!(err instanceof Error) || err.constructor !== Error || !err.message.startsWith('probe: ')) throw new Error(`decodeCbor threw ${String(err)}`);
    }
  }), { seed: 110, numRuns: 3000 });
  t.pass();
});
