import test from 'ava';
import { encodeCbor } from '../src/cbor.js';
import { CoseKeyError, decodeCoseKey, encodeCoseKey } from '../src/cose-key.js';
import { toHex as H } from '../src/hex.js';

const x = new Uint8Array(32).fill(0x11);
const d = new Uint8Array(32).fill(0x22);

test('private Ed25519 COSE_Key round-trips, in deterministic label order 1, 2, -1, -2, -4', (t) => {
  const bytes = encodeCoseKey({ crv: 'Ed25519', kid: 'cam1', x, d });
  // a5 {1: 1, 2: h'63616d31', -1: 6, -2: h'11..', -4: h'22..'}
  t.is(H(bytes), 'a5' + '0101' + '02' + '4463616d31' + '2006' + '215820' + '11'.repeat(32) + '235820' + '22'.repeat(32));
  const back = decodeCoseKey(bytes, { crv: 'Ed25519', private: true, kid: 'cam1' });
  t.deepEqual(back, { crv: 'Ed25519', kid: 'cam1', x, d });
});

test('public X25519 COSE_Key round-trips without d', (t) => {
  const back = decodeCoseKey(encodeCoseKey({ crv: 'X25519', x }), { crv: 'X25519', private: false });
  t.deepEqual(back, { crv: 'X25519', x });
});

test('wrong crv is refused naming the field and both values', (t) => {
  const err = t.throws(() => decodeCoseKey(encodeCoseKey({ crv: 'X25519', x }), { crv: 'Ed25519' }), { instanceOf: CoseKeyError });
  t.is(err?.message, 'COSE_Key: crv (-1) must be 6 (Ed25519), got 4');
});

test('wrong kty is refused naming the field', (t) => {
  const bytes = encodeCbor(new Map<number, unknown>([[1, 2], [-1, 6], [-2, x]])); // kty EC2
  const err = t.throws(() => decodeCoseKey(bytes), { instanceOf: CoseKeyError });
  t.regex(err?.message ?? '', /^COSE_Key: kty \(1\) must be 1 \(OKP.*got 2$/);
});

test('unknown curve, short x, missing or unexpected d, wrong kid are each named', (t) => {
  const cases: Array<[Uint8Array, Parameters<typeof decodeCoseKey>[1], RegExp]> = [
    [encodeCbor(new Map<number, unknown>([[1, 1], [-1, 7], [-2, x]])), {}, /crv \(-1\) must be 6 \(Ed25519\) or 4 \(X25519\).*got 7/],
    [encodeCbor(new Map<number, unknown>([[1, 1], [-1, 6], [-2, x.subarray(0, 31)]])), {}, /x \(-2\) must be 32 bytes, got 31/],
    [encodeCbor(new Map<number, unknown>([[1, 1], [-1, 6], [-2, 'text']])), {}, /x \(-2\) must be a byte string/],
    [encodeCoseKey({ crv: 'Ed25519', x }), { private: true }, /d \(-4\) missing/],
    [encodeCoseKey({ crv: 'Ed25519', x, d }), { private: false }, /d \(-4\) present/],
    [encodeCoseKey({ crv: 'Ed25519', x, kid: 'a' }), { kid: 'b' }, /kid \(2\) must be "b", got "a"/],
    [encodeCbor(new Map<number, unknown>([[1, 1], [3, -7], [-1, 6], [-2, x]])), {}, /alg \(3\) must be -8/],
    [encodeCbor([1, 2]), {}, /expected a CBOR map/],
    [Uint8Array.of(0xa1, 0x01), {}, /not well-formed CBOR/],
  ];
  for (const [bytes, expect, re] of cases) {
    const err = t.throws(() => decodeCoseKey(bytes, expect), { instanceOf: CoseKeyError });
    t.regex(err?.message ?? '', re);
  }
});
