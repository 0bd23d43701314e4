// Byte-for-byte reproduction of the COSE WG's published intermediates (fixtures/cose-wg-examples.ts
// names the source files), plus our own KDF context built by hand from RFC 9053 §5.2.
import test from 'ava';
import { createCipheriv } from 'node:crypto';
import { encodeCbor } from '../src/cbor.js';
import { CONTENT_PROTECTED, RECIPIENT_PROTECTED, decodeCoseEncrypt, encodeCoseEncrypt, recipientStructure } from '../src/cose-encrypt.js';
import { encStructure, kdfContext, sigStructure1 } from '../src/cose-structures.js';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import { EnvelopeError } from '../src/envelope-error.js';
import { eddsaSig02, hex, x25519HkdfDirect as ex } from './fixtures/cose-wg-examples.js';
import { toHex } from '../src/hex.js';

const H = (b: Uint8Array) => toHex(b).toUpperCase();

const utf8 = (s: string) => new TextEncoder().encode(s);

test('kdfContext reproduces x25519-hkdf-256-direct Context_hex (RFC 9053 §5.2)', (t) => {
  t.is(H(kdfContext(ex.contentAlg, ex.keyDataLengthBits, hex(ex.recipientProtectedHex))), ex.contextHex);
});

for (const suite of [nativeCrypto, portableCrypto]) {
  test(`${suite.name}: HKDF-SHA-256(Secret_hex, no salt, Context_hex) = CEK_hex`, (t) => {
    t.is(H(suite.hkdfSha256(hex(ex.secretHex), undefined, hex(ex.contextHex), ex.keyDataLengthBits / 8)), ex.cekHex);
  });
}

test('encStructure reproduces AAD_hex (RFC 9052 §5.3)', (t) => {
  t.is(H(encStructure('Encrypt', hex(ex.bodyProtectedHex))), ex.aadHex);
});

test('sigStructure1 reproduces eddsa-sig-02 ToBeSign_hex (RFC 9052 §4.4)', (t) => {
  t.is(H(sigStructure1(hex(eddsaSig02.protectedHex), utf8(eddsaSig02.plaintext))), eddsaSig02.toBeSignHex);
});

test('our recipient protected header is the example\'s {1: -25}', (t) => {
  t.is(H(RECIPIENT_PROTECTED), ex.recipientProtectedHex);
  t.is(H(CONTENT_PROTECTED), 'A1011818'); // {1: 24}
});

test('recipientStructure and encodeCoseEncrypt reproduce the example output byte for byte', (t) => {
  const recipient = recipientStructure(ex.recipientKid, hex(ex.ephemeralPublicHex), hex(ex.recipientProtectedHex));
  const recipientHex = H(encodeCbor(recipient));
  t.true(ex.outputHex.includes(recipientHex), recipientHex);
  const whole = encodeCoseEncrypt(hex(ex.bodyProtectedHex), hex(ex.ivHex), hex(ex.ciphertextHex), [recipient]);
  t.is(H(whole), ex.outputHex);
});

test('the example chain Secret → CEK → ciphertext holds with our KDF context and AAD', (t) => {
  // A128GCM is not one of our algorithms; node's AES-GCM is used here only to close the chain.
  const cek = nativeCrypto.hkdfSha256(hex(ex.secretHex), undefined, kdfContext(1, 128, RECIPIENT_PROTECTED), 16);
  const c = createCipheriv('aes-128-gcm', cek, hex(ex.ivHex));
  c.setAAD(encStructure('Encrypt', hex(ex.bodyProtectedHex)));
  const out = Buffer.concat([c.update(utf8(ex.plaintext)), c.final(), c.getAuthTag()]);
  t.is(H(out), ex.ciphertextHex);
});

test('our envelope KDF context matches RFC 9053 §5.2 built by hand', (t) => {
  // [24, [nil, nil, nil], [nil, nil, nil], [256, h'A1013818']]
  const expected = '84' + '1818' + '83F6F6F6' + '83F6F6F6' + '82' + '190100' + '44A1013818';
  t.is(H(kdfContext(24, 256, RECIPIENT_PROTECTED)), expected);
});

test('decodeCoseEncrypt refuses the example (A128GCM) naming the alg', (t) => {
  const err = t.throws(() => decodeCoseEncrypt(hex(ex.outputHex)), { instanceOf: EnvelopeError });
  t.is(err?.reason, 'malformed');
  t.regex(err?.message ?? '', /alg \(1\) must be 24.*got 1/);
});
