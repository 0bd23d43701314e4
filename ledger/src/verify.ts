/**
 * `verifyLedger`: reads a ledger file on its own (never through a running Ledger) and checks, for
 * every record, in this order: framing and CRC, that it decodes, seq continuity, the hash chain,
 * timestamps, who may do what, the actor's signature on its claim, the gateway's seal on the
 * entry. It reports the first thing wrong with each record, naming the record by position and
 * byte offset; after damage it resynchronises on the next intact record so one bad byte makes
 * one problem. The only key it must be given is the gateway's; device keys come from 'enrol'
 * and 'rotate' entries earlier in the ledger itself, then from `keyLookup`.
 */
import { readFile, stat } from 'node:fs/promises';
import { assertDeviceId, nativeCrypto } from '@layerfleet/protocol';
import {
  claimSignatureValid, decodeEntry, LedgerError, sealValid, ZERO_HASH,
  type Claim, type LedgerAction, type LedgerEntry, type VerifySignature,
} from './entry.js';
import { findNextFrame, headerMismatch, ledgerFile, MAGIC, readFrame } from './frame.js';
import { MerkleTree } from './merkle.js';
import { toHex as hex } from '@layerfleet/protocol';

/** An actor's Ed25519 public key, or undefined when it is not known. */
export type KeyLookup = (actor: string) => Uint8Array | undefined;

export const KEEPER_ID = 'gateway';

/**
 * Who may sign what, as the ledger itself says: 'enrol' (gateway only) and 'rotate' (gateway or
 * the device itself) set a device's key from `data.device` and `data.signPublic`; 'revoke'
 * (gateway only) ends it. Used by verify and, with the same rules, by Ledger before it appends.
 */
export class KeyRing {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly revoked = new Map<string, number>();

  constructor(readonly keeperId: string, private readonly keeperKey: Uint8Array | undefined, private readonly fallback?: KeyLookup) {}

  /** The key that must have signed `actor`'s claim now, or why there is none. */
  keyFor(actor: string): { key: Uint8Array } | { why: string } {
    if (actor === this.keeperId) return this.keeperKey ? { key: this.keeperKey } : { why: `no public key for the gateway "${actor}"` };
    const at = this.revoked.get(actor);
    if (at !== undefined) return { why: `actor ${actor} was revoked at entry ${at}` };
    const key = this.keys.get(actor) ?? this.fallback?.(actor);
    return key ? { key } : { why: `unknown actor ${actor} (no earlier 'enrol' entry and no key given for it)` };
  }

  clone(): KeyRing {
    const copy = new KeyRing(this.keeperId, this.keeperKey, this.fallback);
    for (const [k, v] of this.keys) copy.keys.set(k, v);
    for (const [k, v] of this.revoked) copy.revoked.set(k, v);
    return copy;
  }

  /** What the ledger itself says of `device`: its key, and the entry that revoked it if one did. */
  enrolled(device: string): { signPublic: Uint8Array; revokedAt?: number } | undefined {
    const key = this.keys.get(device);
    const at = this.revoked.get(device);
    return key ? { signPublic: key, ...(at === undefined ? {} : { revokedAt: at }) } : undefined;
  }

  /** Why `claim` breaks the rules on who may do what (null: it does not). */
  breaks(claim: Claim): string | null {
    const { actor, action, data } = claim;
    if (action !== 'enrol' && action !== 'rotate' && action !== 'revoke') return null;
    const device = data.device;
    try {
      assertDeviceId(device, `${action}: data.device`);
    } catch (err) {
      return (err as Error).message;
    }
    if (device === this.keeperId) return `${action} of the gateway itself (its key is the trust anchor, given from outside)`;
    if (action === 'rotate' ? actor !== this.keeperId && actor !== device : actor !== this.keeperId) {
      return `${action} of ${device} by ${actor} — only the gateway${action === 'rotate' ? ' or the device itself' : ''} may`;
    }
    if (action !== 'revoke' && !(data.signPublic instanceof Uint8Array && data.signPublic.length === 32)) return `${action}: data.signPublic must be a 32-byte Ed25519 public key`;
    return null;
  }

  /** Records what an accepted claim changes (call only when `breaks` returned null). */
  apply(claim: Claim, index: number): void {
    const device = claim.data.device as string;
    if (claim.action === 'revoke') {
      this.revoked.set(device, index);
    } else if (claim.action === 'enrol' || claim.action === 'rotate') {
      this.keys.set(device, claim.data.signPublic as Uint8Array);
      this.revoked.delete(device);
    }
  }
}

export interface LedgerProblem {
  /** Position of the record in the file (0-based), or -1 for the file as a whole. */
  index: number;
  byteOffset: number;
  message: string;
}

export interface LedgerReport {
  ok: boolean;
  path?: string;
  bytes: number;
  entries: number;
  /** RFC 6962 root over the hashes of the records read, hex. */
  root: string;
  lastHash: string;
  actors: Record<string, number>;
  /**
   * Entries by who signed the claim: the gateway (its own actions, and device actions it only
   * witnessed) or a device (its own actions, in its own words).
   */
  signedBy: { gateway: number; devices: number };
  /** The gateway's entries for device actions that no device signed (`data.witnessed`: true). */
  witnessed: number;
  actions: Partial<Record<LedgerAction, number>>;
  problems: LedgerProblem[];
}

export interface VerifyOptions {
  keeperId?: string;
  /** A head published earlier (`lf/v1/telemetry/ledger`): the first `count` entries must hash to `root`. */
  pinned?: { count: number; root: string };
  /** Ed25519 verification (default node:crypto). */
  verifySignature?: VerifySignature;
  /** Stop collecting after this many problems (default 100). */
  maxProblems?: number;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

export function verifyLedgerBytes(buf: Uint8Array, keyLookup: KeyLookup, opts: VerifyOptions = {}): LedgerReport {
  const keeperId = opts.keeperId ?? KEEPER_ID;
  const verify = opts.verifySignature ?? nativeCrypto.ed25519Verify;
  const max = opts.maxProblems ?? 100;
  const problems: LedgerProblem[] = [];
  const add = (index: number, byteOffset: number, message: string) => { if (problems.length < max) problems.push({ index, byteOffset, message }); };
  const signedBy = { gateway: 0, devices: 0 };
  let witnessed = 0;
  const report = (entries: number, tree: MerkleTree, last: Uint8Array, actors: Record<string, number>, actions: LedgerReport['actions']): LedgerReport =>
    ({ ok: problems.length === 0, bytes: buf.length, entries, root: hex(tree.root()), lastHash: hex(last), actors, signedBy, witnessed, actions, problems });

  const keeperKey = keyLookup(keeperId);
  if (!keeperKey) add(-1, 0, `no public key for the gateway "${keeperId}": no seal can be checked`);
  const ring = new KeyRing(keeperId, keeperKey, keyLookup);
  const tree = new MerkleTree();
  const actors: Record<string, number> = {};
  const actions: LedgerReport['actions'] = {};
  const hashOfSeq = new Map<number, Uint8Array>();
  let last: Uint8Array = ZERO_HASH;

  const badHeader = headerMismatch(buf);
  if (buf.length < MAGIC.length) {
    add(-1, buf.length, `byte ${buf.length}: the file ends inside its ${MAGIC.length}-byte header (torn when created, or not a ledger)`);
    return report(0, tree, last, actors, actions);
  }
  if (badHeader >= 0) add(-1, badHeader, `byte ${badHeader}: not a layerfleet ledger header ("LFLEDGR", version 1)`);

  let offset = MAGIC.length;
  let index = 0;
  let maxSeq = -1;
  let lastTs = 0;
  let resync = false; // after skipped bytes, the next record's seq and prev cannot be judged
  while (offset < buf.length) {
    const frame = readFrame(buf, offset);
    if (!frame.ok) {
      const next = findNextFrame(buf, offset + 1);
      if (next < 0) {
        const left = buf.length - offset;
        add(index, offset, frame.why.startsWith('record CRC')
          ? `entry ${index} (byte ${offset}): ${frame.why}, or its write was torn — the gateway cuts it when it opens the ledger`
          : `byte ${offset}: torn record at the end (${left} bytes) — entry ${index}: ${frame.why}`);
        break;
      }
      add(index, offset, `entry ${index} (byte ${offset}): ${frame.why}; ${next - offset} bytes skipped up to the next intact record at byte ${next}`);
      offset = next;
      index++;
      resync = true;
      continue;
    }
    const at = offset;
    offset = frame.end;
    let e: LedgerEntry;
    try {
      e = decodeEntry(frame.body);
    } catch (err) {
      add(index, at, `entry ${index} (byte ${at}): ${err instanceof LedgerError ? err.message : `undecodable (${String(err)})`}`);
      index++;
      resync = true;
      continue;
    }
    const claim: Claim = { actor: e.actor, action: e.action, ts: e.claimTs, data: e.data };
    const problem = ((): string | null => {
      if (!resync && e.seq !== maxSeq + 1) {
        return maxSeq < 0 ? `seq ${e.seq}, but a ledger starts at 0 — its first entries are missing` : `seq ${e.seq} follows ${maxSeq} — an entry is missing or reordered`;
      }
      const before = e.seq === 0 ? ZERO_HASH : hashOfSeq.get(e.seq - 1);
      if (!resync && (!before || !equal(e.prev, before))) {
        return e.seq === 0 ? 'prev is not 32 zero bytes, yet this is the first entry' : `hash chain broken (its prev does not match entry ${index - 1}'s hash)`;
      }
      if (e.ts < lastTs) return `recorded at ${e.ts}, before entry ${index - 1} (${lastTs}) — time went backwards`;
      const rule = ring.breaks(claim);
      if (rule) return rule;
      const key = ring.keyFor(e.actor);
      if ('why' in key) return key.why;
      if (!claimSignatureValid(e, key.key, verify)) return `signature by ${e.actor} does not verify`;
      if (keeperKey && !sealValid(e, keeperKey, verify)) return `seal by ${keeperId} does not verify`;
      return null;
    })();
    if (problem) add(index, at, `entry ${index}${e.seq === index ? '' : ` (seq ${e.seq})`}: ${problem}`);
    else ring.apply(claim, index);

    resync = false;
    maxSeq = Math.max(maxSeq, e.seq);
    hashOfSeq.set(e.seq, e.hash);
    lastTs = Math.max(lastTs, e.ts);
    last = e.hash;
    tree.push(e.hash);
    actors[e.actor] = (actors[e.actor] ?? 0) + 1;
    if (e.actor === keeperId) {
      signedBy.gateway++;
      if (e.data.witnessed === true) witnessed++;
    } else {
      signedBy.devices++;
    }
    actions[e.action] = (actions[e.action] ?? 0) + 1;
    index++;
  }

  if (opts.pinned) {
    const { count, root } = opts.pinned;
    if (tree.size < count) add(-1, buf.length, `the ledger holds ${tree.size} entries but was pinned at ${count} — entries were removed from its end`);
    else if (hex(tree.rootAt(count)).toLowerCase() !== root.toLowerCase()) add(-1, buf.length, `its first ${count} entries do not hash to the pinned root ${root.slice(0, 16)}… — entries were altered, removed or reordered`);
  }
  return report(tree.size, tree, last, actors, actions);
}

/** `DIR/ledger/ledger.bin` when `source` is a state directory, else the file itself. */
export async function resolveLedgerFile(source: string): Promise<string> {
  const s = await stat(source).catch((err: NodeJS.ErrnoException) => {
    throw new LedgerError('not-a-ledger', `${source}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
  });
  return s.isDirectory() ? ledgerFile(source) : source;
}

/** Verifies the ledger of state directory (or file) `source`, or ledger bytes given directly. */
export async function verifyLedger(source: string | Uint8Array, keyLookup: KeyLookup, opts: VerifyOptions = {}): Promise<LedgerReport> {
  if (typeof source !== 'string') return verifyLedgerBytes(source, keyLookup, opts);
  const path = await resolveLedgerFile(source);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LedgerError('not-a-ledger', `${path}: ${code === 'ENOENT' ? 'no ledger here' : (err as Error).message}`);
  }
  return { ...verifyLedgerBytes(bytes, keyLookup, opts), path };
}
