/**
 * The COSE registry numbers this protocol uses (IANA "CBOR Object Signing and Encryption"),
 * named once so that the encoders and the validators cannot drift apart.
 */

/** Common header parameters, RFC 9052 §3.1. */
export const Header = {
  alg: 1,
  kid: 4,
  iv: 5,
  /** "ephemeral key" for ECDH-ES, RFC 9053 §6.4.1 (table 15). */
  ephemeralKey: -1,
  /** "static key" for ECDH-SS: the sender's static public key as a COSE_Key, RFC 9053 §6.4.1 (table 15). */
  staticKey: -2,
  /** "static key id" for ECDH-SS: the kid of the sender's static key, RFC 9053 §6.4.1 (table 15). */
  staticKeyId: -3,
  /** HKDF "salt", RFC 9053 §5.1 (table 9). Not used by this protocol. */
  salt: -20,
  /** "PartyU identity", RFC 9053 §5.1 (table 10). Not used by this protocol. */
  partyUIdentity: -21,
  /** "PartyU nonce", RFC 9053 §5.1 (table 10): goes into the COSE_KDF_Context's PartyUInfo (§5.2). */
  partyUNonce: -22,
  /** "PartyU other", RFC 9053 §5.1 (table 10). Not used by this protocol. */
  partyUOther: -23,
  /** "PartyV identity", "nonce", "other", RFC 9053 §5.1 (table 10). Not used by this protocol. */
  partyVIdentity: -24,
  partyVNonce: -25,
  partyVOther: -26,
} as const;

/** Algorithms, RFC 9053. */
export const Alg = {
  /** EdDSA, RFC 9053 §2.2. */
  EdDSA: -8,
  /** ChaCha20/Poly1305 with a 256-bit key and 128-bit tag, RFC 9053 §4.3. */
  ChaCha20Poly1305: 24,
  /** ECDH-ES + HKDF-256 (direct key agreement), RFC 9053 §6.3.1. */
  EcdhEsHkdf256: -25,
  /** ECDH-SS + HKDF-256 (direct key agreement between two static keys), RFC 9053 §6.3.1. */
  EcdhSsHkdf256: -27,
} as const;

/** COSE_Key labels: common parameters (RFC 9052 §7.1) and OKP parameters (RFC 9053 §7.2). */
export const KeyLabel = {
  kty: 1,
  kid: 2,
  alg: 3,
  crv: -1,
  x: -2,
  d: -4,
} as const;

/** Key type OKP (octet key pair), RFC 9053 §7.2. */
export const KTY_OKP = 1;

/** Elliptic curves, RFC 9053 §7.1 (table 18). */
export const Curve = {
  X25519: 4,
  Ed25519: 6,
} as const;

export type CurveName = keyof typeof Curve;
export type CurveId = (typeof Curve)[CurveName];

export function curveName(id: number): CurveName | undefined {
  return id === Curve.X25519 ? 'X25519' : id === Curve.Ed25519 ? 'Ed25519' : undefined;
}
