/**
 * The primitives the envelope and key files need, behind one interface so that the hot path can
 * use node:crypto (`nativeCrypto`) while runtimes without it use pure-JS libraries
 * (`portableCrypto`). Both must give the same bytes for the same inputs; the tests hold them to it.
 *
 * Conventions shared by every implementation:
 * - raw keys: Ed25519 seed / public key 32 bytes (RFC 8032), X25519 private / public 32 bytes
 *   (RFC 7748); signatures 64 bytes;
 * - key or nonce of the wrong length throws a RangeError naming the argument;
 * - `ed25519Verify` never throws: anything malformed is simply "not valid";
 * - `x25519` throws when the shared secret is all zeros (a small-order peer key, RFC 7748 §6.1),
 *   because such a secret is known to everyone;
 * - `chachaOpen` returns null on any authentication failure rather than throwing.
 */
export interface CryptoSuite {
  name: string;
  ed25519PublicFromSeed(seed32: Uint8Array): Uint8Array;
  ed25519Sign(seed32: Uint8Array, msg: Uint8Array): Uint8Array;
  ed25519Verify(pub32: Uint8Array, msg: Uint8Array, sig64: Uint8Array): boolean;
  x25519PublicFromPrivate(priv32: Uint8Array): Uint8Array;
  x25519(priv32: Uint8Array, peerPub32: Uint8Array): Uint8Array;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array;
  /** Returns ciphertext || 16-byte tag (RFC 8439 §2.8). */
  chachaSeal(key32: Uint8Array, nonce12: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  chachaOpen(key32: Uint8Array, nonce12: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  randomBytes(n: number): Uint8Array;
}
