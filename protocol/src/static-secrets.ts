/**
 * The X25519 secrets between this device's static key and its peers' static keys, for ECDH-SS
 * (RFC 9053 §6.3.1): computed once per pair of keys and kept, so that a steady stream of
 * envelopes between two known devices costs no key agreement at all — each message still gets its
 * own content key from the PartyU nonce that goes into HKDF (cose-encrypt.ts).
 *
 * Entries are keyed by the peer's static public key and hold the own public key they were computed
 * with, so a lookup after either side rotated misses instead of returning a stale secret, even if
 * nobody called `forget`; `forget`/`clear` still drop a rotated-away secret at once rather than
 * leaving it in memory until evicted. What goes in is only ever a key the owner vouched for: the
 * sending side's recipients, and on the opening side a static key found to be the known key of
 * the envelope's signer (`remember` after the check, `peek` before it) — so a stream of envelopes
 * with made-up static keys cannot push the real peers out. Bounded: at most `maxPeers` entries,
 * least recently used evicted first (BoundedCache).
 */
import { BoundedCache } from './bounded-cache.js';
import { bytesEqual } from './bytes.js';
import type { CryptoSuite } from './crypto-suite.js';
import { toHex } from './hex.js';

interface Entry { ownPublic: Uint8Array; secret: Uint8Array }
interface OwnKeys { kexPrivate: Uint8Array; kexPublic: Uint8Array }

/** Default bound: the peers a device or the gateway talks to repeatedly (~100 bytes each). */
export const STATIC_SECRETS_MAX_PEERS = 4096;

export class StaticSecrets {
  readonly #entries: BoundedCache<Entry>;
  /** X25519 agreements made: computed by `secret` or brought by `remember` (cache misses); for tests and benchmarks. */
  computed = 0;

  constructor(maxPeers = STATIC_SECRETS_MAX_PEERS) {
    this.#entries = new BoundedCache(maxPeers);
  }

  get size(): number { return this.#entries.size; }

  /** The cached secret of `own` with `peerPublic`, if any. */
  peek(peerPublic: Uint8Array, own: OwnKeys): Uint8Array | undefined {
    const hit = this.#entries.get(toHex(peerPublic));
    return hit && bytesEqual(hit.ownPublic, own.kexPublic) ? hit.secret : undefined;
  }

  /** Keeps a secret computed elsewhere; only for a `peerPublic` known to be a peer's key. */
  remember(peerPublic: Uint8Array, own: OwnKeys, secret: Uint8Array): void {
    this.computed++;
    this.#entries.set(toHex(peerPublic), { ownPublic: own.kexPublic.slice(), secret });
  }

  /** X25519(own private, peer public), from the cache or computed and kept. Throws as `suite.x25519` does. */
  secret(peerPublic: Uint8Array, own: OwnKeys, suite: CryptoSuite): Uint8Array {
    const hit = this.peek(peerPublic, own);
    if (hit) return hit;
    const secret = suite.x25519(own.kexPrivate, peerPublic);
    this.remember(peerPublic, own, secret);
    return secret;
  }

  /** Drops the secret with a peer key that is no longer in use. */
  forget(peerPublic: Uint8Array): void { this.#entries.delete(toHex(peerPublic)); }

  /** Drops every secret (this device's own key changed). */
  clear(): void { this.#entries.clear(); }
}
