/**
 * A ledger claim: what an actor says it did, signed by that actor. It lives in protocol, not in
 * the gateway's ledger, because devices sign their own claims (a layer computed, a result) and
 * send them along with their messages; the gateway checks them and seals them into its ledger
 * (ledger/src/entry.ts has the entry, the seal and the file).
 *
 *   claim = CBOR {"ts", "data", "actor", "action"}      sig = actor's Ed25519 over "…claim\0" ‖ claim
 *   signed claim = CBOR [claim, sig]
 *
 * Maps are written with keys in RFC 8949 §4.2.1 order (shorter first, then bytewise) and
 * integers in their shortest form, so the same claim always encodes to the same bytes, and a
 * signature is checked over the exact bytes that travel with it, never over a re-encoding.
 * The context string keeps a claim signature from ever being taken for a COSE one (whose
 * Sig_structure starts with "Signature1") made with the same device key, or the reverse.
 */
import { cborInt, decodeCbor, encodeCbor } from './cbor.js';
import { nativeCrypto } from './crypto-native.js';
import type { CryptoSuite } from './crypto-suite.js';
import { assertDeviceId } from './topics.js';

/** What a claim's data may hold: null, booleans, numbers, strings, bytes, arrays and string-keyed maps. */
export type LedgerData = Record<string, unknown>;

export const ACTIONS = ['enrol', 'revoke', 'rotate', 'placement', 'weights', 'layer', 'result', 'note', 'train'] as const;
export type LedgerAction = (typeof ACTIONS)[number];

export type LedgerErrorCode = 'malformed' | 'corrupt' | 'rejected' | 'closed' | 'not-a-ledger';
/** A typed error whose message names the input at fault. */
export class LedgerError extends Error {
  constructor(readonly code: LedgerErrorCode, message: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

/** Whoever signs: a device with its Ed25519 key, or the gateway. */
export interface Signer {
  id: string;
  signPublic: Uint8Array;
  /** Ed25519 over `message`. */
  sign(message: Uint8Array): Uint8Array;
}
/** A Signer from a device's (or the gateway's) keys, as `loadOrCreateDeviceKeys` gives them. */
export function signerFromKeys(keys: { id: string; signSeed: Uint8Array; signPublic: Uint8Array }, suite: CryptoSuite = nativeCrypto): Signer {
  return { id: keys.id, signPublic: keys.signPublic, sign: (message) => suite.ed25519Sign(keys.signSeed, message) };
}

export type VerifySignature = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/** What a caller records; ts defaults to now. */
export interface ClaimInput { action: LedgerAction; data?: LedgerData; ts?: number }
export interface Claim { actor: string; action: LedgerAction; ts: number; data: LedgerData }

export const SIGNATURE_BYTES = 64;
const CLAIM_CONTEXT = new TextEncoder().encode('layerfleet ledger v1 claim\0');

/** Limits, clamped here only: claims are small facts (ids, hashes, counts), never tensors. */
export const MAX_DATA_BYTES = 64 * 1024;

const MAX_DEPTH = 16;

/** RFC 8949 §4.2.1 order for text keys: shorter encodings first, then bytewise. */
function keyOrder(a: string, b: string): number {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length - y.length || Buffer.compare(x, y);
}

/**
 * `v` as values cbor-x writes deterministically: maps with ordered keys, integers in shortest
 * form. Exported for the ledger's entry, which is encoded by the same rules.
 */
export function canonicalLedgerData(v: unknown, path: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new LedgerError('rejected', `${path}: nested deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return cborInt(v);
    if (Number.isFinite(v)) return v;
    throw new LedgerError('rejected', `${path}: ${v} cannot be recorded`);
  }
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map((x, i) => canonicalLedgerData(x, `${path}[${i}]`, depth + 1));
  const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort(keyOrder);
    return new Map(keys.map((k) => [k, canonicalLedgerData((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)]));
  }
  throw new LedgerError('rejected', `${path}: a ${typeof v === 'object' ? proto?.constructor?.name ?? 'object' : typeof v} cannot be recorded`);
}

/** A decoded CBOR value back as plain data; anything else (tags, undefined, non-text keys) is malformed. */
function decodeData(v: unknown, path: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) return fail(`${path}: nested deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : fail(`${path}: ${v} is not a recordable number`);
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : fail(`${path}: integer out of range`);
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map((x, i) => decodeData(x, `${path}[${i}]`, depth + 1));
  if (v instanceof Map) {
    // fromEntries defines own properties, so a "__proto__" key stays data, never a prototype
    return Object.fromEntries([...v].map(([k, x]) => {
      if (typeof k !== 'string') return fail(`${path}: map keys must be text`);
      return [k, decodeData(x, `${path}.${k.slice(0, 40)}`, depth + 1)];
    }));
  }
  return fail(`${path}: unsupported CBOR item (${v === undefined ? 'undefined' : (v as object).constructor?.name ?? typeof v})`);
}

/** One CBOR item; anything else is a LedgerError('malformed') naming `what`. */
export function decodeLedgerItem(bytes: Uint8Array, what: string): unknown {
  try {
    return decodeCbor(bytes, what);
  } catch (err) {
    throw new LedgerError('malformed', (err as Error).message);
  }
}

const fail = (msg: string): never => { throw new LedgerError('malformed', msg); };

/** `context ‖ bytes`: what a ledger signature is over. */
export function withLedgerContext(context: Uint8Array, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(context.length + bytes.length);
  out.set(context, 0);
  out.set(bytes, context.length);
  return out;
}

/** A non-negative safe integer (a time in ms, a seq), as cbor-x may decode it (number or bigint). */
export function ledgerCount(v: unknown, what: string): number {
  const n = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return fail(`${what}: expected a non-negative integer, got ${typeof v}`);
  return n;
}

export function ledgerBytes(v: unknown, length: number, what: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== length) return fail(`${what}: expected a ${length}-byte string`);
  return new Uint8Array(v);
}

/** Reads a CBOR map with exactly `keys` (text), in any order. */
export function ledgerFields(v: unknown, keys: readonly string[], what: string): Map<string, unknown> {
  if (!(v instanceof Map)) return fail(`${what}: expected a map`);
  for (const k of v.keys()) if (typeof k !== 'string' || !keys.includes(k)) fail(`${what}: unexpected field ${JSON.stringify(String(k)).slice(0, 40)}`);
  for (const k of keys) if (!v.has(k)) fail(`${what}: missing "${k}"`);
  return v as Map<string, unknown>;
}

export function isAction(v: unknown): v is LedgerAction {
  return typeof v === 'string' && (ACTIONS as readonly string[]).includes(v);
}

/** The claim's bytes; throws LedgerError('rejected') naming the field when it cannot be recorded. */
export function encodeClaim(claim: Claim): Uint8Array {
  try {
    assertDeviceId(claim.actor, 'ledger claim: actor');
  } catch (err) {
    throw new LedgerError('rejected', (err as Error).message);
  }
  if (!isAction(claim.action)) throw new LedgerError('rejected', `ledger claim: action ${JSON.stringify(claim.action)} is not one of ${ACTIONS.join(', ')}`);
  if (!Number.isSafeInteger(claim.ts) || claim.ts < 0) throw new LedgerError('rejected', `ledger claim: ts ${claim.ts} is not a time in ms`);
  const bytes = encodeCbor(canonicalLedgerData({ actor: claim.actor, action: claim.action, ts: claim.ts, data: claim.data }, 'ledger claim'));
  if (bytes.length > MAX_DATA_BYTES) throw new LedgerError('rejected', `ledger claim: ${bytes.length} bytes, over the ${MAX_DATA_BYTES}-byte limit`);
  return bytes;
}

export function decodeClaim(bytes: Uint8Array): Claim {
  const m = ledgerFields(decodeLedgerItem(bytes, 'claim'), ['ts', 'data', 'actor', 'action'], 'claim');
  const actor = m.get('actor');
  try {
    assertDeviceId(actor, 'claim: actor');
  } catch (err) {
    return fail((err as Error).message);
  }
  const action = m.get('action');
  if (!isAction(action)) return fail(`claim: action ${JSON.stringify(String(action)).slice(0, 40)} is not one of ${ACTIONS.join(', ')}`);
  const data = decodeData(m.get('data'), 'claim: data');
  if (data === null || typeof data !== 'object' || Array.isArray(data) || data instanceof Uint8Array) return fail('claim: data must be a map');
  return { actor, action, ts: ledgerCount(m.get('ts'), 'claim: ts'), data: data as LedgerData };
}

/**
 * A claim signed by its actor: CBOR [claim, sig]. This is what a device sends for the gateway
 * to record (`Ledger.appendSigned`); it does not depend on the ledger's head, so it never goes
 * stale while other entries are appended.
 */
export function signClaim(input: ClaimInput, signer: Signer, now: () => number = Date.now): Uint8Array {
  const claimBytes = encodeClaim({ actor: signer.id, action: input.action, ts: input.ts ?? Math.floor(now()), data: input.data ?? {} });
  return encodeCbor([claimBytes, signer.sign(withLedgerContext(CLAIM_CONTEXT, claimBytes))]);
}

export interface SignedClaim { claim: Claim; claimBytes: Uint8Array; sig: Uint8Array }

export function decodeSignedClaim(bytes: Uint8Array): SignedClaim {
  const v = decodeLedgerItem(bytes, 'signed claim');
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] instanceof Uint8Array)) return fail('signed claim: expected [claim bytes, signature]');
  const claimBytes = new Uint8Array(v[0]);
  return { claim: decodeClaim(claimBytes), claimBytes, sig: ledgerBytes(v[1], SIGNATURE_BYTES, 'signed claim: signature') };
}

export function claimSignatureValid(c: { claimBytes: Uint8Array; sig: Uint8Array }, key: Uint8Array, verify: VerifySignature): boolean {
  return verify(key, withLedgerContext(CLAIM_CONTEXT, c.claimBytes), c.sig);
}
