// Hostile input for the envelope (open: COSE_Encrypt → COSE_Sign1 → signed content) and the
// SecureEndpoint in front of it, as fuzz targets (run by hostile-envelope.test.ts with CI's budget
// and by `npm run fuzz` with any): structured COSE of the wrong shape, hostile inner layers behind
// valid encryption and valid signatures, multi-edit mutations, and the size check coming before
// any crypto. (envelope-fuzz.properties.ts has random bytes behind a valid prefix.)
import fc from 'fast-check';
import { fuzzTarget, type FuzzFixture, type FuzzTarget } from '@layerfleet/test-support';
import { encodeCbor, tagged } from '../src/cbor.js';
import { CONTENT_PROTECTED, RECIPIENT_PROTECTED, RECIPIENT_PROTECTED_SS, encryptStaticToRecipient, encryptToRecipient } from '../src/cose-encrypt.js';
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

export const alice = generateDeviceKeys('alice');
export const bob = generateDeviceKeys('bob');
export const TOPIC = topics.deviceInbox('bob');
const REASONS = new Set<EnvelopeRejection>(['oversize', 'malformed', 'wrong-recipient', 'decrypt-failed', 'malformed-inner', 'unknown-sender',
  'bad-signature', 'recipient-mismatch', 'topic-mismatch', 'replay', 'stale', 'future', 'static-key-mismatch']);
export const OPTS: OpenOptions = {
  recipient: bob, topic: TOPIC,
  senderKey: (id) => (id === 'alice' ? alice.signPublic : undefined),
  senderKexKey: (id) => (id === 'alice' ? alice.kexPublic : undefined),
};
const utf8 = (s: string) => new TextEncoder().encode(s);
let seq = 1;
export const sealToBob = (payload: Uint8Array) => seal({ sender: alice, recipient: bob, topic: TOPIC, seq: seq++, ts: Date.now(), payload });
/** The same with ECDH-SS (-27) from alice's static key. */
export const sealToBobSs = (payload: Uint8Array) => seal({ sender: alice, recipient: bob, topic: TOPIC, seq: seq++, ts: Date.now(), payload, keyAgreement: 'ecdh-ss' });
const ALICE_BOB_SECRET = nativeCrypto.x25519(alice.kexPrivate, bob.kexPublic);
const MALLORY = generateDeviceKeys('mallory');
export const HELLO = encodeMessage({ t: 'hello', sign: alice.signPublic, kex: alice.kexPublic, bootId: 'b', caps: { macsPerSecond: 1, measuredMacsPerSecond: 1, memoryBytes: 1, rateBitsPerSecond: 1, role: 'worker' } });

/** What open returned, or its EnvelopeError; any other error fails the property. */
export function outcome(bytes: Uint8Array, o: OpenOptions = OPTS): Opened | EnvelopeError {
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
/** ECDH-SS recipients: static key, kid and PartyU nonce each right or anything, sometimes with a label SS does not use. */
const ssLabels = fc.tuple(
  rightOr(fc.oneof(fc.constantFrom(alice.kexPublic, bob.kexPublic), x25519Point).map((x) => coseKeyToMap({ crv: 'X25519', x })), headerMap, hostile),
  rightOr(fc.constantFrom(utf8('bob'), utf8('alice')), hostile),
  rightOr(fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.uint8Array({ maxLength: 80 }), fc.integer(), hostile),
  fc.option(fc.tuple(fc.constantFrom(-1, -3, -20, -21, -23, -24, -25, -26, 33), fc.oneof(x25519Point, hostile)), { freq: 4 }),
).map(([key, kid, nonce, extra]) => {
  const m = new Map<number, unknown>([[-2, key], [4, kid], [-22, nonce]]);
  if (extra) m.set(extra[0], extra[1]);
  return m;
});
const ssRecipient = fc.tuple(
  rightOr(fc.constant(RECIPIENT_PROTECTED_SS), fc.constant(RECIPIENT_PROTECTED), headerMap.map((m) => encodeCbor(m)), hostile),
  rightOr(ssLabels, headerMap, hostile),
  rightOr(fc.constantFrom(new Uint8Array(0), null), hostile),
);
const coseEncryptOf = (rec: fc.Arbitrary<unknown[]>) => fc.tuple(
  rightOr(fc.constant(CONTENT_PROTECTED), headerMap.map((m) => encodeCbor(m)), hostile),
  rightOr(fc.uint8Array({ minLength: 12, maxLength: 12 }).map((iv) => new Map([[5, iv]])), headerMap, hostile),
  rightOr(fc.uint8Array({ minLength: 16, maxLength: 200 }), hostile),
  rightOr(rec.map((r) => [r]), fc.array(rec, { maxLength: 3 }), hostile),
).map((parts) => tagged(96, encodeCbor(parts)));
/** COSE_Encrypt whose every part is either right or anything. */
const coseEncrypt = coseEncryptOf(recipient);
/** The same with an ECDH-SS recipient. */
const coseEncryptSs = coseEncryptOf(ssRecipient);

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

const ENVELOPE = 'open (envelope)';

export const junkBytesNeverOpen = fuzzTarget({ decoder: ENVELOPE, claim: 'arbitrary bytes never open; only EnvelopeError', ci: { seed: 201, numRuns: 3000 } },
  () => fc.property(junkBytes, (b) => { mustRefuse(b); }));

export const cborSoupNeverOpens = fuzzTarget({ decoder: ENVELOPE, claim: 'CBOR-token soup never opens; only EnvelopeError', ci: { seed: 202, numRuns: 3000 } },
  () => fc.property(cborSoup, (b) => { mustRefuse(b); }));

export const soupBehindTag96NeverOpens = fuzzTarget({ decoder: ENVELOPE, claim: 'soup behind tag 96 never opens; only EnvelopeError', ci: { seed: 203, numRuns: 3000 } },
  () => fc.property(cborSoup, (b) => { mustRefuse(tagged(96, b)); }));

/** The rejection reasons seen, so that the ava test can tell the cases reached past the first check. */
export const coseEncryptWrongPartRefused: FuzzTarget<Set<string>> = {
  decoder: ENVELOPE, claim: 'COSE_Encrypt with any part wrong: EnvelopeError', ci: { seed: 204, numRuns: 2500 },
  arm() {
    const reasons = new Set<string>();
    return { tally: reasons, property: fc.property(coseEncrypt, (b) => { reasons.add(mustRefuse(b).reason); }) };
  },
};

export const coseEncryptSsWrongPartRefused: FuzzTarget<Set<string>> = {
  decoder: ENVELOPE, claim: 'COSE_Encrypt with an ECDH-SS recipient and any part wrong: EnvelopeError', ci: { seed: 217, numRuns: 2500 },
  arm() {
    const reasons = new Set<string>();
    return { tally: reasons, property: fc.property(coseEncryptSs, (b) => { reasons.add(mustRefuse(b).reason); }) };
  },
};

/**
 * Behind valid ECDH-SS encryption — from alice's static key, or from a static key bob does not
 * know for anyone — any plaintext or COSE_Sign1 (signed as alice or mallory) is refused.
 */
export const hostileInnerBehindValidSsEncryptionRefused: FuzzTarget<Set<string>> = {
  decoder: ENVELOPE, claim: 'any plaintext or COSE_Sign1 behind valid ECDH-SS encryption: EnvelopeError', ci: { seed: 218, numRuns: 1500 },
  arm() {
    const plaintext = fc.oneof(fc.uint8Array({ maxLength: 512, size: 'max' }), cborSoup, cborSoup.map((b) => tagged(18, b)), sign1);
    const senderId = fc.constantFrom('alice', 'alice', 'mallory');
    const reasons = new Set<string>();
    return {
      tally: reasons,
      property: fc.property(plaintext, senderId, (pt, senderId) => {
        const senderStatic = senderId === 'alice' ? alice.kexPublic : MALLORY.kexPublic;
        const sharedSecret = senderId === 'alice' ? ALICE_BOB_SECRET : nativeCrypto.x25519(MALLORY.kexPrivate, bob.kexPublic);
        reasons.add(mustRefuse(encryptStaticToRecipient(pt, { senderStatic, recipientId: 'bob', sharedSecret }, nativeCrypto)).reason);
      }),
    };
  },
};

export const hostileInnerBehindValidEncryptionRefused: FuzzTarget<Set<string>> = {
  decoder: ENVELOPE, claim: 'any plaintext or COSE_Sign1 behind valid encryption: EnvelopeError', ci: { seed: 205, numRuns: 1500 },
  arm() {
    const plaintext = fc.oneof(fc.uint8Array({ maxLength: 512, size: 'max' }), cborSoup, cborSoup.map((b) => tagged(18, b)), sign1);
    const reasons = new Set<string>();
    return { tally: reasons, property: fc.property(plaintext, (pt) => { reasons.add(mustRefuse(encryptToRecipient(pt, bob, nativeCrypto)).reason); }) };
  },
};

export const signedHostileContentOpensAsSigned: FuzzTarget<{ opened: number }> = {
  decoder: ENVELOPE, claim: 'validly signed hostile content: opens as signed or EnvelopeError', ci: { seed: 206, numRuns: 1500 },
  arm() {
    const tally = { opened: 0 };
    return {
      tally,
      property: fc.property(content, (c) => {
        const r = outcome(encryptToRecipient(signSign1('alice', encodeCbor(c), alice.signSeed, nativeCrypto), bob, nativeCrypto));
        if (r instanceof EnvelopeError) return;
        tally.opened++;
        const body = c.get(5) as Uint8Array;
        if (r.sender !== 'alice' || r.recipient !== 'bob' || r.topic !== TOPIC || r.seq !== Number(c.get(3)) || r.ts !== Number(c.get(4)) || !sameBytes(r.payload, body)) {
          throw new Error('opened content differs from the signed content');
        }
      }),
    };
  },
};

export const mutatedEnvelopeNeverOpensAsAnother: FuzzTarget<{ refused: number }> = {
  decoder: ENVELOPE, claim: 'mutated envelope never opens as a different message', ci: { seed: 207, numRuns: 1500 },
  arm() {
    const tally = { refused: 0 };
    return {
      tally,
      property: fc.property(fc.uint8Array({ maxLength: 512, size: 'max' }), mutations, (payload, edits) => {
        const env = sealToBob(payload);
        const bad = mutate(env, edits);
        fc.pre(!sameBytes(bad, env));
        const r = outcome(bad);
        if (r instanceof EnvelopeError) { tally.refused++; return; }
        if (r.sender !== 'alice' || r.topic !== TOPIC || r.seq !== seq - 1 || !sameBytes(r.payload, payload)) throw new Error('a mutated envelope opened as a different message');
      }),
    };
  },
};

export const mutatedSsEnvelopeNeverOpensAsAnother: FuzzTarget<{ refused: number }> = {
  decoder: ENVELOPE, claim: 'mutated ECDH-SS envelope never opens as a different message', ci: { seed: 219, numRuns: 1500 },
  arm() {
    const tally = { refused: 0 };
    return {
      tally,
      property: fc.property(fc.uint8Array({ maxLength: 512, size: 'max' }), mutations, (payload, edits) => {
        const env = sealToBobSs(payload);
        const bad = mutate(env, edits);
        fc.pre(!sameBytes(bad, env));
        const r = outcome(bad);
        if (r instanceof EnvelopeError) { tally.refused++; return; }
        if (r.sender !== 'alice' || r.topic !== TOPIC || r.seq !== seq - 1 || !sameBytes(r.payload, payload)) throw new Error('a mutated ECDH-SS envelope opened as a different message');
      }),
    };
  },
};

/** Bob's endpoint with alice as a known peer: its replay window and peers live across the cases. */
export const bobsEndpoint: FuzzFixture<SecureEndpoint> = {
  name: "bob's SecureEndpoint, alice a known peer",
  start() {
    const endpoint = new SecureEndpoint(bob);
    endpoint.addPeer(publicKeysOf(alice));
    return endpoint;
  },
  stop() {},
};
/** 'received' or the Rejected reason; any other error fails the property. */
function endpointOutcome(endpoint: SecureEndpoint, bytes: Uint8Array, selfCertified: boolean): string {
  try {
    endpoint.open(TOPIC, bytes, selfCertified);
    return 'received';
  } catch (err) {
    if (err instanceof Rejected && err.reason.length > 0 && err.message.length > 0) return err.reason;
    throw new Error(`SecureEndpoint.open threw untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}
const ENDPOINT = 'SecureEndpoint.open';

export const endpointRefusesJunk = fuzzTarget({ decoder: ENDPOINT, claim: 'junk is never received; only Rejected', ci: { seed: 208, numRuns: 1000 }, fixture: bobsEndpoint },
  (endpoint) => fc.property(fc.oneof(junkBytes, cborSoup), fc.boolean(), (b, self) => { if (endpointOutcome(endpoint, b, self) === 'received') throw new Error('junk received'); }));

export const endpointMutatedHelloOnlyRejected = fuzzTarget({ decoder: ENDPOINT, claim: 'mutated envelopes: received or Rejected, nothing else', ci: { seed: 209, numRuns: 1000 }, fixture: bobsEndpoint },
  (endpoint) => fc.property(mutations, fc.boolean(), (edits, self) => {
    const env = sealToBob(HELLO);
    const bad = mutate(env, edits);
    fc.pre(!sameBytes(bad, env));
    endpointOutcome(endpoint, bad, self);
  }));

export const endpointMutatedSsOnlyRejected = fuzzTarget({ decoder: ENDPOINT, claim: 'mutated ECDH-SS envelopes: received or Rejected, nothing else', ci: { seed: 220, numRuns: 1000 }, fixture: bobsEndpoint },
  (endpoint) => fc.property(mutations, fc.boolean(), (edits, self) => {
    const env = sealToBobSs(encodeMessage({ t: 'heartbeat', bootId: 'b', queue: 0 }));
    const bad = mutate(env, edits);
    fc.pre(!sameBytes(bad, env));
    endpointOutcome(endpoint, bad, self);
  }));

/** A known peer (authenticated, so every check up to decodeMessage passes) sending anything at all; the outcomes seen. */
export const endpointKnownPeerHostilePayload: FuzzTarget<Set<string>, SecureEndpoint> = {
  decoder: ENDPOINT, claim: 'any payload from a known peer: received or bad-message', ci: { seed: 210, numRuns: 1500 }, fixture: bobsEndpoint,
  arm(endpoint) {
    const typeName = fc.oneof(fc.constantFrom('hello', 'act', 'plan', 'failed', ...PROTO_NAMES), fc.string({ maxLength: 16 }));
    const payload = fc.oneof(junkBytes, cborSoup, fc.tuple(typeName, fc.dictionary(hostileKey, hostile, { maxKeys: 6 })).map(([ty, rest]) => encodeCbor({ ...rest, t: ty })));
    const seen = new Set<string>();
    return {
      tally: seen,
      property: fc.property(payload, (p) => {
        const r = endpointOutcome(endpoint, sealToBob(p), false);
        seen.add(r);
        if (r !== 'bad-message' && r !== 'received') throw new Error(`a known peer's envelope refused as ${r}`);
      }),
    };
  },
};

/** OpenOptions whose crypto suite and sender-key lookup count their calls: the size check must come before both. */
export function spiedOptions(): { options: OpenOptions; calls: { crypto: number; senderKey: number } } {
  const calls = { crypto: 0, senderKey: 0 };
  const spy = new Proxy(nativeCrypto, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (...args: unknown[]) => { calls.crypto++; return (v as (...a: unknown[]) => unknown).apply(target, args); } : v;
    },
  }) as CryptoSuite;
  return { calls, options: { ...OPTS, suite: spy, senderKey: (id) => { calls.senderKey++; return OPTS.senderKey(id, new Uint8Array(0)); } } };
}
const noCryptoSince = (calls: { crypto: number; senderKey: number }, before: { crypto: number; senderKey: number }, what: string) => {
  if (calls.crypto !== before.crypto || calls.senderKey !== before.senderKey) throw new Error(`${what}: crypto or a key lookup ran before the size check`);
};

export const oversizeRefusedFirst: FuzzTarget<{ crypto: number; senderKey: number }> = {
  decoder: ENVELOPE, claim: 'oversize refused before any decoding or crypto, at any limit', ci: { seed: 211, numRuns: 2000 },
  arm() {
    const { options, calls } = spiedOptions();
    const valid = sealToBob(new Uint8Array(3000));
    return {
      tally: calls,
      property: fc.property(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 1, max: 64 }), (maxBytes, over) => {
        const n = maxBytes + over;
        const bytes = n <= valid.length ? valid.subarray(0, n) : Uint8Array.from([...valid, ...new Uint8Array(n - valid.length)]);
        const before = { ...calls };
        const r = outcome(bytes, { ...options, maxBytes });
        if (!(r instanceof EnvelopeError) || r.reason !== 'oversize' || !r.message.includes(`${n} bytes, limit ${maxBytes}`)) throw new Error(`${n} > ${maxBytes}: ${String(r)}`);
        noCryptoSince(calls, before, `${n} > ${maxBytes}`);
      }),
    };
  },
};

export const overMaxEnvelopeBytesRefused: FuzzTarget<{ crypto: number; senderKey: number }> = {
  decoder: ENVELOPE, claim: 'MAX_ENVELOPE_BYTES + 1..1024: oversize, no crypto', ci: { seed: 212, numRuns: 5 },
  arm() {
    const { options, calls } = spiedOptions();
    return {
      tally: calls,
      property: fc.property(fc.integer({ min: 1, max: 1024 }), (over) => {
        const before = { ...calls };
        const r = outcome(new Uint8Array(MAX_ENVELOPE_BYTES + over), options);
        if (!(r instanceof EnvelopeError) || r.reason !== 'oversize') throw new Error(`MAX_ENVELOPE_BYTES + ${over}: ${String(r)}`);
        noCryptoSince(calls, before, `MAX_ENVELOPE_BYTES + ${over}`);
      }),
    };
  },
};
