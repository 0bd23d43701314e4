/**
 * A JSON file replaced atomically (temporary file, fsync, rename): a crash leaves the old or the
 * new content, never half of one. The gateway's small state files (devices, enrolment tokens,
 * the ledger's checkpoint) are all written this way; mode 0600, as they are the operator's.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * `writeJsonAtomic` off the event loop: the write and the fsync run on libuv's thread pool, so a
 * broker sharing the loop keeps routing while the disk syncs (the gateway's ledger checkpoint).
 */
export async function writeJsonAtomicAsync(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
