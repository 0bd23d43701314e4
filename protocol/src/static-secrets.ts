/**
 * The X25519 secrets between this device's static key and its peers' static keys, for ECDH-SS
 * (RFC 9053 §6.3.1): computed once per peer pair and kept, so that a steady stream of envelopes
 * between two known devices costs no key agreement at all — each message still gets its own
 * content key from the PartyU nonce that goes into HKDF (cose-encrypt.ts).
 *
 * One entry per peer id, holding the two public keys it was computed for. A lookup whose keys
 * differ (either side rotated, or a staged key is being tried) recomputes and replaces the entry,
 * so a stale secret is never used even if nobody called `forget`; `forget`/`clear` still drop a
 * rotated-away secret at once rather than leaving it in memory until evicted. Bounded: at most
 * `maxPeers` entries, least recently used evicted first (BoundedCache).
 */
import { BoundedCache } from './bounded-cache.js';
import { bytesEqual } from './bytes.js';
import type { CryptoSuite } from './crypto-suite.js';

interface Entry { ownPublic: Uint8Array; peerPublic: Uint8Array; secret: Uint8Array }

/** Default bound: the peers a device or the gateway talks to repeatedly (64 bytes of keys + 32 of secret each). */
export const STATIC_SECRETS_MAX_PEERS = 4096;

export class StaticSecrets {
  readonly #entries: BoundedCache<Entry>;
  /** X25519 agreements made (cache misses); for tests and benchmarks. */
  computed = 0;

  constructor(maxPeers = STATIC_SECRETS_MAX_PEERS) {
    this.#entries = new BoundedCache(maxPeers);
  }

  get size(): number { return this.#entries.size; }

  /**
   * X25519(own private, peer public), from the cache when it was computed for these same two
   * public keys. Throws as `suite.x25519` does (a small-order peer key).
   */
  secret(peerId: string, own: { kexPrivate: Uint8Array; kexPublic: Uint8Array }, peerPublic: Uint8Array, suite: CryptoSuite): Uint8Array {
    const hit = this.#entries.get(peerId);
    if (hit && bytesEqual(hit.peerPublic, peerPublic) && bytesEqual(hit.ownPublic, own.kexPublic)) return hit.secret;
    const secret = suite.x25519(own.kexPrivate, peerPublic);
    this.computed++;
    this.#entries.set(peerId, { ownPublic: own.kexPublic.slice(), peerPublic: peerPublic.slice(), secret });
    return secret;
  }

  /** Drops the secret shared with `peerId` (its keys changed). */
  forget(peerId: string): void { this.#entries.delete(peerId); }

  /** Drops every secret (this device's own key changed). */
  clear(): void { this.#entries.clear(); }
}
