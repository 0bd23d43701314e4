/**
 * One ledger record: what it says (the claim, signed by its actor — protocol/src/ledger-claim.ts,
 * since devices sign their own), where it sits in the chain (the entry, sealed by the gateway that
 * keeps the ledger), and how it lies on disk. Every signature is over exact bytes that travel with
 * it, so checking one never re-encodes anything.
 *
 *   claim = CBOR {"ts", "data", "actor", "action"}      sig  = actor's Ed25519 over "…claim\0" ‖ claim
 *   entry = CBOR {"ts", "seq", "sig", "prev", "claim"}  seal = keeper's Ed25519 over "…entry\0" ‖ entry
 *   body  = CBOR [entry, seal]                          hash = SHA-256(body); the next entry's prev
 *   frame = u32be length ‖ body ‖ u32be CRC-32(body)    (file: 8-byte MAGIC, then frames)
 *
 * The entry is encoded by the claim's rules (RFC 8949 §4.2.1 key order, shortest integers), so
 * the same entry always encodes to the same bytes. The seal's context string differs from the
 * claim's, so a seal can never be taken for a claim signature, nor either for a COSE one.
 */
import { hash } from 'node:crypto';
import {
  canonicalLedgerData, decodeClaim, decodeLedgerItem, encodeCbor, ledgerBytes, ledgerCount, ledgerFields, withLedgerContext,
  LedgerError, MAX_DATA_BYTES, SIGNATURE_BYTES, type Claim, type Signer, type VerifySignature,
} from '@layerfleet/protocol';

// The claim part moved to protocol (devices sign claims); these keep the ledger's API whole.
export {
  ACTIONS, LedgerError, MAX_DATA_BYTES, SIGNATURE_BYTES, signerFromKeys, isAction, encodeClaim, decodeClaim, signClaim,
  decodeSignedClaim, claimSignatureValid,
  type LedgerData, type LedgerAction, type LedgerErrorCode, type Signer, type VerifySignature, type ClaimInput, type Claim, type SignedClaim,
} from '@layerfleet/protocol';

export interface LedgerEntry extends Omit<Claim, 'ts'> {
  seq: number;
  /** When the gateway recorded it (ms, the gateway's clock; never decreases along the ledger). */
  ts: number;
  /** When the actor made the claim (ms, the actor's clock). */
  claimTs: number;
  prev: Uint8Array;
  /** Exact signed bytes and their signatures. */
  claimBytes: Uint8Array;
  sig: Uint8Array;
  entryBytes: Uint8Array;
  seal: Uint8Array;
  /** The framed body, and SHA-256 of it. */
  body: Uint8Array;
  hash: Uint8Array;
}

export const HASH_BYTES = 32;
export const ZERO_HASH = new Uint8Array(HASH_BYTES);
const SEAL_CONTEXT = new TextEncoder().encode('layerfleet ledger v1 entry\0');

/** A body can hold a maximal claim plus its fixed fields; a length prefix above this is damage. */
export const MAX_RECORD_BYTES = MAX_DATA_BYTES + 1024;

const fail = (msg: string): never => { throw new LedgerError('malformed', msg); };

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(hash('sha256', bytes, 'buffer'));
}

export function sealValid(e: { entryBytes: Uint8Array; seal: Uint8Array }, key: Uint8Array, verify: VerifySignature): boolean {
  return verify(key, withLedgerContext(SEAL_CONTEXT, e.entryBytes), e.seal);
}

export interface EntryFields { seq: number; ts: number; prev: Uint8Array; claimBytes: Uint8Array; sig: Uint8Array }

/** The record body for a claim placed at `seq` after `prev`, sealed by the keeper. */
export function sealEntry(f: EntryFields, keeper: Signer): Uint8Array {
  const entryBytes = encodeCbor(canonicalLedgerData({ ts: f.ts, seq: f.seq, sig: f.sig, prev: f.prev, claim: f.claimBytes }, 'ledger entry'));
  return encodeCbor([entryBytes, keeper.sign(withLedgerContext(SEAL_CONTEXT, entryBytes))]);
}

/** Parses a record body (structure only; signatures and the chain are the caller's to check). */
export function decodeEntry(body: Uint8Array): LedgerEntry {
  const v = decodeLedgerItem(body, 'record');
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] instanceof Uint8Array)) return fail('record: expected [entry bytes, seal]');
  const entryBytes = new Uint8Array(v[0]);
  const seal = ledgerBytes(v[1], SIGNATURE_BYTES, 'record: seal');
  const m = ledgerFields(decodeLedgerItem(entryBytes, 'entry'), ['ts', 'seq', 'sig', 'prev', 'claim'], 'entry');
  const claimRaw = m.get('claim');
  if (!(claimRaw instanceof Uint8Array)) return fail('entry: claim must be a byte string');
  const claimBytes = new Uint8Array(claimRaw);
  const claim = decodeClaim(claimBytes);
  return {
    seq: ledgerCount(m.get('seq'), 'entry: seq'),
    ts: ledgerCount(m.get('ts'), 'entry: ts'),
    prev: ledgerBytes(m.get('prev'), HASH_BYTES, 'entry: prev'),
    actor: claim.actor, action: claim.action, claimTs: claim.ts, data: claim.data,
    claimBytes, sig: ledgerBytes(m.get('sig'), SIGNATURE_BYTES, 'entry: sig'),
    entryBytes, seal, body: new Uint8Array(body), hash: sha256(body),
  };
}
