/**
 * `layerfleet bench ledger`: the audit ledger's appends against the floor under it — the same
 * number of same-sized records appended to a plain file with one fsync each, no hashing, no
 * signatures (the peer) — so the ratio shows what chaining and signing cost over the disk.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLedger } from '@layerfleet/ledger';

async function rawFsyncAppends(records: number, bytes: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'layerfleet-fsync-bench-'));
  const fh = await open(join(dir, 'raw.bin'), 'a');
  const record = Buffer.alloc(bytes, 0x5a);
  const started = performance.now();
  for (let i = 0; i < records; i++) {
    await fh.write(record);
    await fh.sync();
  }
  const perSecond = records / ((performance.now() - started) / 1000);
  await fh.close();
  await rm(dir, { recursive: true, force: true });
  return perSecond;
}

export async function benchLedgerTable(): Promise<void> {
  const r = await benchLedger();
  const raw = await rawFsyncAppends(200, Math.round(r.bytesPerEntry));
  console.log('\naudit ledger (hash-chained, two Ed25519 signatures per entry, fsync) vs plain fsync\'d appends of the same size');
  console.log(`one append per fsync      ${r.sequentialPerSecond.toFixed(0).padStart(7)} /s   plain file ${raw.toFixed(0).padStart(7)} /s   ledger/plain ${(r.sequentialPerSecond / raw).toFixed(2)}×`);
  console.log(`batches of 100 per fsync  ${r.batch100PerSecond.toFixed(0).padStart(7)} /s`);
  console.log(`1000 concurrent appends   ${r.concurrentPerSecond.toFixed(0).padStart(7)} /s (batched by the ledger)`);
  console.log(`verify                    ${r.verifyPerSecond.toFixed(0).padStart(7)} entries/s; ${Math.round(r.bytesPerEntry)} bytes per entry on disk`);
}
