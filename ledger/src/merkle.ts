/**
 * The ledger's Merkle tree, hashed as Certificate Transparency hashes its log (RFC 6962 §2.1;
 * the same in RFC 9162 §2.1): leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right),
 * the tree of n leaves split at the largest power of two below n, an odd subtree carried up
 * unpaired (never duplicated, which is what lets Bitcoin's tree be forged, CVE-2012-2459).
 * For the ledger, `data` is an entry's hash, so the root commits to every entry in order.
 *
 * `MerkleTree` appends in O(log n) and gives the current root in O(log n) from the "frontier"
 * of perfect subtrees; proofs and older roots walk the stored leaf hashes (O(n), rare).
 */
import { hash } from 'node:crypto';

export const HASH_BYTES = 32;

/** SHA-256 of `prefix ‖ parts` (one-shot `crypto.hash`: a third of the cost of a Hash object). */
function sha256(prefix: number | null, ...parts: Uint8Array[]): Uint8Array {
  const input = new Uint8Array((prefix === null ? 0 : 1) + parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  if (prefix !== null) input[at++] = prefix;
  for (const p of parts) { input.set(p, at); at += p.length; }
  return new Uint8Array(hash('sha256', input, 'buffer'));
}

/** MTH of one leaf (RFC 6962 §2.1): SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(0x00, data);
}

/** An interior node (RFC 6962 §2.1): SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(0x01, left, right);
}

/** The root of no leaves: SHA-256 of the empty string (RFC 6962 §2.1). */
export const EMPTY_ROOT: Uint8Array = sha256(null);

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes, by the definition. */
function subtreeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo]!;
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** PATH(m, D[lo:hi]) of RFC 6962 §2.1.1: the audit path of leaf lo+m, leaf side first. */
function auditPath(leaves: readonly Uint8Array[], m: number, lo: number, hi: number): Uint8Array[] {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = splitPoint(n);
  return m < k
    ? [...auditPath(leaves, m, lo, lo + k), subtreeRoot(leaves, lo + k, hi)]
    : [...auditPath(leaves, m - k, lo + k, hi), subtreeRoot(leaves, lo, lo + k)];
}

export interface InclusionProof {
  /** 0-based position of the leaf (the entry's seq). */
  index: number;
  /** Number of leaves in the tree the proof is for. */
  size: number;
  /** Sibling hashes from the leaf up (RFC 6962 §2.1.1). */
  path: Uint8Array[];
}

export class MerkleTree {
  private readonly leaves: Uint8Array[] = [];
  /** Roots of the perfect subtrees the leaves so far decompose into, largest first. */
  private readonly frontier: Array<{ hash: Uint8Array; height: number }> = [];

  get size(): number {
    return this.leaves.length;
  }

  /** Adds the leaf for `data` (an entry hash). */
  push(data: Uint8Array): void {
    let hash = leafHash(data);
    let height = 0;
    this.leaves.push(hash);
    while (this.frontier.length && this.frontier[this.frontier.length - 1]!.height === height) {
      hash = nodeHash(this.frontier.pop()!.hash, hash);
      height++;
    }
    this.frontier.push({ hash, height });
  }

  /** MTH of all leaves: the frontier folded from the right, as the split rule nests them. */
  root(): Uint8Array {
    if (this.frontier.length === 0) return EMPTY_ROOT;
    let r = this.frontier[this.frontier.length - 1]!.hash;
    for (let i = this.frontier.length - 2; i >= 0; i--) r = nodeHash(this.frontier[i]!.hash, r);
    return r;
  }

  /** MTH of the first `size` leaves — the root the ledger had when it held `size` entries. */
  rootAt(size: number): Uint8Array {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.leaves.length) {
      throw new RangeError(`rootAt: size ${size} outside 0..${this.leaves.length}`);
    }
    return subtreeRoot(this.leaves, 0, size);
  }

  /** Inclusion proof of leaf `index` in the tree of the first `size` leaves (default: all). */
  proof(index: number, size = this.leaves.length): InclusionProof {
    if (!Number.isSafeInteger(size) || size < 1 || size > this.leaves.length) {
      throw new RangeError(`proof: tree size ${size} outside 1..${this.leaves.length}`);
    }
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`proof: leaf ${index} outside 0..${size - 1}`);
    }
    return { index, size, path: auditPath(this.leaves, index, 0, size) };
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * True when `proof` shows that `data` (an entry hash) is leaf `proof.index` of the tree of
 * `proof.size` leaves whose root is `root` — RFC 9162 §2.1.3.2, step by step. Never throws:
 * a malformed proof is simply false.
 */
export function verifyInclusion(data: Uint8Array, proof: InclusionProof, root: Uint8Array): boolean {
  const { index, size, path } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!Array.isArray(path) || root.length !== HASH_BYTES) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(data);
  for (const p of path) {
    if (!(p instanceof Uint8Array) || p.length !== HASH_BYTES || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}
