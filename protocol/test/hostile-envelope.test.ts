// Hostile input for the envelope (open: COSE_Encrypt → COSE_Sign1 → signed content) and the
// SecureEndpoint in front of it. Beyond envelope-fuzz.test.ts (random bytes, single flips,
// truncations): structured COSE of the wrong shape, hostile inner layers behind valid encryption
// and valid signatures, multi-edit mutations, and the size check coming before any crypto.
import test from 'ava';
import fc from 'fast-check';
import { encodeCbor, tagged } from '../src/cbor.js';
import { CONTENT_PROTECTED, RECIPIENT_PROTECTED, encryptToRecipient } from '../src/cose-encrypt.js';
import { coseKeyToMap } from '../src/cose-key.js';
import { sign1Protected, signSign1 } from '../src/cose-sign1.js';
import { nativeCrypto } from '../src/crypto-native.js';
import type { CryptoSuite } from '../src/crypto-suite.js';
import { EnvelopeError, MAX_ENVELOPE_BYTES, open, seal, type EnvelopeRejection, type Opened, type OpenOptions } from '../src/envelope.js';
import { generateDeviceKeys, publicKeysOf } from '../src/keys.js';
import { encodeMessage } from '../src/messages.js';
import { Rejected, SecureEndpoint } from '../src/secure-endpoint.js';
import { topics } from '../src/topics.js';
import { cborSoup, hostileKey, hostileLeaf, hostileValueOf, junkBytes, mutate, mutations, PROTO_NAMES, sameBytes } from './hostile-arbitraries.js';

const alice = generateDeviceKeys('alice');
const bob = generateDeviceKeys('bob');
const TOPIC = topics.deviceInbox('bob');
const REASONS = new Set<EnvelopeRejection>(['oversize', 'malformed', 'wrong-recipient', 'decrypt-failed', 'malformed-inner', 'unknown-sender',
  'bad-signature', 'recipient-mismatch', 'topic-mismatch', 'replay', 'stale', 'future']);
const OPTS: OpenOptions = { recipient: bob, topic: TOPIC, senderKey: (id) => (id === 'alice' ? alice.signPublic : undefined) };
const utf8 = (s: string) => new TextEncoder().encode(s);
let seq = 1;
const sealToBob = (payload: Uint8Array) => seal({ sender: alice, recipient: bob, topic: TOPIC, seq: seq++, ts: Date.now(), payload });

/** What open returned, or its EnvelopeError; any other error fails the property. */
function outcome(bytes: Uint8Array, o: OpenOptions = OPTS): Opened | EnvelopeError {
  try {
    return open(bytes, o);
  } catch (err) {
    if (err instanceof EnvelopeError && REASONS.has(err.reason) && err.message.length > err.reason.length + 2) return err;
    throw new Error(`open threw untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}
const mustRefuse = (bytes: Uint8Array): EnvelopeError => {
  const r = outcome(bytes);
  if (!(r instanceof EnvelopeError)) throw new Error('hostile bytes opened as a message');
  return r;
};

const hostile = hostileValueOf(hostileKey, 2);
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const headerMap = fc.array(fc.tuple(fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 6, -1, -2, 33), hostileLeaf), hostile), { maxLength: 4 }).map((e) => new Map(e));
/** u-coordinates: random, small-order (0, 1, the order-8 points), non-canonical (≥ p) and the top bit set. */
const x25519Point = fc.oneof(key32, fc.constantFrom(
  '0000000000000000000000000000000000000000000000000000000000000000', '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
).map((h) => Uint8Array.from(Buffer.from(h, 'hex'))));
/** Mostly the right part, sometimes anything: so that every check, not only the first, meets wrong input. */
const rightOr = <T>(right: fc.Arbitrary<T>, ...wrong: fc.Arbitrary<unknown>[]) => fc.oneof({ arbitrary: right, weight: 6 }, ...wrong.map((w) => ({ arbitrary: w, weight: 1 })));
const ephemeralKey = rightOr(x25519Point.map((x) => coseKeyToMap({ crv: 'X25519', x })), headerMap, hostile);
const recipient = fc.tuple(
  rightOr(fc.constant(RECIPIENT_PROTECTED), fc.constant(new Uint8Array(0)), headerMap.map((m) => encodeCbor(m)), hostile),
  rightOr(fc.tuple(ephemeralKey, rightOr(fc.constantFrom(utf8('bob'), utf8('alice')), hostile)).map(([k, kid]) => new Map<number, unknown>([[-1, k], [4, kid]])), headerMap, hostile),
  rightOr(fc.constantFrom(new Uint8Array(0), null), hostile),
);
/** COSE_Encrypt whose every part is either right or anything. */
const coseEncrypt = fc.tuple(
  rightOr(fc.constant(CONTENT_PROTECTED), headerMap.map((m) => encodeCbor(m)), hostile),
  rightOr(fc.uint8Array({ minLength: 12, maxLength: 12 }).map((iv) => new Map([[5, iv]])), headerMap, hostile),
  rightOr(fc.uint8Array({ minLength: 16, maxLength: 200 }), hostile),
  rightOr(recipient.map((r) => [r]), fc.array(recipient, { maxLength: 3 }), hostile),
).map((parts) => tagged(96, encodeCbor(parts)));

const validContent = () => new Map<unknown, unknown>([[1, 'bob'], [2, TOPIC], [3, 5], [4, Date.now()], [5, Uint8Array.of(1, 2)]]);
const contentValue = fc.oneof(fc.constantFrom('bob', 'alice', TOPIC, 0, -1, 1.5, 2 ** 53), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), fc.uint8Array({ maxLength: 32 }), hostile);
/** Signed-content maps: a valid one with one entry changed, or any entries under keys 0..6 and others. */
const content = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 6 }), contentValue).map(([k, v]) => validContent().set(k, v)),
  fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 6 }), hostileLeaf), contentValue), { maxLength: 7 }).map((e) => new Map(e)),
);
/** COSE_Sign1 whose every part is either right or anything (then encrypted to bob, validly). */
const sign1 = fc.tuple(
  rightOr(fc.constantFrom('alice', 'mallory').map((kid) => sign1Protected(kid)), headerMap.map((m) => encodeCbor(m)), hostile),
  rightOr(fc.constant(new Map()), headerMap, hostile),
  rightOr(content.map((c) => encodeCbor(c)), hostile),
  rightOr(fc.uint8Array({ minLength: 64, maxLength: 64 }), hostile),
).map((parts) => tagged(18, encodeCbor(parts)));

test('arbitrary bytes, CBOR-token soup, and soup behind tag 96 never open, and throw only EnvelopeError', (t) => {
  fc.assert(fc.property(junkBytes, (b) => { mustRefuse(b); }), { seed: 201, numRuns: 3000 });
  fc.assert(fc.property(cborSoup, (b) => { mustRefuse(b); }), { seed: 202, numRuns: 3000 });
  fc.assert(fc.property(cborSoup, (b) => { mustRefuse(tagged(96, b)); }), { seed: 203, numRuns: 3000 });
  t.pass();
});

test('a COSE_Encrypt with any part wrong — headers, IV, recipients, ephemeral key, kid — is refused with EnvelopeError', (t) => {
  const reasons = new Set<string>();
  fc.assert(fc.property(coseEncrypt, (b) => { reasons.add(mustRefuse(b).reason); }), { seed: 204, numRuns: 2500 });
  t.true(reasons.has('malformed') && reasons.has('decrypt-failed') && reasons.has('wrong-recipient'), [...reasons].join());
});

test('behind valid encryption, any plaintext or hostile COSE_Sign1 is refused with EnvelopeError', (t) => {
  const plaintext = fc.oneof(fc.uint8Array({ maxLength: 512, size: 'max' }), cborSoup, cborSoup.map((b) => tagged(18, b)), sign1);
  const reasons = new Set<string>();
  fc.assert(fc.property(plaintext, (pt) => { reasons.add(mustRefuse(encryptToRecipient(pt, bob, nativeCrypto)).reason); }), { seed: 205, numRuns: 1500 });
  t.true(reasons.has('malformed-inner') && reasons.has('bad-signature') && reasons.has('unknown-sender'), [...reasons].join());
});

test('validly signed hostile content either opens as exactly what was signed or is refused with EnvelopeError', (t) => {
  let opened = 0;
  fc.assert(fc.property(content, (c) => {
    const r = outcome(encryptToRecipient(signSign1('alice', encodeCbor(c), alice.signSeed, nativeCrypto), bob, nativeCrypto));
    if (r instanceof EnvelopeError) return;
    opened++;
    const body = c.get(5) as Uint8Array;
    if (r.sender !== 'alice' || r.recipient !== 'bob' || r.topic !== TOPIC || r.seq !== Number(c.get(3)) || r.ts !== Number(c.get(4)) || !sameBytes(r.payload, body)) {
      throw new Error('opened content differs from the signed content');
    }
  }), { seed: 206, numRuns: 1500 });
  t.true(opened > 0);
});

test('mutations of a valid envelope never open as a different message', (t) => {
  let refused = 0;
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512, size: 'max' }), mutations, (payload, edits) => {
    const env = sealToBob(payload);
    const bad = mutate(env, edits);
    fc.pre(!sameBytes(bad, env));
    const r = outcome(bad);
    if (r instanceof EnvelopeError) { refused++; return; }
    if (r.sender !== 'alice' || r.topic !== TOPIC || r.seq !== seq - 1 || !sameBytes(r.payload, payload)) throw new Error('a mutated envelope opened as a different message');
  }), { seed: 207, numRuns: 1500 });
  t.true(refused > 1400, `${refused} refused`);
});

test('SecureEndpoint.open throws only Rejected: for junk, mutated envelopes, and hostile payloads from a known peer', (t) => {
  const endpoint = new SecureEndpoint(bob);
  endpoint.addPeer(publicKeysOf(alice));
  const outcomeAt = (bytes: Uint8Array, selfCertified: boolean): string => {
    try {
      endpoint.open(TOPIC, bytes, selfCertified);
      return 'received';
    } catch (err) {
      if (err instanceof Rejected && err.reason.length > 0 && err.message.length > 0) return err.reason;
      throw new Error(`SecureEndpoint.open threw untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
    }
  };
  fc.assert(fc.property(fc.oneof(junkBytes, cborSoup), fc.boolean(), (b, self) => { if (outcomeAt(b, self) === 'received') throw new Error('junk received'); }), { seed: 208, numRuns: 1000 });
  const hello = encodeMessage({ t: 'hello', sign: alice.signPublic, kex: alice.kexPublic, bootId: 'b', caps: { macsPerSecond: 1, measuredMacsPerSecond: 1, memoryBytes: 1, rateBitsPerSecond: 1, role: 'worker' } });
  fc.assert(fc.property(mutations, fc.boolean(), (edits, self) => {
    const env = sealToBob(hello);
    const bad = mutate(env, edits);
    fc.pre(!sameBytes(bad, env));
    outcomeAt(bad, self);
  }), { seed: 209, numRuns: 1000 });
  // A known peer (authenticated, so every check up to decodeMessage passes) sending anything at all.
  const typeName = fc.oneof(fc.constantFrom('hello', 'act', 'plan', 'failed', ...PROTO_NAMES), fc.string({ maxLength: 16 }));
  const payload = fc.oneof(junkBytes, cborSoup, fc.tuple(typeName, fc.dictionary(hostileKey, hostile, { maxKeys: 6 })).map(([ty, rest]) => encodeCbor({ ...rest, t: ty })));
  const seen = new Set<string>();
  fc.assert(fc.property(payload, (p) => { seen.add(outcomeAt(sealToBob(p), false)); }), { seed: 210, numRuns: 1500 });
  t.true(seen.has('bad-message') && [...seen].every((r) => r === 'bad-message' || r === 'received'), [...seen].join());
  t.is(endpoint.open(TOPIC, sealToBob(hello)).message.t, 'hello');
});

test('oversize input is refused as oversize before any decoding or crypto, at any limit', (t) => {
  let cryptoCalls = 0;
  let senderKeyCalls = 0;
  const spy = new Proxy(nativeCrypto, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (...args: unknown[]) => { cryptoCalls++; return (v as (...a: unknown[]) => unknown).apply(target, args); } : v;
    },
  }) as CryptoSuite;
  const o: OpenOptions = { ...OPTS, suite: spy, senderKey: (id) => { senderKeyCalls++; return OPTS.senderKey(id, new Uint8Array(0)); } };
  const valid = sealToBob(new Uint8Array(3000));
  fc.assert(fc.property(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 1, max: 64 }), (maxBytes, over) => {
    const n = maxBytes + over;
    const bytes = n <= valid.length ? valid.subarray(0, n) : Uint8Array.from([...valid, ...new Uint8Array(n - valid.length)]);
    const r = outcome(bytes, { ...o, maxBytes });
    if (!(r instanceof EnvelopeError) || r.reason !== 'oversize' || !r.message.includes(`${n} bytes, limit ${maxBytes}`)) throw new Error(`${n} > ${maxBytes}: ${String(r)}`);
  }), { seed: 211, numRuns: 2000 });
  // A whole, valid envelope one byte over the limit is still only "oversize".
  const r = outcome(valid, { ...o, maxBytes: valid.length - 1 });
  t.is(r instanceof EnvelopeError && r.reason, 'oversize');
  t.is(cryptoCalls, 0);
  t.is(senderKeyCalls, 0);
  fc.assert(fc.property(fc.integer({ min: 1, max: 1024 }), (over) => {
    const r2 = outcome(new Uint8Array(MAX_ENVELOPE_BYTES + over), { ...o });
    if (!(r2 instanceof EnvelopeError) || r2.reason !== 'oversize') throw new Error(`MAX_ENVELOPE_BYTES + ${over}: ${String(r2)}`);
  }), { seed: 212, numRuns: 5 });
  t.is(cryptoCalls, 0);
  const endpoint = new SecureEndpoint(bob, { maxBytes: 1000 });
  endpoint.addPeer(publicKeysOf(alice));
  const e = t.throws(() => endpoint.open(TOPIC, sealToBob(new Uint8Array(1000))), { instanceOf: Rejected });
  t.is(e?.reason, 'oversize');
});
