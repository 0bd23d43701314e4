/**
 * `benchLedger()`: what durability costs. Appends per second with one fsync each (awaited one
 * by one), with 100 entries per fsync (`appendMany`), with 1000 concurrent appends (group
 * commit decides the batches), and how fast `verifyLedgerBytes` checks the result. Run it on
 * the disk the state directory lives on: on tmpfs an fsync costs nothing and the figures lie.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDeviceKeys } from '@layerfleet/protocol';
import { signerFromKeys, type ClaimInput } from './entry.js';
import { ledgerFile } from './frame.js';
import { Ledger } from './ledger.js';
import { verifyLedgerBytes } from './verify.js';

export interface LedgerBench {
  dir: string;
  sequentialPerSecond: number;
  batch100PerSecond: number;
  concurrentPerSecond: number;
  verifyPerSecond: number;
  bytesPerEntry: number;
}

export async function benchLedger(opts: { dir?: string; sequential?: number; batches?: number; concurrent?: number } = {}): Promise<LedgerBench> {
  const sequential = opts.sequential ?? 200, batches = opts.batches ?? 10, concurrent = opts.concurrent ?? 1000;
  const dir = await mkdtemp(join(opts.dir ?? tmpdir(), 'layerfleet-ledger-bench-'));
  const keys = generateDeviceKeys('gateway');
  const keeper = signerFromKeys(keys);
  const claim = (i: number): ClaimInput => ({ action: 'placement', data: { requestId: `r${i}`, model: 'lenet', devices: ['cam1', 'edge-a', 'edge-b', 'cam1'], weights: new Uint8Array(32).fill(i & 0xff) } });
  const rate = (n: number, t0: bigint) => n / (Number(process.hrtime.bigint() - t0) / 1e9);
  try {
    const ledger = await Ledger.open(dir, { keeper });
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < sequential; i++) await ledger.append(claim(i));
    const sequentialPerSecond = rate(sequential, t0);

    t0 = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) await ledger.appendMany(Array.from({ length: 100 }, (_, i) => claim(b * 100 + i)));
    const batch100PerSecond = rate(batches * 100, t0);

    t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrent }, (_, i) => ledger.append(claim(i))));
    const concurrentPerSecond = rate(concurrent, t0);
    await ledger.close();

    const bytes = new Uint8Array(await readFile(ledgerFile(dir)));
    const total = sequential + batches * 100 + concurrent;
    t0 = process.hrtime.bigint();
    const report = verifyLedgerBytes(bytes, (id) => (id === keys.id ? keys.signPublic : undefined));
    const verifyPerSecond = rate(total, t0);
    if (!report.ok || report.entries !== total) throw new Error(`benchLedger: the ledger written does not verify: ${report.problems[0]?.message ?? `${report.entries} entries`}`);
    return { dir: opts.dir ?? tmpdir(), sequentialPerSecond, batch100PerSecond, concurrentPerSecond, verifyPerSecond, bytesPerEntry: bytes.length / total };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
