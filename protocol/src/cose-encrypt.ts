/**
 * The outer layer of the envelope: COSE_Encrypt (RFC 9052 §5.1), tag 96, content encrypted with
 * ChaCha20/Poly1305 (alg 24, RFC 9053 §4.3), one recipient using direct key agreement over X25519
 * (RFC 9053 §6.3.1) in one of two modes, the recipient's device id as its kid (4) in both:
 *
 * - ECDH-ES + HKDF-256 (alg -25): a fresh ephemeral key per message, carried as a COSE_Key in the
 *   recipient's unprotected header (-1). Needs nothing but the recipient's key: first contact,
 *   enrolment, rotation.
 * - ECDH-SS + HKDF-256 (alg -27): the sender's static X25519 key against the recipient's, the
 *   sender's static public key carried as a COSE_Key in the recipient's unprotected header (static
 *   key, -2), and a fresh random PartyU nonce (-22) per message that goes into the KDF context
 *   (RFC 9053 §5.2), so every message still gets its own content key while the X25519 secret of
 *   the pair is computed once and cached (static-secrets.ts).
 *   The key itself (-2) rather than its id (-3), for 40 bytes a message: the envelope stays
 *   self-contained — the recipient's private key and the signer's signing key open it, as they
 *   open an ECDH-ES one, so captures, audits and tools that track no X25519 keys still read it —
 *   and the check that matters is the same either way: envelope.ts refuses the envelope unless
 *   the key is the one the recipient knows for the inner COSE_Sign1's signer (SecureEndpoint
 *   always asks). The layout is that of the COSE WG example
 *   ecdh-direct-examples/p256-ss-hkdf-256-01.json (-2, 4, -22) on X25519.
 *
 * Direct key agreement means the recipient structure carries no encrypted key; we send its
 * ciphertext as a zero-length byte string — as the COSE WG examples do — and accept nil as well
 * on input (RFC 9052 §5.1 describes both for an absent ciphertext).
 */
import { decodeCbor, describe, encodeCbor, isBytes, tagged, untag } from './cbor.js';
import { CoseKeyError, coseKeyFromMap, coseKeyToMap } from './cose-key.js';
import { readHeaderBuckets, type HeaderBuckets } from './cose-headers.js';
import { Alg, Header } from './cose-labels.js';
import { encStructure, kdfContext } from './cose-structures.js';
import { assertLength } from './bytes.js';
import type { CryptoSuite } from './crypto-suite.js';
import { EnvelopeError } from './envelope-error.js';
import { assertDeviceId } from './topics.js';

export const COSE_ENCRYPT_TAG = 96;
const CEK_BITS = 256;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Serialized {1: 24}: the body's protected header. */
export const CONTENT_PROTECTED = encodeCbor(new Map([[Header.alg, Alg.ChaCha20Poly1305]]));
/** Serialized {1: -25}: the recipient's protected header for ECDH-ES + HKDF-256. */
export const RECIPIENT_PROTECTED = encodeCbor(new Map([[Header.alg, Alg.EcdhEsHkdf256]]));
/** Serialized {1: -27}: the recipient's protected header for ECDH-SS + HKDF-256. */
export const RECIPIENT_PROTECTED_SS = encodeCbor(new Map([[Header.alg, Alg.EcdhSsHkdf256]]));

/**
 * PartyU nonce we send with ECDH-SS: 16 random bytes, so two messages between the same two static
 * keys repeat a content key with probability about n²/2^129 after n messages.
 */
export const PARTY_U_NONCE_BYTES = 16;
/** PartyU nonces accepted: shorter ones would make repeated content keys likely; 64 is the longest the COSE WG examples use. */
const PARTY_U_NONCE_MIN = 16;
const PARTY_U_NONCE_MAX = 64;
/**
 * Recipient header labels ECDH-SS here does not use. Each would change the derived key (salt,
 * party info) or name the sender's key a second way (-1, -2), so they are refused rather than
 * ignored: one envelope, one reading.
 */
const SS_UNUSED_LABELS: ReadonlyArray<[number, string]> = [
  [Header.ephemeralKey, 'ephemeral key (-1)'], [Header.staticKeyId, 'static key id (-3)'], [Header.salt, 'salt (-20)'],
  [Header.partyUIdentity, 'PartyU identity (-21)'], [Header.partyUOther, 'PartyU other (-23)'], [Header.partyVIdentity, 'PartyV identity (-24)'],
  [Header.partyVNonce, 'PartyV nonce (-25)'], [Header.partyVOther, 'PartyV other (-26)'],
];

/**
 * COSE_recipient value [protected, {-1: ephemeral key, 4: kid}, h''].
 * The unprotected labels are written -1 then 4, as the COSE WG example does (unprotected
 * headers are not authenticated, so their order is free; matching the example lets a test
 * compare bytes).
 */
export function recipientStructure(kid: string, ephemeralPublic: Uint8Array, protectedBytes: Uint8Array = RECIPIENT_PROTECTED): unknown[] {
  const unprotected = new Map<number, unknown>([
    [Header.ephemeralKey, coseKeyToMap({ crv: 'X25519', x: ephemeralPublic })],
    [Header.kid, new TextEncoder().encode(kid)],
  ]);
  return [protectedBytes, unprotected, new Uint8Array(0)];
}

/**
 * ECDH-SS COSE_recipient value [protected, {-2: sender's static key, 4: kid, -22: PartyU nonce}, h''],
 * the labels in the order of the COSE WG example p256-ss-hkdf-256-01.
 */
export function recipientStructureSs(kid: string, staticPublic: Uint8Array, partyUNonce: Uint8Array, protectedBytes: Uint8Array = RECIPIENT_PROTECTED_SS): unknown[] {
  const unprotected = new Map<number, unknown>([
    [Header.staticKey, coseKeyToMap({ crv: 'X25519', x: staticPublic })],
    [Header.kid, new TextEncoder().encode(kid)],
    [Header.partyUNonce, partyUNonce],
  ]);
  return [protectedBytes, unprotected, new Uint8Array(0)];
}

/** Tagged COSE_Encrypt from its parts. */
export function encodeCoseEncrypt(protectedBytes: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, recipients: unknown[][]): Uint8Array {
  return tagged(COSE_ENCRYPT_TAG, encodeCbor([protectedBytes, new Map([[Header.iv, iv]]), ciphertext, recipients]));
}

/** CEK = HKDF-SHA-256(Z, no salt, COSE_KDF_Context) for ChaCha20/Poly1305 (RFC 9053 §6.3.1, §5.2). */
export function deriveContentKey(suite: CryptoSuite, sharedSecret: Uint8Array, recipientProtected: Uint8Array, partyUNonce?: Uint8Array): Uint8Array {
  return suite.hkdfSha256(sharedSecret, undefined, kdfContext(Alg.ChaCha20Poly1305, CEK_BITS, recipientProtected, partyUNonce), CEK_BITS / 8);
}

export interface EncryptOptions {
  /** Fixed ephemeral X25519 private key; tests only — reusing one breaks confidentiality. */
  ephemeralPrivate?: Uint8Array;
  /** Fixed IV; tests only. */
  iv?: Uint8Array;
}

export function encryptToRecipient(
  plaintext: Uint8Array,
  recipient: { id: string; kexPublic: Uint8Array },
  suite: CryptoSuite,
  opts: EncryptOptions = {},
): Uint8Array {
  assertDeviceId(recipient.id, 'recipient.id');
  assertLength('recipient.kexPublic', recipient.kexPublic, 32);
  const ephemeralPrivate = opts.ephemeralPrivate ?? suite.randomBytes(32);
  assertLength('ephemeralPrivate', ephemeralPrivate, 32);
  const iv = opts.iv ?? suite.randomBytes(IV_BYTES);
  assertLength('iv', iv, IV_BYTES);

  const ephemeralPublic = suite.x25519PublicFromPrivate(ephemeralPrivate);
  const cek = deriveContentKey(suite, suite.x25519(ephemeralPrivate, recipient.kexPublic), RECIPIENT_PROTECTED);
  const ciphertext = suite.chachaSeal(cek, iv, encStructure('Encrypt', CONTENT_PROTECTED), plaintext);
  return encodeCoseEncrypt(CONTENT_PROTECTED, iv, ciphertext, [recipientStructure(recipient.id, ephemeralPublic)]);
}

export interface StaticEncryptOptions {
  /** Fixed PartyU nonce; tests only — reusing one between the same keys repeats the content key. */
  partyUNonce?: Uint8Array;
  /** Fixed IV; tests only. */
  iv?: Uint8Array;
}

/**
 * ECDH-SS + HKDF-256: encrypts to `recipientId` with `sharedSecret` = X25519(sender's static
 * private key, recipient's static public key), which the caller computes (or takes from its
 * StaticSecrets cache); `senderStatic` is the sender's static public key, sent as -2.
 */
export function encryptStaticToRecipient(
  plaintext: Uint8Array,
  parties: { senderStatic: Uint8Array; recipientId: string; sharedSecret: Uint8Array },
  suite: CryptoSuite,
  opts: StaticEncryptOptions = {},
): Uint8Array {
  assertLength('sender static key', parties.senderStatic, 32);
  assertDeviceId(parties.recipientId, 'recipient id');
  assertLength('shared secret', parties.sharedSecret, 32);
  const nonce = opts.partyUNonce ?? suite.randomBytes(PARTY_U_NONCE_BYTES);
  if (!(nonce instanceof Uint8Array) || nonce.length < PARTY_U_NONCE_MIN || nonce.length > PARTY_U_NONCE_MAX) {
    throw new RangeError(`partyUNonce: expected ${PARTY_U_NONCE_MIN}–${PARTY_U_NONCE_MAX} bytes, got ${nonce instanceof Uint8Array ? nonce.length : typeof nonce}`);
  }
  const iv = opts.iv ?? suite.randomBytes(IV_BYTES);
  assertLength('iv', iv, IV_BYTES);
  const cek = deriveContentKey(suite, parties.sharedSecret, RECIPIENT_PROTECTED_SS, nonce);
  const ciphertext = suite.chachaSeal(cek, iv, encStructure('Encrypt', CONTENT_PROTECTED), plaintext);
  return encodeCoseEncrypt(CONTENT_PROTECTED, iv, ciphertext, [recipientStructureSs(parties.recipientId, parties.senderStatic, nonce)]);
}

/** The recipient, by key agreement mode. */
export type ParsedRecipient =
  | { alg: typeof Alg.EcdhEsHkdf256; protectedBytes: Uint8Array; kid: string; ephemeralPublic: Uint8Array }
  | { alg: typeof Alg.EcdhSsHkdf256; protectedBytes: Uint8Array; kid: string; staticPublic: Uint8Array; partyUNonce: Uint8Array };

export interface ParsedEncrypt {
  protectedBytes: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  recipient: ParsedRecipient;
}

/** Structural checks only; throws EnvelopeError('malformed') naming the field at fault. */
export function decodeCoseEncrypt(bytes: Uint8Array): ParsedEncrypt {
  const fail = (msg: string): never => {
    throw new EnvelopeError('malformed', `COSE_Encrypt: ${msg}`);
  };
  const body = untag(COSE_ENCRYPT_TAG, bytes);
  if (!body) return fail('expected CBOR tag 96 (RFC 9052 §5.1)');
  let value: unknown;
  try {
    value = decodeCbor(body, 'COSE_Encrypt');
  } catch (err) {
    throw new EnvelopeError('malformed', (err as Error).message);
  }
  if (!Array.isArray(value) || value.length !== 4) {
    return fail(`expected [protected, unprotected, ciphertext, recipients] (RFC 9052 §5.1), got ${describe(value)}`);
  }
  const [prot, unprot, ciphertext, recipients] = value as unknown[];
  const headers = readHeaderBuckets(prot, unprot, 'COSE_Encrypt', 'malformed');

  const alg = headers.protected.get(Header.alg);
  if (alg !== Alg.ChaCha20Poly1305) fail(`protected alg (1) must be 24 (ChaCha20/Poly1305, RFC 9053 §4.3), got ${describe(alg)}`);
  const iv = headers.unprotected.get(Header.iv);
  if (!isBytes(iv) || iv.length !== IV_BYTES) fail(`unprotected iv (5) must be ${IV_BYTES} bytes (RFC 9053 §4.3), got ${describe(iv)}`);
  if (headers.protected.has(6) || headers.unprotected.has(6)) fail('Partial IV (6) is not supported with a full iv (5) (RFC 9052 §3.1)');
  if (!isBytes(ciphertext)) fail(`ciphertext must be an attached byte string (RFC 9052 §5.1), got ${describe(ciphertext)}`);
  if ((ciphertext as Uint8Array).length < TAG_BYTES) fail(`ciphertext shorter than the ${TAG_BYTES}-byte Poly1305 tag (RFC 9053 §4.3)`);
  if (!Array.isArray(recipients) || recipients.length !== 1) {
    fail(`recipients must be an array of exactly one COSE_recipient (RFC 9052 §5.1), got ${describe(recipients)}`);
  }

  return {
    protectedBytes: headers.protectedBytes,
    iv: iv as Uint8Array,
    ciphertext: ciphertext as Uint8Array,
    recipient: decodeRecipient((recipients as unknown[])[0]),
  };
}

function decodeRecipient(value: unknown): ParsedRecipient {
  const fail = (msg: string): never => {
    throw new EnvelopeError('malformed', `COSE_Encrypt recipient: ${msg}`);
  };
  if (!Array.isArray(value) || value.length !== 3) {
    return fail(`expected [protected, unprotected, ciphertext] without nested recipients (RFC 9052 §5.1), got ${describe(value)}`);
  }
  const [prot, unprot, ciphertext] = value as unknown[];
  const headers = readHeaderBuckets(prot, unprot, 'COSE_Encrypt recipient', 'malformed');

  const alg = headers.protected.get(Header.alg);
  if (alg !== Alg.EcdhEsHkdf256 && alg !== Alg.EcdhSsHkdf256) {
    fail(`protected alg (1) must be -25 (ECDH-ES + HKDF-256) or -27 (ECDH-SS + HKDF-256), RFC 9053 §6.3.1, got ${describe(alg)}`);
  }
  if (!(ciphertext === null || (isBytes(ciphertext) && ciphertext.length === 0))) {
    fail(`ciphertext must be empty or nil for direct key agreement (RFC 9052 §5.1), got ${describe(ciphertext)}`);
  }
  if (alg === Alg.EcdhSsHkdf256) return decodeStaticRecipient(headers, fail);

  const ephemeralPublic = x25519Label(headers.unprotected.get(Header.ephemeralKey), 'ephemeral key (-1)', fail);
  return { alg: Alg.EcdhEsHkdf256, protectedBytes: headers.protectedBytes, kid: deviceIdLabel(headers.unprotected.get(Header.kid), 'kid (4)', 'the recipient id', fail), ephemeralPublic };
}

/** An X25519 public COSE_Key in a header: well-formed, no private part, canonical. */
function x25519Label(value: unknown, name: string, fail: (msg: string) => never): Uint8Array {
  let x: Uint8Array;
  try {
    x = coseKeyFromMap(value, { crv: 'X25519', private: false }, name).x;
  } catch (err) {
    if (err instanceof CoseKeyError) return fail(`${err.message} (RFC 9053 §6.4.1)`);
    throw err;
  }
  if (!isCanonicalX25519(x)) {
    // X25519 ignores bit 255 and reduces mod p (RFC 7748 §5), so other encodings of the same key
    // would open too; refusing them keeps one envelope one byte string.
    return fail(`${name} x (-2) is not a canonical X25519 u-coordinate (must be < 2^255 - 19, RFC 7748 §5)`);
  }
  return x;
}

/** ECDH-SS: static key (-2) and PartyU nonce (-22), nothing that would derive the key another way. */
function decodeStaticRecipient(headers: HeaderBuckets, fail: (msg: string) => never): ParsedRecipient {
  for (const [label, name] of SS_UNUSED_LABELS) {
    if (headers.protected.has(label) || headers.unprotected.has(label)) {
      fail(`${name} is not used with ECDH-SS here (the sender's key is the static key -2, the KDF takes only the PartyU nonce -22; RFC 9053 §6.3.1, §5.2)`);
    }
  }
  const staticPublic = x25519Label(headers.unprotected.get(Header.staticKey), 'static key (-2)', fail);
  const nonce = headers.unprotected.get(Header.partyUNonce);
  if (!isBytes(nonce) || nonce.length < PARTY_U_NONCE_MIN || nonce.length > PARTY_U_NONCE_MAX) {
    fail(`PartyU nonce (-22) must be a byte string of ${PARTY_U_NONCE_MIN}–${PARTY_U_NONCE_MAX} bytes (ECDH-SS needs a fresh nonce per message, RFC 9053 §6.3.1), got ${describe(nonce)}`);
  }
  const kid = deviceIdLabel(headers.unprotected.get(Header.kid), 'kid (4)', 'the recipient id', fail);
  return { alg: Alg.EcdhSsHkdf256, protectedBytes: headers.protectedBytes, kid, staticPublic, partyUNonce: nonce as Uint8Array };
}

/** A header value holding a device id as UTF-8 bytes. */
function deviceIdLabel(value: unknown, name: string, holding: string, fail: (msg: string) => never): string {
  if (!isBytes(value)) return fail(`${name} must be a byte string holding ${holding}, got ${describe(value)}`);
  let id: string;
  try {
    id = utf8.decode(value);
    assertDeviceId(id, name);
  } catch (err) {
    return fail(`${name} is not a device id (${(err as Error).message})`);
  }
  return id;
}

/** u < p = 2^255 - 19, little-endian (RFC 7748 §5). */
function isCanonicalX25519(u: Uint8Array): boolean {
  if (u[31]! < 0x7f) return true;
  if (u[31]! > 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (u[i] !== 0xff) return true;
  return u[0]! < 0xed;
}

/**
 * The X25519 secret of an ECDH-ES recipient: ours against its ephemeral key. EnvelopeError
 * 'malformed' when the ephemeral key is a small-order point (the shared secret would be public).
 */
export function ephemeralSecret(recipient: ParsedRecipient & { alg: typeof Alg.EcdhEsHkdf256 }, kexPrivate: Uint8Array, suite: CryptoSuite): Uint8Array {
  try {
    return suite.x25519(kexPrivate, recipient.ephemeralPublic);
  } catch (err) {
    throw new EnvelopeError('malformed', `COSE_Encrypt recipient: ephemeral key (-1) unusable: ${(err as Error).message}`);
  }
}

/** The plaintext, decrypted with the content key derived from `sharedSecret`; EnvelopeError 'decrypt-failed' when the AEAD tag does not verify. */
export function decryptWithSecret(parsed: ParsedEncrypt, sharedSecret: Uint8Array, suite: CryptoSuite): Uint8Array {
  const r = parsed.recipient;
  const cek = deriveContentKey(suite, sharedSecret, r.protectedBytes, r.alg === Alg.EcdhSsHkdf256 ? r.partyUNonce : undefined);
  const plaintext = suite.chachaOpen(cek, parsed.iv, encStructure('Encrypt', parsed.protectedBytes), parsed.ciphertext);
  if (!plaintext) throw new EnvelopeError('decrypt-failed', 'COSE_Encrypt: ChaCha20/Poly1305 tag did not verify (wrong key, or the message was altered)');
  return plaintext;
}

/**
 * The plaintext, or EnvelopeError: 'malformed' when the ephemeral or static key is a small-order
 * point (the shared secret would be public), 'decrypt-failed' when the AEAD tag does not verify.
 * Checks nothing about whose the static key is (envelope.ts does) and caches nothing.
 */
export function decryptParsed(parsed: ParsedEncrypt, kexPrivate: Uint8Array, suite: CryptoSuite): Uint8Array {
  const r = parsed.recipient;
  const secret = r.alg === Alg.EcdhEsHkdf256 ? ephemeralSecret(r, kexPrivate, suite) : staticSecret(() => suite.x25519(kexPrivate, r.staticPublic));
  return decryptWithSecret(parsed, secret, suite);
}

/** Runs an ECDH-SS agreement; a small-order static key becomes EnvelopeError 'malformed'. */
export function staticSecret(agree: () => Uint8Array): Uint8Array {
  try {
    return agree();
  } catch (err) {
    throw new EnvelopeError('malformed', `COSE_Encrypt recipient: static key (-2) unusable: ${(err as Error).message}`);
  }
}
