/**
 * The envelope every message across the broker travels in (DESIGN.md "Wire formats" →
 * "Envelope"): signed, then encrypted, in standard COSE so that other implementations can check
 * it.
 *
 *   COSE_Encrypt (tag 96, ChaCha20/Poly1305, one recipient over X25519: ECDH-ES + HKDF-256, or
 *   │             ECDH-SS + HKDF-256 with a per-message PartyU nonce when both keys are known)
 *     └─ ciphertext of: COSE_Sign1 (tag 18, EdDSA/Ed25519, kid = sender id, protected)
 *          └─ payload: signed content {to, topic, seq, ts, body} (see envelope-content.ts)
 *
 * ECDH-SS only changes how the content key is agreed: the signature, the signed addressee and
 * topic, and the replay window's seq/ts are the same in both modes; `open` also refuses an
 * ECDH-SS envelope whose static key (-2) is not the one it knows for the COSE_Sign1's signer.
 *
 * `open` runs its checks cheapest and least trusting first — size, structure, addressee,
 * decryption, signature, then the signed claims — and throws only EnvelopeError, whatever
 * bytes arrive.
 */
import { bytesEqual, plainBytes } from './bytes.js';
import type { CryptoSuite } from './crypto-suite.js';
import {
  decodeCoseEncrypt, decryptWithSecret, encryptStaticToRecipient, encryptToRecipient, ephemeralSecret, staticSecret,
} from './cose-encrypt.js';
import { Alg } from './cose-labels.js';
import { decodeSign1, signSign1, verifySign1 } from './cose-sign1.js';
import { nativeCrypto } from './crypto-native.js';
import { assertContent, decodeContent, encodeContent } from './envelope-content.js';
import { EnvelopeError } from './envelope-error.js';
import type { DeviceKeys } from './keys.js';
import type { ReplayWindow } from './replay-window.js';
import type { StaticSecrets } from './static-secrets.js';
import { assertDeviceId } from './topics.js';

export { EnvelopeError, type EnvelopeRejection } from './envelope-error.js';

/** Largest envelope `open` decodes by default (4 MiB); about 300 bytes of it are COSE overhead. */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

export interface SealInput {
  sender: DeviceKeys;
  recipient: { id: string; kexPublic: Uint8Array };
  topic: string;
  seq: number;
  ts: number;
  payload: Uint8Array;
  /**
   * 'ecdh-es' (default, alg -25): a fresh ephemeral key; the recipient needs to know nothing of the
   * sender's X25519 key. 'ecdh-ss' (alg -27): the sender's static key with a fresh PartyU nonce;
   * only for a recipient that already holds the sender's static key (a known peer).
   */
  keyAgreement?: KeyAgreement;
  /** ECDH-SS: where the pair's X25519 secret is kept between messages; without it, computed each time. */
  secrets?: StaticSecrets;
  /** Tests only: fixes the otherwise random ephemeral X25519 key. */
  ephemeralPrivate?: Uint8Array;
  /** Tests only: fixes the otherwise random ECDH-SS PartyU nonce. */
  partyUNonce?: Uint8Array;
  /** Tests only: fixes the otherwise random 12-byte IV. */
  iv?: Uint8Array;
}

export type KeyAgreement = 'ecdh-es' | 'ecdh-ss';

/** Signs then encrypts; throws TypeError/RangeError naming the input at fault. */
export function seal(input: SealInput, suite: CryptoSuite = nativeCrypto): Uint8Array {
  const { sender, recipient } = input;
  assertDeviceId(sender.id, 'sender.id');
  const content = { to: recipient.id, topic: input.topic, seq: input.seq, ts: input.ts, body: input.payload };
  assertContent(content);
  const sign1 = signSign1(sender.id, encodeContent(content), sender.signSeed, suite);
  let out: Uint8Array;
  if (input.keyAgreement === 'ecdh-ss') {
    const sharedSecret = input.secrets
      ? input.secrets.secret(recipient.kexPublic, sender, suite)
      : suite.x25519(sender.kexPrivate, recipient.kexPublic);
    out = encryptStaticToRecipient(sign1, { senderStatic: sender.kexPublic, recipientId: recipient.id, sharedSecret }, suite, {
      ...(input.partyUNonce ? { partyUNonce: input.partyUNonce } : {}),
      ...(input.iv ? { iv: input.iv } : {}),
    });
  } else {
    out = encryptToRecipient(sign1, recipient, suite, {
      ...(input.ephemeralPrivate ? { ephemeralPrivate: input.ephemeralPrivate } : {}),
      ...(input.iv ? { iv: input.iv } : {}),
    });
  }
  if (out.length > MAX_ENVELOPE_BYTES) {
    throw new RangeError(`payload: envelope would be ${out.length} bytes, over MAX_ENVELOPE_BYTES (${MAX_ENVELOPE_BYTES}); recipients refuse it`);
  }
  return plainBytes(out);
}

export interface OpenOptions {
  recipient: DeviceKeys;
  /** The topic the message arrived on; must equal the one the sender signed. */
  topic: string;
  /**
   * Ed25519 public key of a known sender, undefined for an unknown one. `unverifiedBody` is the
   * not-yet-verified application payload, for the one self-certifying case: a first announcement
   * that carries the very key it is signed with (proof of possession). Trust nothing else in it.
   */
  senderKey(id: string, unverifiedBody: Uint8Array): Uint8Array | undefined;
  /**
   * X25519 static public key of a known sender, for ECDH-SS (-27) envelopes: their static key (-2)
   * must be the one this returns for the COSE_Sign1's signer — 'unknown-sender' when it returns
   * undefined, 'static-key-mismatch' when it differs. Without the function, the static key is
   * taken as it comes (tools reading a capture): it then proves as little and as much as an
   * ECDH-ES ephemeral key, the signature still proves the sender. ECDH-ES envelopes never call it.
   */
  senderKexKey?(id: string): Uint8Array | undefined;
  /** ECDH-SS: where the pair's X25519 secret is kept between messages; without it, computed each time. */
  secrets?: StaticSecrets;
  /** When given, seq/ts are checked against it and recorded once everything else passed. */
  replay?: ReplayWindow;
  /** Milliseconds since the epoch; default Date.now(). */
  now?: number;
  /** Default MAX_ENVELOPE_BYTES. */
  maxBytes?: number;
  suite?: CryptoSuite;
}

export interface Opened {
  sender: string;
  recipient: string;
  topic: string;
  seq: number;
  ts: number;
  payload: Uint8Array;
}

export function open(bytes: Uint8Array, opts: OpenOptions): Opened {
  const suite = opts.suite ?? nativeCrypto;
  const maxBytes = opts.maxBytes ?? MAX_ENVELOPE_BYTES;

  // 1. Size, before any decoding, so a flood of huge messages costs nothing but this compare.
  if (!(bytes instanceof Uint8Array)) throw new EnvelopeError('malformed', `envelope: expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length > maxBytes) throw new EnvelopeError('oversize', `envelope: ${bytes.length} bytes, limit ${maxBytes}`);

  // 2. Structure of the outer COSE_Encrypt.
  const outer = decodeCoseEncrypt(bytes);

  // 3. Addressed to us? (Cheap, and tells a misrouted message from a tampered one.)
  if (outer.recipient.kid !== opts.recipient.id) {
    throw new EnvelopeError('wrong-recipient', `COSE_Encrypt recipient kid (4) is ${JSON.stringify(outer.recipient.kid)}, this device is ${JSON.stringify(opts.recipient.id)}`);
  }

  // 4. Decrypt: with the ephemeral key (ECDH-ES) or the sender's static key (ECDH-SS), the pair's
  // secret from the cache when this static key was checked before.
  const r = outer.recipient;
  let sharedSecret: Uint8Array;
  let cached = false;
  if (r.alg === Alg.EcdhEsHkdf256) {
    sharedSecret = ephemeralSecret(r, opts.recipient.kexPrivate, suite);
  } else {
    const hit = opts.secrets?.peek(r.staticPublic, opts.recipient);
    cached = hit !== undefined;
    sharedSecret = hit ?? staticSecret(() => suite.x25519(opts.recipient.kexPrivate, r.staticPublic));
  }
  // 5. The inner COSE_Sign1's structure; for ECDH-SS the static key must be its signer's.
  const sign1 = decodeSign1(decryptWithSecret(outer, sharedSecret, suite));
  if (r.alg === Alg.EcdhSsHkdf256 && opts.senderKexKey) {
    const known = opts.senderKexKey(sign1.kid);
    if (!known) {
      throw new EnvelopeError('unknown-sender', `COSE_Sign1 kid (4) ${JSON.stringify(sign1.kid)} is not a known device: no static key to check the ECDH-SS static key (-2) against (first contact uses ECDH-ES, -25)`);
    }
    if (!bytesEqual(known, r.staticPublic)) {
      throw new EnvelopeError('static-key-mismatch', `ECDH-SS static key (-2) is not the static key of ${JSON.stringify(sign1.kid)}, the COSE_Sign1's signer (another device's key, or one it rotated away from)`);
    }
    if (!cached) opts.secrets?.remember(r.staticPublic, opts.recipient, sharedSecret);
  }

  // 6. Known signer? 7. Signature. The signed content is parsed first (unverified) because
  // senderKey may need its body for self-certifying first contact; a parse failure is therefore
  // reported as malformed-inner even when the signature would not have verified either.
  const content = decodeContent(sign1.payload);
  const signPublic = opts.senderKey(sign1.kid, content.body);
  if (!signPublic) throw new EnvelopeError('unknown-sender', `COSE_Sign1 kid (4) ${JSON.stringify(sign1.kid)} is not a known device`);
  if (!verifySign1(sign1, signPublic, suite)) {
    throw new EnvelopeError('bad-signature', `COSE_Sign1: EdDSA signature does not verify with the key of ${JSON.stringify(sign1.kid)}`);
  }

  // 8. The signed claims: addressee, topic, freshness.
  if (content.to !== opts.recipient.id) {
    throw new EnvelopeError('recipient-mismatch', `signed to (1) is ${JSON.stringify(content.to)} but the envelope was encrypted to ${JSON.stringify(opts.recipient.id)} (re-encrypted by someone else?)`);
  }
  if (content.topic !== opts.topic) {
    throw new EnvelopeError('topic-mismatch', `signed topic (2) is ${JSON.stringify(content.topic)}, received on ${JSON.stringify(opts.topic)}`);
  }
  if (opts.replay) {
    const now = opts.now ?? Date.now();
    const verdict = opts.replay.check(sign1.kid, content.seq, content.ts, now);
    if (verdict) {
      throw new EnvelopeError(verdict, `seq (3) ${content.seq} / ts (4) ${content.ts} from ${JSON.stringify(sign1.kid)} refused by the replay window (now ${now})`);
    }
    opts.replay.accept(sign1.kid, content.seq, content.ts);
  }

  return {
    sender: sign1.kid,
    recipient: content.to,
    topic: content.topic,
    seq: content.seq,
    ts: content.ts,
    payload: plainBytes(content.body),
  };
}
