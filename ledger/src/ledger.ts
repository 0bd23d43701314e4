/**
 * The audit ledger: an append-only, hash-chained, fsync'd log of what every stakeholder did.
 *
 * Signing scheme (one, for every entry — see entry.ts for the bytes):
 * - the ACTOR signs a claim {ts, actor, action, data} (protocol/src/ledger-claim.ts). The gateway
 *   signs its own (enrol, revoke, placement, weights sent); a device signs its own (layer executed,
 *   result) with `signClaim` and sends the bytes in its trace and result, which the gateway records
 *   with `appendSigned` after checking them (device-claims.ts);
 * - the GATEWAY, which keeps the ledger, seals every entry {seq, ts, prev, claim, sig}.
 * A claim does not mention the ledger's head, so a device's signature never goes stale however
 * many entries land between signing and recording (a device cannot know the head without a
 * round trip, and would race every other writer if it tried); the seal is what fixes each claim's
 * place in the chain. Verify checks both, trusting only the gateway's key from outside: device
 * keys come from 'enrol'/'rotate' entries earlier in the ledger (the gateway seals those), so a
 * ledger carries what is needed to check it. Actors never enrolled in it (devices admitted by
 * `hello` under 'open' access) are checked with `keyLookup`.
 *
 * Durability: one write and one fsync per batch; appends that arrive while a batch is being
 * written wait and go together in the next one (group commit), in call order. A promise
 * resolves only after its entry is on disk. A failed write or fsync stops the ledger (the
 * state of the file is then unknown; reopening it cuts whatever was half written). A crash in
 * the middle of a batch can leave its first records whole: open keeps them (they are complete,
 * sealed entries), though their appends never resolved. One process writes a ledger at a time
 * (writer-lock.ts), and `checkpoint()` leaves the gateway's signed head beside it (checkpoint.ts).
 * Opening: a torn record at the end is cut and reported in `recovered`; damage with an intact
 * record after it is not a torn write, and open refuses, naming the record.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { nativeCrypto, TOPIC_PREFIX } from '@layerfleet/protocol';
import {
  decodeEntry, decodeSignedClaim, LedgerError, sealEntry, signClaim, claimSignatureValid, sealValid, ZERO_HASH,
  type ClaimInput, type LedgerEntry, type Signer, type SignedClaim, type VerifySignature,
} from './entry.js';
import { findNextFrame, frameRecord, headerMismatch, ledgerFile, MAGIC, readFrame } from './frame.js';
import { MerkleTree, verifyInclusion, type InclusionProof } from './merkle.js';
import { KeyRing, type KeyLookup } from './verify.js';
import { acquireWriterLock, type WriterLock } from './writer-lock.js';
import { writeCheckpoint } from './checkpoint.js';
import { toHex as hex } from '@layerfleet/protocol';

export interface LedgerOptions {
  /** The gateway: it seals every entry and is the actor of its own claims. */
  keeper: Signer;
  /** Keys of actors the ledger has no 'enrol' entry for; consulted after the ledger's own. */
  keyLookup?: KeyLookup;
  now?: () => number;
  verifySignature?: VerifySignature;
  /** Most entries written with one fsync (default 1000). */
  maxBatch?: number;
}

/** What open cut from the end of the file: where, how much, and what was wrong with it. */
export interface TornTail { offset: number; length: number; why: string }

export interface LedgerHead { count: number; root: string; lastHash: string; lastTs: number }

export const LEDGER_TOPIC = `${TOPIC_PREFIX}telemetry/ledger`;

/** The plain-JSON payload for `lf/v1/telemetry/ledger`, so outsiders can pin the ledger's head. */
export function ledgerTelemetry(head: LedgerHead, now = Date.now()): { count: number; root: string; lastHash: string; lastTs: number; ts: number } {
  return { count: head.count, root: head.root, lastHash: head.lastHash, lastTs: head.lastTs, ts: now };
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

interface Job { claims: SignedClaim[]; resolve(e: LedgerEntry[]): void; reject(err: unknown): void }

export class Ledger {
  static readonly verifyInclusion = verifyInclusion;
  private readonly tree = new MerkleTree();
  private readonly pending: Job[] = [];
  private flushing: Promise<void> | null = null;
  private stopped: LedgerError | null = null;
  private closed = false;
  private tornTail: TornTail | null = null;
  private size = 0;
  private lastHash: Uint8Array = ZERO_HASH;
  private lastTs = 0;
  /** The seq the next accepted claim will get (appends are written in the order accepted). */
  private nextSeq = 0;
  /** What the device keys will be once everything accepted so far is written (appends are FIFO). */
  private ring: KeyRing;

  private lock: WriterLock | null = null;
  private checkpointed = -1;
  private checkpointing: Promise<void> | null = null;

  private constructor(readonly path: string, private readonly fh: FileHandle, private readonly opts: LedgerOptions) {
    this.ring = new KeyRing(opts.keeper.id, opts.keeper.signPublic, opts.keyLookup);
  }

  /** What open cut from the end of the file (a torn last write), or null when nothing was cut. */
  get recovered(): TornTail | null {
    return this.tornTail;
  }

  /** Opens (or creates) the ledger of state directory `stateDir`: `stateDir/ledger/ledger.bin`. */
  static async open(stateDir: string, opts: LedgerOptions): Promise<Ledger> {
    const path = ledgerFile(stateDir);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const lock = acquireWriterLock(join(dirname(path), 'ledger.lock'), `the ledger ${path}`);
    let fh: FileHandle | undefined;
    let created = false;
    try {
      try {
        fh = await open(path, 'r+');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        fh = await open(path, 'wx+', 0o600);
        created = true;
      }
      const ledger = new Ledger(path, fh, opts);
      await ledger.load(created);
      ledger.lock = lock;
      return ledger;
    } catch (err) {
      await fh?.close();
      lock.release();
      throw err;
    }
  }

  private async load(created: boolean): Promise<void> {
    const buf = new Uint8Array(await this.fh.readFile());
    if (buf.length < MAGIC.length) {
      // empty, or a header torn while the file was being created
      if (headerMismatch(buf) < buf.length) throw new LedgerError('not-a-ledger', `${this.path}: ${buf.length} bytes, not a layerfleet ledger header`);
      if (buf.length > 0) this.tornTail = { offset: 0, length: buf.length, why: 'header torn when the file was created' };
      await this.writeAll(MAGIC, 0);
      await this.fh.truncate(MAGIC.length);
      await this.fh.sync();
      if (created) await syncDir(dirname(this.path));
      this.size = MAGIC.length;
      return;
    }
    const bad = headerMismatch(buf);
    if (bad >= 0) throw new LedgerError('not-a-ledger', `${this.path}: byte ${bad}: not a layerfleet ledger header`);

    let offset = MAGIC.length;
    let last: LedgerEntry | null = null;
    while (offset < buf.length) {
      const index = this.tree.size;
      const where = `${this.path}: entry ${index} (byte ${offset})`;
      const frame = readFrame(buf, offset);
      if (!frame.ok) {
        const next = findNextFrame(buf, offset + 1);
        if (next >= 0) {
          throw new LedgerError('corrupt', `${where}: ${frame.why}, yet an intact record follows at byte ${next}: this is damage inside the ledger, not a torn write. Run "layerfleet ledger verify --state ${dirname(dirname(this.path))}" and restore the file from a copy`);
        }
        this.tornTail = { offset, length: buf.length - offset, why: frame.why };
        break;
      }
      let e: LedgerEntry;
      try {
        e = decodeEntry(frame.body);
      } catch (err) {
        throw new LedgerError('corrupt', `${where}: ${(err as Error).message}`);
      }
      if (e.seq !== index) throw new LedgerError('corrupt', `${where}: seq ${e.seq} where ${index} belongs — an entry is missing or reordered`);
      if (!equal(e.prev, this.lastHash)) throw new LedgerError('corrupt', `${where}: hash chain broken (its prev does not match entry ${index - 1}'s hash)`);
      const claim = { actor: e.actor, action: e.action, ts: e.claimTs, data: e.data };
      if (!this.ring.breaks(claim)) this.ring.apply(claim, index);
      this.tree.push(e.hash);
      this.lastHash = e.hash;
      this.lastTs = Math.max(this.lastTs, e.ts);
      last = e;
      offset = frame.end;
    }
    this.size = offset;
    this.nextSeq = this.tree.size;
    // one signature check, so a gateway never extends a ledger another key has sealed
    const verify = this.opts.verifySignature ?? nativeCrypto.ed25519Verify;
    if (last && !sealValid(last, this.opts.keeper.signPublic, verify)) {
      throw new LedgerError('corrupt', `${this.path}: entry ${last.seq} is not sealed by the key of "${this.opts.keeper.id}" — the ledger belongs to another gateway key, or was altered`);
    }
    if (this.tornTail) {
      // only now, with everything before it checked, is the file changed
      await this.fh.truncate(offset);
      await this.fh.sync();
    }
  }

  /** Records a claim signed here by `signer` (default: the gateway itself). */
  append(input: ClaimInput, signer: Signer = this.opts.keeper): Promise<LedgerEntry> {
    return this.appendMany([input], signer).then((e) => e[0]!);
  }

  /** Records several claims by one signer with a single write and fsync. */
  appendMany(inputs: ClaimInput[], signer: Signer = this.opts.keeper): Promise<LedgerEntry[]> {
    try {
      const claims = inputs.map((input) => decodeSignedClaim(signClaim(input, signer, this.now)));
      this.accept(claims, signer.signPublic);
      return this.enqueue(claims);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Records a claim its actor signed elsewhere (`signClaim` bytes), after checking the signature.
   * `verifiedWith`: the key the caller has already verified that signature with; when it is the
   * actor's key in the ledger, the signature is not verified a second time.
   */
  appendSigned(signedClaim: Uint8Array, verifiedWith?: Uint8Array): Promise<LedgerEntry> {
    try {
      const c = decodeSignedClaim(signedClaim);
      this.accept([c], verifiedWith);
      return this.enqueue([c]).then((e) => e[0]!);
    } catch (err) {
      return Promise.reject(err instanceof LedgerError && err.code === 'malformed' ? new LedgerError('rejected', err.message) : err);
    }
  }

  /** The device's key as the ledger records it (enrol/rotate), with `revokedAt` once revoked; counts appends still being written. */
  enrolled(device: string): { signPublic: Uint8Array; revokedAt?: number } | undefined {
    return this.ring.enrolled(device);
  }

  /** The committed head: what `ledgerTelemetry` publishes. */
  head(): LedgerHead {
    return { count: this.tree.size, root: hex(this.tree.root()), lastHash: hex(this.lastHash), lastTs: this.lastTs };
  }

  root(): Uint8Array {
    return this.tree.root();
  }

  /** Proof that entry `seq` is in the tree of the first `size` entries (default: all). */
  proof(seq: number, size?: number): InclusionProof {
    return this.tree.proof(seq, size);
  }

  /**
   * Writes the gateway's signed checkpoint of the head (checkpoint.ts) when entries were added
   * since the last one; only entries already on disk count. Resolves to whether it wrote. The
   * write and its fsync leave the event loop; one checkpoint is written at a time (a call while
   * one is being written waits for it, then writes the newer head if there is one).
   */
  async checkpoint(now = Date.now()): Promise<boolean> {
    while (this.checkpointing) await this.checkpointing;
    const head = this.head();
    if (head.count === this.checkpointed) return false;
    this.checkpointing = writeCheckpoint(dirname(this.path), head, this.opts.keeper, now).finally(() => { this.checkpointing = null; });
    await this.checkpointing;
    this.checkpointed = head.count;
    return true;
  }

  /** Waits for queued appends to reach the disk, checkpoints, then closes the file and lets go of the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopped ??= new LedgerError('closed', `${this.path}: the ledger is closed`);
    while (this.flushing) await this.flushing;
    try {
      await this.checkpoint();
    } finally {
      await this.fh.close();
      this.lock?.release();
    }
  }

  private get now(): () => number {
    return this.opts.now ?? Date.now;
  }

  /**
   * Checks claims against the rules and keys as they will stand when they are written, and
   * updates those: appends are written in call order, so this is exactly what verify will see.
   * All or nothing: one refused claim leaves the ledger as it was.
   */
  private accept(claims: SignedClaim[], signerKey?: Uint8Array): void {
    if (this.stopped) throw this.stopped;
    const ring = claims.length > 1 ? this.ring.clone() : this.ring;
    for (const [i, c] of claims.entries()) {
      const rule = ring.breaks(c.claim);
      if (rule) throw new LedgerError('rejected', `ledger: ${rule}`);
      const key = ring.keyFor(c.claim.actor);
      if ('why' in key) throw new LedgerError('rejected', `ledger: ${key.why}`);
      if (signerKey ? !equal(signerKey, key.key) : !claimSignatureValid(c, key.key, this.opts.verifySignature ?? nativeCrypto.ed25519Verify)) {
        throw new LedgerError('rejected', `ledger: signature by ${c.claim.actor} does not verify with its ${c.claim.actor === this.opts.keeper.id ? '' : 'enrolled '}key`);
      }
      ring.apply(c.claim, this.nextSeq + i);
    }
    this.ring = ring;
    this.nextSeq += claims.length;
  }

  private enqueue(claims: SignedClaim[]): Promise<LedgerEntry[]> {
    const done = new Promise<LedgerEntry[]>((resolve, reject) => this.pending.push({ claims, resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    const max = this.opts.maxBatch ?? 1000;
    while (this.pending.length) {
      const jobs: Job[] = [];
      let n = 0;
      while (this.pending.length && (jobs.length === 0 || n + this.pending[0]!.claims.length <= max)) {
        n += this.pending[0]!.claims.length;
        jobs.push(this.pending.shift()!);
      }
      try {
        const entries = await this.commit(jobs.flatMap((j) => j.claims));
        let at = 0;
        for (const j of jobs) { j.resolve(entries.slice(at, at + j.claims.length)); at += j.claims.length; }
      } catch (err) {
        this.stopped = new LedgerError('closed', `${this.path}: a write failed (${(err as Error).message}); reopen the ledger to recover`);
        for (const j of [...jobs, ...this.pending.splice(0)]) j.reject(this.stopped);
      }
    }
    this.flushing = null;
  }

  /** Seals, writes with one call, fsyncs; only then does the in-memory head move. */
  private async commit(claims: SignedClaim[]): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    let prev = this.lastHash;
    let ts = this.lastTs;
    for (const c of claims) {
      ts = Math.max(ts, Math.floor(this.now()));
      const body = sealEntry({ seq: this.tree.size + entries.length, ts, prev, claimBytes: c.claimBytes, sig: c.sig }, this.opts.keeper);
      const e = decodeEntry(body);
      entries.push(e);
      prev = e.hash;
    }
    const frames = Buffer.concat(entries.map((e) => frameRecord(e.body)));
    await this.writeAll(frames, this.size);
    await this.fh.sync();
    this.size += frames.length;
    for (const e of entries) this.tree.push(e.hash);
    this.lastHash = prev;
    this.lastTs = ts;
    return entries;
  }

  private async writeAll(bytes: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, position + done);
      if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten}`);
      done += bytesWritten;
    }
  }
}

/** Makes a new file's directory entry durable (a file fsync does not cover its name). */
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
