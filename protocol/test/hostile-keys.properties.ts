// Hostile input for the key decoders, as fuzz targets (hostile-keys.test.ts runs them with CI's
// budget, `npm run fuzz` with any): decodePublicKeys (a COSE_KeySet, e.g. the gateway's public keys
// handed to `layerfleet agent --gateway-keys`), decodeCoseKey and coseKeyFromMap (the key files,
// and the ephemeral key inside every envelope): keys of the right shape, or a CoseKeyError. And
// the MQTT CONNECT password (checkMqttCredentials), which anyone who can reach the broker sends:
// a reason for refusing it, or null only for the very credential that was signed.
import fc from 'fast-check';
import { fuzzTarget, type FuzzTarget } from '@layerfleet/test-support';
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

export const junkDecodesToKeysOrCoseKeyError = fuzzTarget({ decoder: 'decodePublicKeys, decodeCoseKey', claim: 'arbitrary bytes and soup: keys or CoseKeyError', ci: { seed: 301, numRuns: 4000 } },
  () => fc.property(fc.oneof(junkBytes, cborSoup), expectation, (b, expect) => {
    typed(() => decodePublicKeys(b), assertPublicKeys);
    typed(() => decodeCoseKey(b, expect), (k) => assertCoseKey(k, expect));
  }));

/** 'ok' and 'refused', as seen: the ava test checks both happened. */
export const coseKeyAnyLabelWrong: FuzzTarget<Set<string>> = {
  decoder: 'coseKeyFromMap, decodeCoseKey', claim: 'any label wrong, absent or extra: a key as expected or CoseKeyError', ci: { seed: 302, numRuns: 4000 },
  arm() {
    const outcomes = new Set<string>();
    return {
      tally: outcomes,
      property: fc.property(fc.oneof(coseKeyMap, hostile), expectation, (m, expect) => {
        outcomes.add(typed(() => coseKeyFromMap(m, expect), (k) => assertCoseKey(k, expect)));
        typed(() => decodeCoseKey(encodeCbor(m), expect), (k) => assertCoseKey(k, expect));
      }),
    };
  },
};

export const keySetsOfAnyMaps: FuzzTarget<Set<string>> = {
  decoder: 'decodePublicKeys', claim: 'COSE_KeySets of any two maps, or anything: keys or CoseKeyError', ci: { seed: 303, numRuns: 3000 },
  arm() {
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
    return { tally: outcomes, property: fc.property(keySet, (set) => { outcomes.add(typed(() => decodePublicKeys(encodeCbor(set)), assertPublicKeys)); }) };
  },
};

export const mutatedKeySetDecodesTyped = fuzzTarget({ decoder: 'decodePublicKeys', claim: 'mutations of a valid COSE_KeySet: keys or CoseKeyError', ci: { seed: 304, numRuns: 3000 } },
  () => {
    const valid = encodePublicKeys(publicKeysOf(generateDeviceKeys('gateway')));
    return fc.property(mutations, (edits) => { typed(() => decodePublicKeys(mutate(valid, edits)), assertPublicKeys); });
  });

export const publicKeysRoundTrip = fuzzTarget({ decoder: 'encodePublicKeys/decodePublicKeys', claim: 'generated keys round-trip', ci: { seed: 305, numRuns: 2000 } },
  () => fc.property(deviceId, key32, key32, (id, signPublic, kexPublic) => {
    const back = decodePublicKeys(encodePublicKeys({ id, signPublic, kexPublic }));
    if (back.id !== id || Buffer.compare(back.signPublic, signPublic) !== 0 || Buffer.compare(back.kexPublic, kexPublic) !== 0) throw new Error('COSE_KeySet round trip changed the keys');
  }));

export const coseKeyRoundTrip = fuzzTarget({ decoder: 'encodeCoseKey/decodeCoseKey', claim: 'generated keys round-trip', ci: { seed: 306, numRuns: 2000 } },
  () => fc.property(fc.constantFrom('Ed25519' as const, 'X25519' as const), key32, fc.option(key32), fc.option(fc.string({ unit: 'binary', maxLength: 40 })), (crv, x, d, kid) => {
    const key: CoseOkpKey = { crv, x, ...(d ? { d } : {}), ...(kid !== null ? { kid } : {}) };
    const back = decodeCoseKey(encodeCoseKey(key), { crv, private: d !== null });
    if (back.crv !== crv || Buffer.compare(back.x, x) !== 0 || (d && Buffer.compare(back.d!, d) !== 0) || back.kid !== key.kid) throw new Error('COSE_Key round trip changed the key');
  }));

/** Device w1's keys and the signed password it would send at NOW. */
const w1 = generateDeviceKeys('w1');
export const NOW = 1_760_000_000_000;
export const W1_PASSWORD = mqttCredentials(w1, NOW).password;
const [signedTs, signedSig] = decodeCbor(W1_PASSWORD, 'pw') as [number, Uint8Array];

/** checkMqttCredentials for w1 at NOW, checking the shape of its answer, with a count of signature checks. */
export function credentialChecker(): { check: (pw: Uint8Array) => string | null; calls: { verifies: number } } {
  const calls = { verifies: 0 };
  const spy: CryptoSuite = { ...nativeCrypto, ed25519Verify: (...a) => { calls.verifies++; return nativeCrypto.ed25519Verify(...a); } };
  const check = (pw: Uint8Array) => {
    const r = checkMqttCredentials('w1', pw, w1.signPublic, NOW, 5 * 60_000, spy);
    if (r !== null && (typeof r !== 'string' || r.length === 0)) throw new Error(`checkMqttCredentials returned ${String(r)}`);
    return r;
  };
  return { check, calls };
}
/** Accepted bytes must carry the very timestamp and signature that were signed. */
const assertSameCredential = (pw: Uint8Array, what: string) => {
  const [ts2, sig2] = decodeCbor(pw, 'pw') as [number, Uint8Array];
  if (ts2 !== signedTs || Buffer.compare(sig2, signedSig) !== 0) throw new Error(`a ${what} credential was accepted`);
};
const CREDENTIALS = 'checkMqttCredentials';

export const anyPasswordRefusedButTheSigned = fuzzTarget({ decoder: CREDENTIALS, claim: 'any CONNECT password: a reason; null only for the signed one', ci: { seed: 307, numRuns: 3000 } },
  () => {
    const { check } = credentialChecker();
    const password = fc.oneof(junkBytes, cborSoup, fc.tuple(fc.oneof(fc.constant(signedTs), hostileLeaf), fc.oneof(fc.constant(signedSig), hostileLeaf), fc.array(hostile, { maxLength: 2 }))
      .map(([a, b, rest]) => encodeCbor([a, b, ...rest])));
    return fc.property(password, (pw) => { if (check(pw) === null) assertSameCredential(pw, 'different'); });
  });

export const mutatedPasswordRefused = fuzzTarget({ decoder: CREDENTIALS, claim: 'mutations of the signed password: refused unless the same credential', ci: { seed: 308, numRuns: 2000 } },
  () => {
    const { check } = credentialChecker();
    return fc.property(mutations, (edits) => {
      const pw = mutate(W1_PASSWORD, edits);
      if (check(pw) === null && !sameBytes(pw, W1_PASSWORD)) assertSameCredential(pw, 'mutated');
    });
  });

export const oversizePasswordRefusedUnverified: FuzzTarget<{ verifies: number }> = {
  decoder: CREDENTIALS, claim: 'oversize password: refused as such, no signature check', ci: { seed: 309, numRuns: 500 },
  arm() {
    const { check, calls } = credentialChecker();
    return {
      tally: calls,
      property: fc.property(fc.integer({ min: 1, max: 4096 }), (over) => {
        const before = calls.verifies;
        if (!/limit is/.test(check(new Uint8Array(MAX_PASSWORD_BYTES + over).fill(0x41)) ?? '')) throw new Error('oversize password not refused as such');
        if (calls.verifies !== before) throw new Error('an oversize password had its signature checked');
      }),
    };
  },
};
