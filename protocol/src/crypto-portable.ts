/**
 * CryptoSuite in pure JavaScript (tweetnacl for Ed25519/X25519, @noble for HKDF and
 * ChaCha20-Poly1305): for runtimes without node:crypto's curves, and as an independent
 * implementation the tests compare the native suite against. Same algorithms, same bytes.
 */
import nacl from 'tweetnacl';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { BoundedCache } from './bounded-cache.js';
import { assertLength, isAllZero } from './bytes.js';
import type { CryptoSuite } from './crypto-suite.js';

// tweetnacl signs with the 64-byte seed||public "secret key"; deriving it costs a scalar
// multiplication, so keep it for the few seeds in use.
const secretKeys = new BoundedCache<Uint8Array>(16);

function signingKey(seed32: Uint8Array): Uint8Array {
  const id = Buffer.from(seed32.buffer, seed32.byteOffset, seed32.byteLength).toString('hex');
  return secretKeys.getOrCreate(id, () => nacl.sign.keyPair.fromSeed(seed32).secretKey);
}

// Group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const ORDER_L = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/**
 * RFC 8032 §5.1.7 requires rejecting S >= L; tweetnacl does not check it but OpenSSL does, and
 * without the check the two suites would disagree on malleated signatures.
 */
function scalarIsCanonical(sig64: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = sig64[32 + i]!;
    const l = ORDER_L[i]!;
    if (s !== l) return s < l;
  }
  return false; // S == L
}

export const portableCrypto: CryptoSuite = {
  name: 'tweetnacl+noble',

  ed25519PublicFromSeed(seed32) {
    assertLength('ed25519 seed', seed32, 32);
    return signingKey(seed32).slice(32);
  },

  ed25519Sign(seed32, msg) {
    assertLength('ed25519 seed', seed32, 32);
    return nacl.sign.detached(msg, signingKey(seed32));
  },

  ed25519Verify(pub32, msg, sig64) {
    if (pub32.length !== 32 || sig64.length !== 64 || !scalarIsCanonical(sig64)) return false;
    try {
      return nacl.sign.detached.verify(msg, sig64, pub32);
    } catch {
      return false;
    }
  },

  x25519PublicFromPrivate(priv32) {
    assertLength('x25519 private key', priv32, 32);
    return nacl.scalarMult.base(priv32);
  },

  x25519(priv32, peerPub32) {
    assertLength('x25519 private key', priv32, 32);
    assertLength('x25519 peer public key', peerPub32, 32);
    const secret = nacl.scalarMult(priv32, peerPub32);
    if (isAllZero(secret)) throw new Error('x25519: peer public key is of small order (all-zero shared secret, RFC 7748 §6.1)');
    return secret;
  },

  hkdfSha256(ikm, salt, info, length) {
    return hkdf(sha256, ikm, salt, info, length);
  },

  chachaSeal(key32, nonce12, aad, plaintext) {
    assertLength('chacha20-poly1305 key', key32, 32);
    assertLength('chacha20-poly1305 nonce', nonce12, 12);
    return chacha20poly1305(key32, nonce12, aad).encrypt(plaintext);
  },

  chachaOpen(key32, nonce12, aad, ciphertextAndTag) {
    assertLength('chacha20-poly1305 key', key32, 32);
    assertLength('chacha20-poly1305 nonce', nonce12, 12);
    if (ciphertextAndTag.length < 16) return null;
    try {
      return chacha20poly1305(key32, nonce12, aad).decrypt(ciphertextAndTag);
    } catch {
      return null;
    }
  },

  randomBytes(n) {
    return nacl.randomBytes(n);
  },
};
