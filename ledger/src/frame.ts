/**
 * The ledger file on disk: an 8-byte header, then records framed as
 *   u32be length ‖ body ‖ u32be CRC-32(body)
 * so that a write cut short anywhere — in the length, the body or the CRC — is seen as such,
 * and a changed byte anywhere fails the CRC or the framing. The framing is what Zephyr's SMP
 * serial transport does for the same reasons: bounded length, length + CRC, drop on mismatch.
 */
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { MAX_RECORD_BYTES } from './entry.js';

/** Where a state directory keeps its ledger: `DIR/ledger/ledger.bin`, a directory of its own so
 * backups and permissions can treat the audit trail apart from keys and device lists. */
export const LEDGER_DIR = 'ledger';
export const LEDGER_FILE = 'ledger.bin';

export function ledgerFile(stateDir: string): string {
  return join(stateDir, LEDGER_DIR, LEDGER_FILE);
}

/** File header: "LFLEDGR" and format version 1. */
export const MAGIC = Uint8Array.of(0x4c, 0x46, 0x4c, 0x45, 0x44, 0x47, 0x52, 0x01);
export const FRAME_OVERHEAD = 8;

export function frameRecord(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + FRAME_OVERHEAD);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(body, 4);
  view.setUint32(4 + body.length, crc32(body) >>> 0);
  return out;
}

/** The first byte where `buf` differs from MAGIC (-1: a full, correct header). */
export function headerMismatch(buf: Uint8Array): number {
  for (let i = 0; i < MAGIC.length; i++) if (i >= buf.length || buf[i] !== MAGIC[i]) return i;
  return -1;
}

function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

export type Frame = { ok: true; body: Uint8Array; end: number } | { ok: false; why: string };

/** The frame at `offset`, or why there is none. Never reads past `buf`. */
export function readFrame(buf: Uint8Array, offset: number): Frame {
  const left = buf.length - offset;
  if (left < 4) return { ok: false, why: `only ${left} byte${left === 1 ? '' : 's'} where a 4-byte length prefix belongs` };
  const length = u32(buf, offset);
  if (length === 0) return { ok: false, why: 'length prefix is 0 (no record is empty)' };
  if (length > MAX_RECORD_BYTES) return { ok: false, why: `length prefix ${length} is over the ${MAX_RECORD_BYTES}-byte record limit` };
  const end = offset + FRAME_OVERHEAD + length;
  if (end > buf.length) return { ok: false, why: `length prefix ${length} runs ${end - buf.length} bytes past the end of the file` };
  const body = buf.subarray(offset + 4, offset + 4 + length);
  if ((crc32(body) >>> 0) !== u32(buf, offset + 4 + length)) return { ok: false, why: 'record CRC does not match (altered)' };
  return { ok: true, body, end };
}

/**
 * The first offset after `from` where an intact frame starts, or -1. A torn write can only be
 * the last thing in the file, so damage with an intact record after it is damage in the middle.
 */
export function findNextFrame(buf: Uint8Array, from: number): number {
  for (let q = from; q + FRAME_OVERHEAD < buf.length; q++) if (readFrame(buf, q).ok) return q;
  return -1;
}
