/**
 * The outer layer of the envelope: COSE_Encrypt (RFC 9052 §5.1), tag 96, content encrypted with
 * ChaCha20/Poly1305 (alg 24, RFC 9053 §4.3), one recipient using ECDH-ES + HKDF-256 (alg -25,
 * RFC 9053 §6.3.1) over X25519: a fresh ephemeral key per message, carried as a COSE_Key in the
 * recipient's unprotected header (-1), the recipient's device id as its kid (4).
 *
 * Direct key agreement means the recipient structure carries no encrypted key; we send its
 * ciphertext as a zero-length byte string — as the COSE WG example
 * X25519-tests/x25519-hkdf-256-direct.json does — and accept nil as well on input
 * (RFC 9052 §5.1 describes both for an absent ciphertext).
 */
import { decodeCbor, describe, encodeCbor, isBytes, tagged, untag } from './cbor.js';
import { CoseKeyError, coseKeyFromMap, coseKeyToMap } from './cose-key.js';
import { readHeaderBuckets } from './cose-headers.js';
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
/** Serialized {1: -25}: the recipient's protected header. */
export const RECIPIENT_PROTECTED = encodeCbor(new Map([[Header.alg, Alg.EcdhEsHkdf256]]));

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

/** Tagged COSE_Encrypt from its parts. */
export function encodeCoseEncrypt(protectedBytes: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, recipients: unknown[][]): Uint8Array {
  return tagged(COSE_ENCRYPT_TAG, encodeCbor([protectedBytes, new Map([[Header.iv, iv]]), ciphertext, recipients]));
}

/** CEK = HKDF-SHA-256(Z, no salt, COSE_KDF_Context) for ChaCha20/Poly1305 (RFC 9053 §6.3.1, §5.2). */
export function deriveContentKey(suite: CryptoSuite, sharedSecret: Uint8Array, recipientProtected: Uint8Array): Uint8Array {
  return suite.hkdfSha256(sharedSecret, undefined, kdfContext(Alg.ChaCha20Poly1305, CEK_BITS, recipientProtected), CEK_BITS / 8);
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

export interface ParsedEncrypt {
  protectedBytes: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  recipient: { protectedBytes: Uint8Array; kid: string; ephemeralPublic: Uint8Array };
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

function decodeRecipient(value: unknown): ParsedEncrypt['recipient'] {
  const fail = (msg: string): never => {
    throw new EnvelopeError('malformed', `COSE_Encrypt recipient: ${msg}`);
  };
  if (!Array.isArray(value) || value.length !== 3) {
    return fail(`expected [protected, unprotected, ciphertext] without nested recipients (RFC 9052 §5.1), got ${describe(value)}`);
  }
  const [prot, unprot, ciphertext] = value as unknown[];
  const headers = readHeaderBuckets(prot, unprot, 'COSE_Encrypt recipient', 'malformed');

  const alg = headers.protected.get(Header.alg);
  if (alg !== Alg.EcdhEsHkdf256) fail(`protected alg (1) must be -25 (ECDH-ES + HKDF-256, RFC 9053 §6.3.1), got ${describe(alg)}`);
  if (!(ciphertext === null || (isBytes(ciphertext) && ciphertext.length === 0))) {
    fail(`ciphertext must be empty or nil for direct key agreement (RFC 9052 §5.1), got ${describe(ciphertext)}`);
  }

  let ephemeralPublic: Uint8Array;
  try {
    ephemeralPublic = coseKeyFromMap(headers.unprotected.get(Header.ephemeralKey), { crv: 'X25519', private: false }, 'ephemeral key (-1)').x;
  } catch (err) {
    if (err instanceof CoseKeyError) return fail(`${err.message} (RFC 9053 §6.4.1)`);
    throw err;
  }

  if (!isCanonicalX25519(ephemeralPublic)) {
    // X25519 ignores bit 255 and reduces mod p (RFC 7748 §5), so other encodings of the same key
    // would open too; refusing them keeps one envelope one byte string.
    return fail('ephemeral key (-1) x (-2) is not a canonical X25519 u-coordinate (must be < 2^255 - 19, RFC 7748 §5)');
  }

  const kidBytes = headers.unprotected.get(Header.kid);
  if (!isBytes(kidBytes)) return fail(`kid (4) must be a byte string holding the recipient id, got ${describe(kidBytes)}`);
  let kid: string;
  try {
    kid = utf8.decode(kidBytes);
    assertDeviceId(kid, 'kid (4)');
  } catch (err) {
    return fail(`kid (4) is not a device id (${(err as Error).message})`);
  }
  return { protectedBytes: headers.protectedBytes, kid, ephemeralPublic };
}

/** u < p = 2^255 - 19, little-endian (RFC 7748 §5). */
function isCanonicalX25519(u: Uint8Array): boolean {
  if (u[31]! < 0x7f) return true;
  if (u[31]! > 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (u[i] !== 0xff) return true;
  return u[0]! < 0xed;
}

/**
 * The plaintext, or EnvelopeError: 'malformed' when the ephemeral key is a small-order point
 * (the shared secret would be public), 'decrypt-failed' when the AEAD tag does not verify.
 */
export function decryptParsed(parsed: ParsedEncrypt, kexPrivate: Uint8Array, suite: CryptoSuite): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = suite.x25519(kexPrivate, parsed.recipient.ephemeralPublic);
  } catch (err) {
    throw new EnvelopeError('malformed', `COSE_Encrypt recipient: ephemeral key (-1) unusable: ${(err as Error).message}`);
  }
  const cek = deriveContentKey(suite, shared, parsed.recipient.protectedBytes);
  const plaintext = suite.chachaOpen(cek, parsed.iv, encStructure('Encrypt', parsed.protectedBytes), parsed.ciphertext);
  if (!plaintext) throw new EnvelopeError('decrypt-failed', 'COSE_Encrypt: ChaCha20/Poly1305 tag did not verify (wrong key, or the message was altered)');
  return plaintext;
}
