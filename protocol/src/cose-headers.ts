/**
 * Reading COSE header buckets (RFC 9052 §3) strictly enough that an attacker cannot make the
 * same message mean two things: the protected bucket is a serialized map (or empty), the
 * unprotected one a map, no label in both, and no `crit` — this protocol defines no critical
 * extensions, so any is by definition one we do not understand (RFC 9052 §3.1).
 */
import { decodeCbor, describe, isBytes, isMap, type CborMap } from './cbor.js';
import { EnvelopeError, type EnvelopeRejection } from './envelope-error.js';

const CRIT = 2;

export interface HeaderBuckets {
  protectedBytes: Uint8Array;
  protected: CborMap;
  unprotected: CborMap;
}

export function readHeaderBuckets(
  protectedValue: unknown,
  unprotectedValue: unknown,
  what: string,
  reason: EnvelopeRejection,
): HeaderBuckets {
  if (!isBytes(protectedValue)) {
    throw new EnvelopeError(reason, `${what}: protected header must be a byte string (RFC 9052 §3), got ${describe(protectedValue)}`);
  }
  let prot: CborMap;
  if (protectedValue.length === 0) {
    prot = new Map(); // a zero-length bstr is the empty map (RFC 9052 §3)
  } else {
    let decoded: unknown;
    try {
      decoded = decodeCbor(protectedValue, `${what} protected header`);
    } catch (err) {
      throw new EnvelopeError(reason, (err as Error).message);
    }
    if (!isMap(decoded)) {
      throw new EnvelopeError(reason, `${what}: protected header must serialize a map (RFC 9052 §3), got ${describe(decoded)}`);
    }
    prot = decoded;
  }
  if (!isMap(unprotectedValue)) {
    throw new EnvelopeError(reason, `${what}: unprotected header must be a map (RFC 9052 §3), got ${describe(unprotectedValue)}`);
  }
  for (const label of unprotectedValue.keys()) {
    if (prot.has(label)) {
      throw new EnvelopeError(reason, `${what}: header label ${describe(label)} appears in both buckets (RFC 9052 §3)`);
    }
  }
  if (prot.has(CRIT) || unprotectedValue.has(CRIT)) {
    throw new EnvelopeError(reason, `${what}: crit (2) lists headers this implementation does not understand (RFC 9052 §3.1)`);
  }
  return { protectedBytes: protectedValue, protected: prot, unprotected: unprotectedValue };
}
