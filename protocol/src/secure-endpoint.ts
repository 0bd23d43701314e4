/**
 * One device's side of the secure channel: seals messages to known peers and opens what arrives,
 * with its own sequence counter and replay window. Gateway and agent both talk through this.
 *
 * Key agreement (cose-encrypt.ts): a message a recipient may get before it holds the sender's
 * keys — hello, enrol, confirm, rotate — goes with ECDH-ES (-25); everything else with ECDH-SS
 * (-27), the X25519 secret of each peer pair computed once (StaticSecrets) and a fresh PartyU
 * nonce per message: `npm run bench -- envelope` measures it faster than ECDH-ES on both seal and
 * open. Both are accepted on input; an ECDH-SS envelope only with the static key this endpoint
 * knows for its signer. The secret of a peer is forgotten when its keys change (addPeer with
 * another kex key, rotatePeer), all of them when this endpoint's own keys do.
 */
import { seal, open, EnvelopeError, type KeyAgreement, type OpenOptions, type Opened } from './envelope.js';
import type { DeviceKeys, PublicDeviceKeys } from './keys.js';
import { ReplayWindow } from './replay-window.js';
import { decodeMessage, encodeMessage, type Message } from './messages.js';
import { MessageError } from './fields.js';
import { BoundedCache } from './bounded-cache.js';
import { MESSAGE_SIZE_LIMITS } from './message-limits.js';
import { bytesEqual } from './bytes.js';
import { keyFingerprint } from './key-rotation.js';
import { StaticSecrets } from './static-secrets.js';

export interface Received { sender: string; message: Message; bytes: number }

/** A rejected inbound message: `reason` is the envelope's, 'bad-message', or 'stale-key'. */
export class Rejected extends Error {
  constructor(readonly reason: string, detail: string) { super(detail); this.name = 'Rejected'; }
}

/** How many retired keys per peer are kept to tell a stale key from a forgery. */
const RETIRED_PER_PEER = 4;

/** Messages that introduce a device (or its new keys) to a recipient that may not hold its keys yet: always ECDH-ES. */
const INTRODUCTIONS: ReadonlySet<Message['t']> = new Set(['hello', 'enrol', 'confirm', 'rotate']);

/** A key pair a peer rotated away from; `kex` unknown when this endpoint never held the peer's old keys. */
interface RetiredKeys { sign: Uint8Array; kex: Uint8Array | undefined }

export class SecureEndpoint {
  private seq: number;
  readonly peers: BoundedCache<PublicDeviceKeys>;
  private readonly replay: ReplayWindow;
  #keys: DeviceKeys;
  /** Keys a rotation in progress will switch to; envelopes sealed to them open too (the `rotated` answer is). */
  #staged: DeviceKeys | undefined;
  /** Keys peers rotated away from, so their envelopes are refused as 'stale-key', not as forgeries. */
  readonly #retired: BoundedCache<RetiredKeys[]>;
  /** X25519 secrets with peers' static keys, for ECDH-SS. */
  readonly secrets: StaticSecrets;
  /** How this endpoint seals to known peers (introductions always go with ECDH-ES). */
  readonly keyAgreement: KeyAgreement;
  /**
   * The enrolled keys of a device that is not among `peers` (gateway: the device store). Consulted
   * for a `rotate` only, which may come from a device that never said hello to this gateway (its
   * agent stopped, `layerfleet keys rotate`); everything else still needs a hello first.
   */
  enrolledKeys: ((id: string) => PublicDeviceKeys | undefined) | null = null;

  constructor(keys: DeviceKeys, opts: { maxPeers?: number; maxBytes?: number; replay?: ReplayWindow; keyAgreement?: KeyAgreement } = {}) {
    this.#keys = keys;
    // Sequence numbers start from the clock (µs) so they keep rising across restarts and a
    // rebooted device is not mistaken for a replayer.
    this.seq = Date.now() * 1000;
    this.peers = new BoundedCache(opts.maxPeers ?? 10_000);
    this.#retired = new BoundedCache(opts.maxPeers ?? 10_000);
    this.replay = opts.replay ?? new ReplayWindow();
    this.maxBytes = opts.maxBytes;
    this.secrets = new StaticSecrets(opts.maxPeers ?? 10_000);
    this.keyAgreement = opts.keyAgreement ?? 'ecdh-ss';
  }
  private readonly maxBytes: number | undefined;

  get keys(): DeviceKeys { return this.#keys; }
  get id(): string { return this.#keys.id; }

  addPeer(peer: PublicDeviceKeys): void {
    const before = this.peers.get(peer.id);
    if (before && !bytesEqual(before.kexPublic, peer.kexPublic)) this.secrets.forget(before.kexPublic);
    this.peers.set(peer.id, peer);
  }

  /** A peer's new keys after it rotated away from `retiredSign`, which is refused from now on. */
  rotatePeer(peer: PublicDeviceKeys, retiredSign: Uint8Array): void {
    const before = this.peers.get(peer.id);
    if (!bytesEqual(retiredSign, peer.signPublic)) {
      // The old static key too, when this endpoint held the pair being retired.
      const kex = before && bytesEqual(before.signPublic, retiredSign) && !bytesEqual(before.kexPublic, peer.kexPublic) ? before.kexPublic : undefined;
      this.#retired.set(peer.id, [{ sign: retiredSign, kex }, ...(this.#retired.get(peer.id) ?? [])].slice(0, RETIRED_PER_PEER));
    }
    if (before && !bytesEqual(before.kexPublic, peer.kexPublic)) this.secrets.forget(before.kexPublic);
    this.peers.set(peer.id, peer);
  }

  /** Also opens envelopes sealed to `next` until `rekey` or `unstage` (see key-rotation.ts). */
  stage(next: DeviceKeys): void {
    if (next.id !== this.#keys.id) throw new Error(`stage: keys of ${next.id}, but this endpoint is ${this.#keys.id}`);
    this.#staged = next;
  }

  unstage(): void { this.#staged = undefined; }

  /**
   * Switches this endpoint to `next`. The sequence counter carries on, so receivers that track this
   * sender by id (replay windows) accept what it sends next without being reset.
   */
  rekey(next: DeviceKeys): void {
    if (next.id !== this.#keys.id) throw new Error(`rekey: keys of ${next.id}, but this endpoint is ${this.#keys.id}`);
    this.#keys = next;
    this.#staged = undefined;
    this.secrets.clear();
  }

  seal(to: string, topic: string, message: Message): Uint8Array {
    const peer = this.peers.get(to);
    if (!peer) throw new Error(`no keys for recipient ${to}`);
    const keyAgreement = INTRODUCTIONS.has(message.t) ? 'ecdh-es' : this.keyAgreement;
    return seal({ sender: this.#keys, recipient: peer, topic, seq: ++this.seq, ts: Date.now(), payload: encodeMessage(message), keyAgreement, secrets: this.secrets });
  }

  /** The X25519 key a sender of ECDH-SS envelopes is known by: a peer's, or (for a rotate) the enrolled one. */
  private senderKexKey(id: string): Uint8Array | undefined {
    return this.peers.get(id)?.kexPublic ?? this.enrolledKeys?.(id)?.kexPublic;
  }

  /**
   * Opens an envelope from a known peer. `selfCertified` lets a first `hello` carry the keys
   * that verify it (proof of possession of the signing key it announces).
   */
  open(topic: string, data: Uint8Array, selfCertified = false): Received {
    let kid: string | undefined;
    const senderKey = (id: string, unverifiedPayload?: Uint8Array): Uint8Array | undefined => {
      kid = id;
      const known = this.peers.get(id)?.signPublic;
      if (known || !unverifiedPayload) return known;
      let m: Message;
      try {
        m = decodeMessage(unverifiedPayload);
      } catch {
        return undefined; // rejected as unknown sender
      }
      // Only the messages that introduce a device may carry the key that verifies them.
      if (selfCertified && (m.t === 'hello' || m.t === 'enrol')) return m.sign;
      if (m.t === 'rotate') return this.enrolledKeys?.(id)?.signPublic;
      return undefined;
    };
    let signer: string | undefined;
    const senderKexKey = (id: string): Uint8Array | undefined => {
      signer = id;
      return this.senderKexKey(id);
    };
    const base = { topic, senderKey, senderKexKey, secrets: this.secrets, ...(this.maxBytes ? { maxBytes: this.maxBytes } : {}) };
    let opened: Opened;
    try {
      opened = this.openSealed(data, { ...base, recipient: this.#keys, replay: this.replay });
    } catch (err) {
      if (!(err instanceof EnvelopeError)) throw err;
      if (err.reason === 'bad-signature' && kid !== undefined) this.refuseStaleKey(kid, data, base);
      // ECDH-SS from a peer's old static key is refused before its signature is checked.
      if (err.reason === 'static-key-mismatch' && signer !== undefined) this.refuseStaleKey(signer, data, base);
      throw new Rejected(err.reason, err.message);
    }
    let message: Message;
    try {
      message = decodeMessage(opened.payload);
    } catch (err) {
      if (err instanceof MessageError) throw new Rejected('bad-message', `from ${opened.sender}: ${err.message}`);
      throw err;
    }
    const limit = MESSAGE_SIZE_LIMITS[message.t];
    if (opened.payload.length > limit) throw new Rejected('oversize-message', `from ${opened.sender}: ${message.t} of ${opened.payload.length} bytes, over its limit of ${limit}`);
    return { sender: opened.sender, message, bytes: data.length };
  }

  private openSealed(data: Uint8Array, opts: OpenOptions): Opened {
    try {
      return open(data, opts);
    } catch (err) {
      const staged = this.#staged;
      if (!(err instanceof EnvelopeError) || err.reason !== 'decrypt-failed' || !staged) throw err;
      return open(data, { ...opts, recipient: staged });
    }
  }

  /** Throws 'stale-key' when the envelope opens with keys `kid` rotated away from. */
  private refuseStaleKey(kid: string, data: Uint8Array, base: Omit<OpenOptions, 'recipient'>): void {
    for (const old of this.#retired.get(kid) ?? []) {
      const oldKex = old.kex;
      try {
        // No replay window here: a refused envelope must not use up its sequence number; and no
        // secrets cache, which is for keys in use. An old static key this endpoint never held is
        // not checked: the retired signing key is what tells the stale from the forged.
        open(data, { topic: base.topic, ...(base.maxBytes ? { maxBytes: base.maxBytes } : {}), recipient: this.#keys, senderKey: () => old.sign, ...(oldKex ? { senderKexKey: () => oldKex } : {}) });
      } catch {
        continue;
      }
      throw new Rejected('stale-key', `envelope from ${kid} signed with key ${keyFingerprint(old.sign)}, which it rotated away from`);
    }
  }
}
