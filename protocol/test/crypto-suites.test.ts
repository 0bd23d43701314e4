// The two CryptoSuites must agree byte for byte, and refuse the same things.
import test from 'ava';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import { toHex as H } from '../src/hex.js';

const suites = [nativeCrypto, portableCrypto];

test('RFC 8032 §7.1 test 2: both suites derive the public key and signature', (t) => {
  const seed = Buffer.from('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', 'hex');
  const msg = Uint8Array.of(0x72);
  for (const s of suites) {
    t.is(H(s.ed25519PublicFromSeed(seed)), '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', s.name);
    const sig = s.ed25519Sign(seed, msg);
    t.is(H(sig), '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00', s.name);
    t.true(s.ed25519Verify(s.ed25519PublicFromSeed(seed), msg, sig), s.name);
  }
});

test('RFC 7748 §6.1: both suites compute the X25519 public keys and shared secret', (t) => {
  const alice = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex');
  const bobPub = Buffer.from('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f', 'hex');
  for (const s of suites) {
    t.is(H(s.x25519PublicFromPrivate(alice)), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a', s.name);
    t.is(H(s.x25519(alice, bobPub)), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', s.name);
  }
});

test('chacha20-poly1305 agrees across suites and rejects any altered byte', (t) => {
  const key = nativeCrypto.randomBytes(32);
  const nonce = nativeCrypto.randomBytes(12);
  const aad = Uint8Array.of(1, 2, 3);
  const pt = nativeCrypto.randomBytes(1000);
  const a = nativeCrypto.chachaSeal(key, nonce, aad, pt);
  const b = portableCrypto.chachaSeal(key, nonce, aad, pt);
  t.is(H(a), H(b));
  t.is(a.length, pt.length + 16);
  for (const s of suites) {
    t.deepEqual(s.chachaOpen(key, nonce, aad, a), pt, s.name);
    const flipped = a.slice();
    flipped[500]! ^= 1;
    t.is(s.chachaOpen(key, nonce, aad, flipped), null, s.name);
    t.is(s.chachaOpen(key, nonce, Uint8Array.of(1, 2, 4), a), null, s.name);
    t.is(s.chachaOpen(key, nonce, aad, a.subarray(0, 15)), null, s.name);
    t.deepEqual(s.chachaOpen(key, nonce, aad, s.chachaSeal(key, nonce, aad, new Uint8Array(0))), new Uint8Array(0), s.name);
  }
});

test('RFC 5869 A.1: HKDF-SHA-256 in both suites', (t) => {
  const ikm = new Uint8Array(22).fill(0x0b);
  const salt = Buffer.from('000102030405060708090a0b0c', 'hex');
  const info = Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex');
  for (const s of suites) {
    t.is(H(s.hkdfSha256(ikm, salt, info, 42)), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865', s.name);
    // absent salt is the same as HashLen zero bytes (RFC 5869 §2.2)
    t.is(H(s.hkdfSha256(ikm, undefined, info, 32)), H(s.hkdfSha256(ikm, new Uint8Array(32), info, 32)), s.name);
  }
});

test('both suites refuse a malleated signature (S + L, RFC 8032 §5.1.7)', (t) => {
  const seed = nativeCrypto.randomBytes(32);
  const pub = nativeCrypto.ed25519PublicFromSeed(seed);
  const msg = Uint8Array.of(9, 9, 9);
  const sig = nativeCrypto.ed25519Sign(seed, msg);
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
  let sPlusL = s + L;
  const malleated = sig.slice();
  for (let i = 0; i < 32; i++) {
    malleated[32 + i] = Number(sPlusL & 0xffn);
    sPlusL >>= 8n;
  }
  for (const su of suites) {
    t.true(su.ed25519Verify(pub, msg, sig), su.name);
    t.false(su.ed25519Verify(pub, msg, malleated), su.name);
    t.false(su.ed25519Verify(pub, msg, sig.subarray(0, 63)), su.name);
    t.false(su.ed25519Verify(pub.subarray(1), msg, sig), su.name);
  }
});

test('both suites refuse a small-order X25519 peer key (all-zero secret)', (t) => {
  const priv = nativeCrypto.randomBytes(32);
  for (const s of suites) {
    t.throws(() => s.x25519(priv, new Uint8Array(32)), { message: /x25519/ }, s.name);
    t.throws(() => s.x25519(priv, new Uint8Array(31)), { instanceOf: RangeError, message: /peer public key: expected 32 bytes, got 31/ }, s.name);
  }
});

test('both suites return plain Uint8Array', (t) => {
  for (const s of suites) {
    t.is(s.randomBytes(8).constructor, Uint8Array, s.name);
    t.is(s.ed25519Sign(new Uint8Array(32), new Uint8Array(1)).constructor, Uint8Array, s.name);
  }
});
