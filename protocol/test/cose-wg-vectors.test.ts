// Byte-for-byte reproduction of the COSE WG's published intermediates (fixtures/cose-wg-examples.ts
// names the source files), plus our own KDF context built by hand from RFC 9053 §5.2.
import test from 'ava';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { encodeCbor } from '../src/cbor.js';
import {
  CONTENT_PROTECTED, RECIPIENT_PROTECTED, RECIPIENT_PROTECTED_SS, decodeCoseEncrypt, decryptParsed, encodeCoseEncrypt, encryptStaticToRecipient, recipientStructure,
} from '../src/cose-encrypt.js';
import { encStructure, kdfContext, sigStructure1 } from '../src/cose-structures.js';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import { EnvelopeError } from '../src/envelope-error.js';
import { eddsaSig02, hex, x25519HkdfDirect as ex, x25519SsHkdfDirect as ss } from './fixtures/cose-wg-examples.js';
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

// ECDH-SS + HKDF-256 (-27): the whole chain of x25519-ss-hkdf-256-direct, from the two static key
// pairs to the plaintext, through our code wherever our code has a part in it.
test('our ECDH-SS recipient protected header is the example\'s {1: -27}', (t) => {
  t.is(H(RECIPIENT_PROTECTED_SS), ss.recipientProtectedHex);
});

for (const suite of [nativeCrypto, portableCrypto]) {
  test(`${suite.name}: X25519 of the example's static keys gives its Secret_hex, from either side`, (t) => {
    t.is(H(suite.x25519(hex(ss.senderPrivateHex), hex(ss.recipientPublicHex))), ss.secretHex);
    t.is(H(suite.x25519(hex(ss.recipientPrivateHex), hex(ss.senderPublicHex))), ss.secretHex);
    t.is(H(suite.x25519PublicFromPrivate(hex(ss.senderPrivateHex))), ss.senderPublicHex);
  });
}

test('kdfContext with a PartyU nonce reproduces x25519-ss-hkdf-256-direct Context_hex (RFC 9053 §5.2), and HKDF gives CEK_hex', (t) => {
  const context = kdfContext(ss.contentAlg, ss.keyDataLengthBits, hex(ss.recipientProtectedHex), hex(ss.partyUNonceHex));
  t.is(H(context), ss.contextHex);
  t.is(H(nativeCrypto.hkdfSha256(hex(ss.secretHex), undefined, context, 16)), ss.cekHex);
});

test('an envelope made with our ECDH-SS from the example\'s sender key and 64-byte nonce opens with the example\'s recipient key', (t) => {
  // Ours carries the sender's key itself (-2) where the example names it (-3), and ChaCha20/Poly1305
  // content: the agreement and the KDF's PartyU nonce are the example's.
  const plaintext = new TextEncoder().encode(ss.plaintext);
  const env = encryptStaticToRecipient(plaintext, { senderStatic: hex(ss.senderPublicHex), recipientId: ss.recipientKid, sharedSecret: hex(ss.secretHex) }, nativeCrypto,
    { partyUNonce: hex(ss.partyUNonceHex), iv: hex(ss.ivHex) });
  const parsed = decodeCoseEncrypt(env);
  t.is(parsed.recipient.kid, ss.recipientKid);
  t.deepEqual(decryptParsed(parsed, hex(ss.recipientPrivateHex), portableCrypto), plaintext);
});

test('the ECDH-SS example chain static keys → Secret → CEK → plaintext holds with our X25519, KDF context and AAD', (t) => {
  const secret = nativeCrypto.x25519(hex(ss.recipientPrivateHex), hex(ss.senderPublicHex));
  const cek = nativeCrypto.hkdfSha256(secret, undefined, kdfContext(1, 128, RECIPIENT_PROTECTED_SS, hex(ss.partyUNonceHex)), 16);
  const ct = hex(ss.ciphertextHex);
  // A128GCM is not one of our algorithms; node's AES-GCM only closes the chain.
  const d = createDecipheriv('aes-128-gcm', cek, hex(ss.ivHex));
  d.setAAD(encStructure('Encrypt', hex(ss.bodyProtectedHex)));
  t.is(H(encStructure('Encrypt', hex(ss.bodyProtectedHex))), ss.aadHex);
  d.setAuthTag(ct.subarray(ct.length - 16));
  t.is(Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]).toString('utf8'), ss.plaintext);
});

test('decodeCoseEncrypt refuses the ECDH-SS example naming its A128GCM content alg', (t) => {
  const err = t.throws(() => decodeCoseEncrypt(hex(ss.outputHex)), { instanceOf: EnvelopeError });
  t.regex(err?.message ?? '', /alg \(1\) must be 24.*got 1/);
});
