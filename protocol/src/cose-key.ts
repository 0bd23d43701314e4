/**
 * COSE_Key maps for the two key kinds a device has (RFC 9052 §7, RFC 9053 §7.1/§7.2):
 * octet key pairs (kty OKP = 1) on Ed25519 (crv 6, signing) or X25519 (crv 4, key agreement),
 * with the public key in x (-2), the private key in d (-4) and the device id, as UTF-8 bytes,
 * in kid (2).
 *
 * Encoding writes labels in RFC 8949 §4.2.1 order (1, 2, -1, -2, -4), so the same key always
 * gives the same bytes. Decoding ignores labels it does not know (RFC 9052 §7 lets keys carry
 * more), but every label it does know is checked, and errors name the label at fault.
 */
import { decodeCbor, describe, encodeCbor, isBytes, isMap } from './cbor.js';
import { Alg, Curve, KeyLabel, KTY_OKP, curveName, type CurveName } from './cose-labels.js';

export interface CoseOkpKey {
  crv: CurveName;
  /** Public key, 32 bytes. */
  x: Uint8Array;
  /** Private key (Ed25519 seed or X25519 scalar), 32 bytes; absent for public keys. */
  d?: Uint8Array;
  /** Key id; this protocol uses the device id. */
  kid?: string;
}

export interface CoseKeyExpectation {
  crv?: CurveName;
  /** true: d must be present; false: d must be absent; undefined: either. */
  private?: boolean;
  kid?: string;
}

export class CoseKeyError extends Error {
  override name = 'CoseKeyError';
}

const OKP_KEY_BYTES = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function coseKeyToMap(key: CoseOkpKey): Map<number, unknown> {
  checkLength('COSE_Key', 'x (-2)', key.x);
  if (key.d !== undefined) checkLength('COSE_Key', 'd (-4)', key.d);
  const m = new Map<number, unknown>();
  m.set(KeyLabel.kty, KTY_OKP);
  if (key.kid !== undefined) m.set(KeyLabel.kid, new TextEncoder().encode(key.kid));
  m.set(KeyLabel.crv, Curve[key.crv]);
  m.set(KeyLabel.x, key.x);
  if (key.d !== undefined) m.set(KeyLabel.d, key.d);
  return m;
}

export function encodeCoseKey(key: CoseOkpKey): Uint8Array {
  return encodeCbor(coseKeyToMap(key));
}

/**
 * Validates a decoded COSE_Key. `what` prefixes every error (e.g. `COSE_KeySet[1]`) so that a
 * key nested in a bigger structure is still named.
 */
export function coseKeyFromMap(value: unknown, expect: CoseKeyExpectation = {}, what = 'COSE_Key'): CoseOkpKey {
  if (!isMap(value)) throw new CoseKeyError(`${what}: expected a CBOR map (RFC 9052 §7), got ${describe(value)}`);

  const kty = value.get(KeyLabel.kty);
  if (kty !== KTY_OKP) throw new CoseKeyError(`${what}: kty (1) must be 1 (OKP, RFC 9053 §7.2), got ${describe(kty)}`);

  const crvId = value.get(KeyLabel.crv);
  const crv = typeof crvId === 'number' ? curveName(crvId) : undefined;
  if (expect.crv !== undefined && crv !== expect.crv) {
    throw new CoseKeyError(`${what}: crv (-1) must be ${Curve[expect.crv]} (${expect.crv}), got ${describe(crvId)}`);
  }
  if (crv === undefined) {
    throw new CoseKeyError(`${what}: crv (-1) must be 6 (Ed25519) or 4 (X25519) (RFC 9053 §7.1), got ${describe(crvId)}`);
  }

  const x = value.get(KeyLabel.x);
  checkLength(what, 'x (-2)', x);

  const d = value.get(KeyLabel.d);
  if (d !== undefined) checkLength(what, 'd (-4)', d);
  if (expect.private === true && d === undefined) throw new CoseKeyError(`${what}: d (-4) missing; a private key is required here`);
  if (expect.private === false && d !== undefined) throw new CoseKeyError(`${what}: d (-4) present; only a public key belongs here`);

  const alg = value.get(KeyLabel.alg);
  if (alg !== undefined && crv === 'Ed25519' && alg !== Alg.EdDSA) {
    throw new CoseKeyError(`${what}: alg (3) must be -8 (EdDSA) for an Ed25519 key (RFC 9053 §2.2), got ${describe(alg)}`);
  }

  const kidBytes = value.get(KeyLabel.kid);
  let kid: string | undefined;
  if (kidBytes !== undefined) {
    if (!isBytes(kidBytes)) throw new CoseKeyError(`${what}: kid (2) must be a byte string (RFC 9052 §7.1), got ${describe(kidBytes)}`);
    try {
      kid = utf8.decode(kidBytes);
    } catch {
      throw new CoseKeyError(`${what}: kid (2) is not valid UTF-8`);
    }
  }
  if (expect.kid !== undefined && kid !== expect.kid) {
    throw new CoseKeyError(`${what}: kid (2) must be ${JSON.stringify(expect.kid)}, got ${kid === undefined ? 'none' : JSON.stringify(kid)}`);
  }

  const key: CoseOkpKey = { crv, x: copy(x as Uint8Array) };
  if (d !== undefined) key.d = copy(d as Uint8Array);
  if (kid !== undefined) key.kid = kid;
  return key;
}

export function decodeCoseKey(bytes: Uint8Array, expect: CoseKeyExpectation = {}, what = 'COSE_Key'): CoseOkpKey {
  let value: unknown;
  try {
    value = decodeCbor(bytes, what);
  } catch (err) {
    throw new CoseKeyError((err as Error).message);
  }
  return coseKeyFromMap(value, expect, what);
}

function checkLength(what: string, field: string, v: unknown): void {
  if (!isBytes(v)) throw new CoseKeyError(`${what}: ${field} must be a byte string, got ${describe(v)}`);
  if (v.length !== OKP_KEY_BYTES) throw new CoseKeyError(`${what}: ${field} must be ${OKP_KEY_BYTES} bytes, got ${v.length}`);
}

/** Detached plain copy, so a key never aliases a decoder's or caller's buffer. */
function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
