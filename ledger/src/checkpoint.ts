/**
 * The gateway's signed checkpoint of its ledger's head, kept beside it (`ledger/checkpoint.json`)
 * and rewritten as the ledger grows. Hash chaining shows any change inside the ledger, but not
 * whole entries cut from its end: the shorter file is a valid chain too. The checkpoint says how
 * many entries there were and their Merkle root, signed by the gateway, so `ledger verify` catches
 * that cut without a head pinned by hand. Someone who can write the state directory can still put
 * back an older checkpoint with an older ledger (a rollback); a head pinned from the telemetry
 * topic, kept elsewhere, is the defence against that.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeCrypto } from '@layerfleet/protocol';
import { writeJsonAtomicAsync } from '@layerfleet/protocol';
import type { Signer, VerifySignature } from './entry.js';

export const CHECKPOINT_FILE = 'checkpoint.json';

export interface Checkpoint { count: number; root: string; ts: number }

const signed = (c: Checkpoint) => new TextEncoder().encode(`layerfleet ledger v1 checkpoint\u0000${c.count}\u0000${c.root}\u0000${c.ts}`);

/** `ledgerDir`: the directory holding ledger.bin (DIR/ledger). */
export function checkpointPath(ledgerDir: string): string { return join(ledgerDir, CHECKPOINT_FILE); }

export function writeCheckpoint(ledgerDir: string, head: { count: number; root: string }, keeper: Signer, now = Date.now()): Promise<void> {
  const c: Checkpoint = { count: head.count, root: head.root, ts: now };
  return writeJsonAtomicAsync(checkpointPath(ledgerDir), { ...c, signer: keeper.id, sig: Buffer.from(keeper.sign(signed(c))).toString('hex') });
}

/** The checkpoint when present and signed by `gatewayKey`; null when there is none; an Error saying what is wrong otherwise. */
export function readCheckpoint(ledgerDir: string, gatewayKey: Uint8Array, verify: VerifySignature = nativeCrypto.ed25519Verify): Checkpoint | null | Error {
  const path = checkpointPath(ledgerDir);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return new Error(`${path}: unreadable (${(err as Error).message})`);
  }
  const { count, root, ts, sig } = parsed;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0 || typeof root !== 'string' || !/^[0-9a-f]{64}$/.test(root)
    || typeof ts !== 'number' || typeof sig !== 'string' || !/^[0-9a-f]{128}$/.test(sig)) {
    return new Error(`${path}: expected {count, root (64 hex), ts, sig (128 hex)}`);
  }
  const c: Checkpoint = { count, root, ts };
  if (!verify(gatewayKey, signed(c), Buffer.from(sig, 'hex'))) return new Error(`${path}: the signature does not verify with the gateway's key — the checkpoint was altered`);
  return c;
}
