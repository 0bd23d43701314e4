// Hostile input for the key decoders: decodePublicKeys (a COSE_KeySet, e.g. the gateway's public
// keys handed to `layerfleet agent --gateway-keys`), decodeCoseKey and coseKeyFromMap (the key
// files, and the ephemeral key inside every envelope): keys of the right shape, or a CoseKeyError.
// And the MQTT CONNECT password (checkMqttCredentials), which anyone who can reach the broker sends:
// a reason for refusing it, or null only for the very credential that was signed.
import test from 'ava';
import fc from 'fast-check';
import { decodeCbor, encodeCbor } from '../src/cbor.js';
import { CoseKeyError, coseKeyFromMap, decodeCoseKey, encodeCoseKey, type CoseKeyExpectation, type CoseOkpKey } from '../src/cose-key.js';
import { checkMqttCredentials, MAX_PASSWORD_BYTES, mqttCredentials } from '../src/credentials.js';
import { nativeCrypto } from '../src/crypto-native.js';
import type { CryptoSuite } from '../src/crypto-suite.js';
import { decodePublicKeys, encodePublicKeys, generateDeviceKeys, publicKeysOf, type PublicDeviceKeys } from '../src/keys.js';
import { assertDeviceId } from '../src/topics.js';
import { cborSoup, hostileKey, hostileLeaf, hostileValueOf, junkBytes, mutate, mutations, sameBytes } from './hostile-arbitraries.js';

const deviceId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const hostile = hostileValueOf(hostileKey, 2);
const rightOr = <T>(right: fc.Arbitrary<T>, ...wrong: fc.Arbitrary<unknown>[]) => fc.oneof({ arbitrary: right, weight: 5 }, ...wrong.map((w) => ({ arbitrary: w, weight: 1 })));

/** A COSE_Key map: each label right, wrong or absent, plus stray labels. */
const coseKeyMap = fc.record({
  kty: rightOr(fc.constant(1), fc.constantFrom(2, 0, '1', -1), hostileLeaf),
  kid: rightOr(deviceId.map((s) => new TextEncoder().encode(s)), fc.constant(Uint8Array.of(0xff, 0xfe)), hostileLeaf),
  alg: rightOr(fc.constant(-8), fc.constantFrom(-7, 24), hostileLeaf),
  crv: rightOr(fc.constantFrom(4, 6), fc.constantFrom(1, 5, 7, '6'), hostileLeaf),
  x: rightOr(key32, fc.uint8Array({ maxLength: 40 }), hostileLeaf),
  d: rightOr(key32, fc.uint8Array({ maxLength: 40 }), hostileLeaf),
  extra: fc.array(fc.tuple(fc.oneof(fc.integer({ min: -10, max: 10 }), hostileLeaf), hostile), { maxLength: 2 }),
}, { requiredKeys: ['extra'] }).map((k) => {
  const m = new Map<unknown, unknown>(k.extra);
  for (const [label, name] of [[1, 'kty'], [2, 'kid'], [3, 'alg'], [-1, 'crv'], [-2, 'x'], [-4, 'd']] as const) {
    if (name in k) m.set(label, k[name]);
  }
  return m;
});
const expectation: fc.Arbitrary<CoseKeyExpectation> = fc.record({
  crv: fc.constantFrom('Ed25519' as const, 'X25519' as const), private: fc.boolean(), kid: deviceId,
}, { requiredKeys: [] });

/** Decoded public keys must be usable as they are: a device id and two 32-byte keys. */
function assertPublicKeys(k: PublicDeviceKeys): void {
  assertDeviceId(k.id);
  if (!(k.signPublic instanceof Uint8Array) || k.signPublic.length !== 32 || !(k.kexPublic instanceof Uint8Array) || k.kexPublic.length !== 32) {
    throw new Error('decodePublicKeys returned keys of the wrong shape');
  }
}
function assertCoseKey(k: CoseOkpKey, expect: CoseKeyExpectation): void {
  if ((k.crv !== 'Ed25519' && k.crv !== 'X25519') || k.x.length !== 32 || (k.d !== undefined && k.d.length !== 32)) throw new Error('COSE_Key of the wrong shape');
  if ((expect.crv && k.crv !== expect.crv) || (expect.private === true && !k.d) || (expect.private === false && k.d) || (expect.kid !== undefined && k.kid !== expect.kid)) {
    throw new Error('COSE_Key does not meet the expectation it was decoded against');
  }
}
/** Runs a decoder; anything but its result or a CoseKeyError with a message fails the property. */
function typed<T>(run: () => T, check: (v: T) => void): 'ok' | 'refused' {
  let v: T;
  try {
    v = run();
  } catch (err) {
    if (err instanceof CoseKeyError && err.message.length > 0) return 'refused';
    throw new Error(`untyped ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
  check(v);
  return 'ok';
}

test('arbitrary bytes and CBOR-token soup: decodePublicKeys and decodeCoseKey give keys or a CoseKeyError', (t) => {
  fc.assert(fc.property(fc.oneof(junkBytes, cborSoup), expectation, (b, expect) => {
    typed(() => decodePublicKeys(b), assertPublicKeys);
    typed(() => decodeCoseKey(b, expect), (k) => assertCoseKey(k, expect));
  }), { seed: 301, numRuns: 4000 });
  t.pass();
});

test('COSE_Keys with any label wrong, absent or extra give a key meeting the expectation or a CoseKeyError', (t) => {
  const outcomes = new Set<string>();
  fc.assert(fc.property(fc.oneof(coseKeyMap, hostile), expectation, (m, expect) => {
    outcomes.add(typed(() => coseKeyFromMap(m, expect), (k) => assertCoseKey(k, expect)));
    typed(() => decodeCoseKey(encodeCbor(m), expect), (k) => assertCoseKey(k, expect));
  }), { seed: 302, numRuns: 4000 });
  t.deepEqual([...outcomes].sort(), ['ok', 'refused']);
});

test('COSE_KeySets of any two maps, or anything, give public keys or a CoseKeyError', (t) => {
  const outcomes = new Set<string>();
  // Mostly a matching pair (Ed25519 then X25519, one kid, no private part) with its other labels anything.
  const pairUp = (m: Map<unknown, unknown>, crv: number, kid: string, on: boolean) => {
    const out = new Map(m);
    if (on) { out.set(-1, crv).set(2, new TextEncoder().encode(kid)); out.delete(-4); }
    return out;
  };
  const pair = fc.tuple(deviceId, coseKeyMap, coseKeyMap, fc.boolean(), fc.boolean(), fc.boolean())
    .map(([kid, a, b, fixA, fixB, swap]) => (swap ? [pairUp(b, 4, kid, fixB), pairUp(a, 6, kid, fixA)] : [pairUp(a, 6, kid, fixA), pairUp(b, 4, kid, fixB)]));
  const keySet = fc.oneof({ arbitrary: pair, weight: 4 }, fc.array(coseKeyMap, { maxLength: 4 }), hostile);
  fc.assert(fc.property(keySet, (set) => { outcomes.add(typed(() => decodePublicKeys(encodeCbor(set)), assertPublicKeys)); }), { seed: 303, numRuns: 3000 });
  t.deepEqual([...outcomes].sort(), ['ok', 'refused']);
});

test('mutations of a valid COSE_KeySet give public keys or a CoseKeyError', (t) => {
  const valid = encodePublicKeys(publicKeysOf(generateDeviceKeys('gateway')));
  fc.assert(fc.property(mutations, (edits) => { typed(() => decodePublicKeys(mutate(valid, edits)), assertPublicKeys); }), { seed: 304, numRuns: 3000 });
  t.pass();
});

test('encodePublicKeys/decodePublicKeys and encodeCoseKey/decodeCoseKey round-trip generated keys', (t) => {
  fc.assert(fc.property(deviceId, key32, key32, (id, signPublic, kexPublic) => {
    const back = decodePublicKeys(encodePublicKeys({ id, signPublic, kexPublic }));
    if (back.id !== id || Buffer.compare(back.signPublic, signPublic) !== 0 || Buffer.compare(back.kexPublic, kexPublic) !== 0) throw new Error('COSE_KeySet round trip changed the keys');
  }), { seed: 305, numRuns: 2000 });
  fc.assert(fc.property(fc.constantFrom('Ed25519' as const, 'X25519' as const), key32, fc.option(key32), fc.option(fc.string({ unit: 'binary', maxLength: 40 })), (crv, x, d, kid) => {
    const key: CoseOkpKey = { crv, x, ...(d ? { d } : {}), ...(kid !== null ? { kid } : {}) };
    const back = decodeCoseKey(encodeCoseKey(key), { crv, private: d !== null });
    if (back.crv !== crv || Buffer.compare(back.x, x) !== 0 || (d && Buffer.compare(back.d!, d) !== 0) || back.kid !== key.kid) throw new Error('COSE_Key round trip changed the key');
  }), { seed: 306, numRuns: 2000 });
  t.pass();
});

test('any CONNECT password is refused with a reason; only the signed credential, however re-encoded, is accepted', (t) => {
  const keys = generateDeviceKeys('w1');
  const now = 1_760_000_000_000;
  let verifies = 0;
  const spy: CryptoSuite = { ...nativeCrypto, ed25519Verify: (...a) => { verifies++; return nativeCrypto.ed25519Verify(...a); } };
  const check = (pw: Uint8Array) => {
    const r = checkMqttCredentials('w1', pw, keys.signPublic, now, 5 * 60_000, spy);
    if (r !== null && (typeof r !== 'string' || r.length === 0)) throw new Error(`checkMqttCredentials returned ${String(r)}`);
    return r;
  };
  const [ts, sig] = decodeCbor(mqttCredentials(keys, now).password, 'pw') as [number, Uint8Array];
  const password = fc.oneof(junkBytes, cborSoup, fc.tuple(fc.oneof(fc.constant(ts), hostileLeaf), fc.oneof(fc.constant(sig), hostileLeaf), fc.array(hostile, { maxLength: 2 }))
    .map(([a, b, rest]) => encodeCbor([a, b, ...rest])));
  fc.assert(fc.property(password, (pw) => {
    if (check(pw) === null) {
      const [ts2, sig2] = decodeCbor(pw, 'pw') as [number, Uint8Array];
      if (ts2 !== ts || Buffer.compare(sig2, sig) !== 0) throw new Error('a different credential was accepted');
    }
  }), { seed: 307, numRuns: 3000 });
  const valid = mqttCredentials(keys, now).password;
  t.is(check(valid), null);
  fc.assert(fc.property(mutations, (edits) => {
    const pw = mutate(valid, edits);
    if (check(pw) === null && !sameBytes(pw, valid)) {
      const [ts2, sig2] = decodeCbor(pw, 'pw') as [number, Uint8Array];
      if (ts2 !== ts || Buffer.compare(sig2, sig) !== 0) throw new Error('a mutated credential was accepted');
    }
  }), { seed: 308, numRuns: 2000 });
  verifies = 0;
  fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), (over) => {
    if (!/limit is/.test(check(new Uint8Array(MAX_PASSWORD_BYTES + over).fill(0x41)) ?? '')) throw new Error('oversize password not refused as such');
  }), { seed: 309, numRuns: 500 });
  t.is(verifies, 0);
});
