/**
 * The COSE registry numbers this protocol uses (IANA "CBOR Object Signing and Encryption"),
 * named once so that the encoders and the validators cannot drift apart.
 */

/** Common header parameters, RFC 9052 §3.1. */
export const Header = {
  alg: 1,
  kid: 4,
  iv: 5,
  /** "ephemeral key" for ECDH-ES, RFC 9053 §6.4.1. */
  ephemeralKey: -1,
} as const;

/** Algorithms, RFC 9053. */
export const Alg = {
  /** EdDSA, RFC 9053 §2.2. */
  EdDSA: -8,
  /** ChaCha20/Poly1305 with a 256-bit key and 128-bit tag, RFC 9053 §4.3. */
  ChaCha20Poly1305: 24,
  /** ECDH-ES + HKDF-256 (direct key agreement), RFC 9053 §6.3.1. */
  EcdhEsHkdf256: -25,
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
