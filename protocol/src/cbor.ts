/**
 * The one CBOR codec the protocol's COSE code uses (cbor-x, configured once).
 *
 * Why a wrapper rather than cbor-x's module-level `encode`/`decode`:
 * - COSE labels are integers, so maps must decode to `Map` (cbor-x's default turns them into
 *   objects with string keys, and `-1` vs `"-1"` then becomes ambiguous).
 * - `Uint8Array` must encode as a plain byte string, not tag 64, or no other COSE
 *   implementation reads it.
 * - Tags are written and stripped by hand (`tagged`/`untag`): cbor-x's tag registry is global,
 *   and @auth0/cose and cose-kit register their own classes for COSE tags (18, …) in it, so
 *   decoding a tagged COSE message through cbor-x would give a different result depending on
 *   which libraries happen to be loaded in the process.
 * - cbor-x writes integers above 2^32 as float64; `cborInt` makes them proper CBOR integers.
 */
import { Encoder } from 'cbor-x';

const codec = new Encoder({
  mapsAsObjects: false,
  useRecords: false,
  // In Node, cbor-x tags plain Uint8Arrays (tag 64) unless told not to.
  tagUint8Array: false,
  pack: false,
});

export type CborMap = Map<unknown, unknown>;

export function encodeCbor(value: unknown): Uint8Array {
  return codec.encode(value);
}

/**
 * Decodes exactly one CBOR item; trailing bytes, truncation and malformed items throw an Error
 * whose message starts with `what`, so the caller's error names the input at fault.
 */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return codec.decode(bytes);
  } catch (err) {
    throw new Error(`${what}: not well-formed CBOR (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * An integer as a value cbor-x encodes as a CBOR integer (major type 0/1) in its shortest form:
 * numbers that fit 32 bits stay numbers, larger ones become BigInt (8-byte form is then the
 * shortest form anyway, RFC 8949 §4.2.1).
 */
export function cborInt(n: number): number | bigint {
  if (!Number.isSafeInteger(n)) throw new RangeError(`cborInt: ${n} is not a safe integer`);
  return n >= -0x1_0000_0000 && n <= 0xffff_ffff ? n : BigInt(n);
}

/** A decoded CBOR integer as a JS number, or null when it is not an integer or not a safe one. */
export function asSafeInteger(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
  }
  return null;
}

export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

export function isMap(v: unknown): v is CborMap {
  return v instanceof Map;
}

/** The head of CBOR major type 6 (tag) for `tag`, shortest form (RFC 8949 §3.4). */
function tagHead(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffff) throw new RangeError(`tag: ${tag} outside 0..65535`);
  if (tag < 24) return Uint8Array.of(0xc0 | tag);
  if (tag < 0x100) return Uint8Array.of(0xd8, tag);
  return Uint8Array.of(0xd9, tag >> 8, tag & 0xff);
}

/** `content` (one encoded CBOR item) wrapped in tag `tag`. */
export function tagged(tag: number, content: Uint8Array): Uint8Array {
  const head = tagHead(tag);
  const out = new Uint8Array(head.length + content.length);
  out.set(head, 0);
  out.set(content, head.length);
  return out;
}

/** The tagged item's content when `bytes` starts with exactly tag `tag` (shortest head), else null. */
export function untag(tag: number, bytes: Uint8Array): Uint8Array | null {
  const head = tagHead(tag);
  if (bytes.length < head.length) return null;
  for (let i = 0; i < head.length; i++) if (bytes[i] !== head[i]) return null;
  return bytes.subarray(head.length);
}

/** A short description of a decoded value for error messages (never dumps its content). */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `a ${v.length}-byte byte string`;
  if (v instanceof Map) return 'a map';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return typeof v;
}
