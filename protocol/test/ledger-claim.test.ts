import test from 'ava';
import {
  claimSignatureValid, decodeSignedClaim, encodeCbor, generateDeviceKeys, LedgerError, nativeCrypto, portableCrypto, signClaim, signerFromKeys,
} from '../src/index.js';

const seed = new Uint8Array(32).fill(7);
const w1 = { id: 'w1', signSeed: seed, signPublic: nativeCrypto.ed25519PublicFromSeed(seed) };
const input = {
  action: 'layer' as const, ts: 1_700_000_000_123,
  data: { device: 'w1', requestId: 'cam-1', attempt: 0, layers: [1, 2], ms: 1.25, big: 2 ** 40, neg: -3, b: new Uint8Array([1, 2]), n: null, nested: { z: true, a: 'x' } },
};

test('a signed claim is byte for byte what the gateway ledger wrote before the claim code moved to protocol', (t) => {
  // Produced by gateway/src/ledger/entry.ts as it was at 5b727bc: ledgers already on disk hold these bytes.
  const golden = '82588ba46274731b0000018bcfe5687b6464617461aa6162420102616ef6626d73fb3ff4000000000000636269671b0000010000000000636e65672266646576696365627731666c6179657273820102666e6573746564a261616178617af567617474656d707400697265717565737449646563616d2d31656163746f7262773166616374696f6e656c6179657258409fe1727df2059baa0ea3915f4c2d4f17ef4291786aabd60fda6a10d09997379bd37910135f66dcbd10edc764938f481ca57f13a93324fc3c570cef9db4125000';
  t.is(Buffer.from(signClaim(input, signerFromKeys(w1))).toString('hex'), golden);
  // the portable suite signs the same bytes (Ed25519 is deterministic)
  t.is(Buffer.from(signClaim(input, signerFromKeys(w1, portableCrypto))).toString('hex'), golden);
});

test('a signed claim decodes to what was signed and verifies with its signer\'s key only', (t) => {
  const bytes = signClaim(input, signerFromKeys(w1));
  const c = decodeSignedClaim(bytes);
  t.deepEqual(c.claim, { actor: 'w1', action: 'layer', ts: input.ts, data: input.data });
  t.true(claimSignatureValid(c, w1.signPublic, nativeCrypto.ed25519Verify));
  t.false(claimSignatureValid(c, generateDeviceKeys('w1').signPublic, nativeCrypto.ed25519Verify));
  const edited = new Uint8Array(c.claimBytes);
  edited[edited.length - 1]! ^= 1;
  t.false(claimSignatureValid({ claimBytes: edited, sig: c.sig }, w1.signPublic, nativeCrypto.ed25519Verify));
});

test('what cannot be a signed claim is a LedgerError naming the part at fault', (t) => {
  const bad: Array<[Uint8Array, RegExp]> = [
    [new Uint8Array([0xff]), /^signed claim: not well-formed CBOR/],
    [encodeCbor([1, 2]), /^signed claim: expected \[claim bytes, signature\]/],
    [encodeCbor([encodeCbor(new Map([['ts', 1]])), new Uint8Array(64)]), /^claim: missing "data"/],
    [encodeCbor([decodeSignedClaim(signClaim(input, signerFromKeys(w1))).claimBytes, new Uint8Array(63)]), /^signed claim: signature: expected a 64-byte string/],
  ];
  for (const [bytes, pattern] of bad) {
    const err = t.throws(() => decodeSignedClaim(bytes), { instanceOf: LedgerError });
    t.is(err!.code, 'malformed');
    t.regex(err!.message, pattern);
  }
  t.throws(() => signClaim({ action: 'layer', data: { f: () => 1 } }, signerFromKeys(w1)), { instanceOf: LedgerError, message: /ledger claim\.data\.f: a function cannot be recorded/ });
});
