/**
 * The inner layer of the envelope: COSE_Sign1 (RFC 9052 §4.2), tag 18, EdDSA over Ed25519
 * (RFC 9053 §2.2), with the signer's device id as kid in the *protected* header so that the
 * signature covers who signed. Unprotected header empty, payload attached.
 */
import { decodeCbor, describe, encodeCbor, isBytes, tagged, untag } from './cbor.js';
import { readHeaderBuckets } from './cose-headers.js';
import { Alg, Header } from './cose-labels.js';
import { sigStructure1 } from './cose-structures.js';
import type { CryptoSuite } from './crypto-suite.js';
import { EnvelopeError } from './envelope-error.js';
import { assertDeviceId } from './topics.js';

export const COSE_SIGN1_TAG = 18;
const ED25519_SIGNATURE_BYTES = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface ParsedSign1 {
  /** The protected header exactly as sent; the signature covers these bytes. */
  protectedBytes: Uint8Array;
  kid: string;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** Serialized protected header {1: -8, 4: kid}. */
export function sign1Protected(kid: string): Uint8Array {
  return encodeCbor(new Map<number, unknown>([[Header.alg, Alg.EdDSA], [Header.kid, new TextEncoder().encode(kid)]]));
}

/** Tagged COSE_Sign1 from its parts; `signSign1` is the normal way in, this exists to build test cases. */
export function encodeSign1(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return tagged(COSE_SIGN1_TAG, encodeCbor([protectedBytes, new Map(), payload, signature]));
}

export function signSign1(kid: string, payload: Uint8Array, seed: Uint8Array, suite: CryptoSuite): Uint8Array {
  const protectedBytes = sign1Protected(kid);
  const signature = suite.ed25519Sign(seed, sigStructure1(protectedBytes, payload));
  return encodeSign1(protectedBytes, payload, signature);
}

export function verifySign1(parsed: ParsedSign1, signPublic: Uint8Array, suite: CryptoSuite): boolean {
  return suite.ed25519Verify(signPublic, sigStructure1(parsed.protectedBytes, parsed.payload), parsed.signature);
}

/** Structural checks only; throws EnvelopeError('malformed-inner') naming what is wrong. */
export function decodeSign1(bytes: Uint8Array): ParsedSign1 {
  const fail = (msg: string): never => {
    throw new EnvelopeError('malformed-inner', `COSE_Sign1: ${msg}`);
  };
  const body = untag(COSE_SIGN1_TAG, bytes);
  if (!body) return fail('expected CBOR tag 18 (RFC 9052 §4.2)');
  let value: unknown;
  try {
    value = decodeCbor(body, 'COSE_Sign1');
  } catch (err) {
    throw new EnvelopeError('malformed-inner', (err as Error).message);
  }
  if (!Array.isArray(value) || value.length !== 4) {
    return fail(`expected [protected, unprotected, payload, signature] (RFC 9052 §4.2), got ${describe(value)}`);
  }
  const [prot, unprot, payload, signature] = value as unknown[];
  const headers = readHeaderBuckets(prot, unprot, 'COSE_Sign1', 'malformed-inner');

  const alg = headers.protected.get(Header.alg);
  if (alg !== Alg.EdDSA) fail(`protected alg (1) must be -8 (EdDSA, RFC 9053 §2.2), got ${describe(alg)}`);

  const kidBytes = headers.protected.get(Header.kid);
  if (!isBytes(kidBytes)) return fail(`protected kid (4) must be a byte string holding the sender id, got ${describe(kidBytes)}`);
  let kid: string;
  try {
    kid = utf8.decode(kidBytes);
    assertDeviceId(kid, 'COSE_Sign1: protected kid (4)');
  } catch (err) {
    return fail(`protected kid (4) is not a device id (${(err as Error).message})`);
  }

  if (!isBytes(payload)) return fail(`payload must be an attached byte string (RFC 9052 §4.2), got ${describe(payload)}`);
  if (!isBytes(signature) || signature.length !== ED25519_SIGNATURE_BYTES) {
    return fail(`signature must be a ${ED25519_SIGNATURE_BYTES}-byte Ed25519 signature (RFC 9053 §2.2), got ${describe(signature)}`);
  }
  return { protectedBytes: headers.protectedBytes, kid, payload, signature };
}
