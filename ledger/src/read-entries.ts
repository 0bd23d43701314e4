/**
 * Every entry of a ledger file, in order, for tools and tests that read a closed ledger whole.
 * Strict: a torn or altered record throws naming its byte offset (`verifyLedger` is the
 * forgiving reader that reports every problem instead).
 */
import { readFile } from 'node:fs/promises';
import { decodeEntry, type LedgerEntry } from './entry.js';
import { MAGIC, readFrame } from './frame.js';

export async function readLedgerEntries(file: string): Promise<LedgerEntry[]> {
  const bytes = new Uint8Array(await readFile(file));
  const out: LedgerEntry[] = [];
  for (let offset = MAGIC.length; offset < bytes.length;) {
    const frame = readFrame(bytes, offset);
    if (!frame.ok) throw new Error(`${file}: bad record at byte ${offset}: ${frame.why}`);
    out.push(decodeEntry(frame.body));
    offset = frame.end;
  }
  return out;
}
