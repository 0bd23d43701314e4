/**
 * Loaded into every ava worker (the root package.json's "ava".require). When a test file's tests
 * and hooks are done, its worker has to exit by itself; one that does not still holds something
 * open — a child process, a socket, a timer that re-arms (an MQTT client retrying a stopped
 * broker) — and ava waits on it without end. After a grace period this names what is open, kills
 * the child processes among it and exits non-zero, which ava reports as a failed test file.
 */
import test, { registerCompletionHandler } from 'ava';
import { ChildProcess } from 'node:child_process';
import { Server, Socket } from 'node:net';

/** Enough for a child sent SIGTERM in an after hook to finish exiting; far less than a hang. */
const GRACE_MS = 15_000;

registerCompletionHandler(() => {
  setTimeout(() => {
    const open = openHandles();
    process.stderr.write(`\nworker-must-exit: ${test.meta.file} did not exit ${GRACE_MS / 1000} s after its tests ended; still open:\n`
      + `${open.map((line) => `  ${line}\n`).join('')}  (resources: ${process.getActiveResourcesInfo().join(', ') || 'none'})\n`);
    for (const handle of liveHandles()) if (handle instanceof ChildProcess) handle.kill('SIGKILL');
    process.exit(1);
  }, GRACE_MS).unref(); // unreferenced: a worker that exits on its own never sees it fire
});

/** Node's list of the handles keeping the event loop alive (undocumented, but the only one that gives the objects). */
function liveHandles(): unknown[] {
  const lister = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  return lister ? lister.call(process).filter((h) => h !== process.stdout && h !== process.stderr && h !== process.stdin) : [];
}

function openHandles(): string[] {
  return liveHandles().map((h) => {
    if (h instanceof ChildProcess) return `child process ${h.pid}: ${h.spawnargs.join(' ')}`;
    if (h instanceof Socket) return `socket ${h.localAddress ?? ''}:${h.localPort ?? ''} → ${h.remoteAddress ?? 'pipe'}:${h.remotePort ?? ''}`;
    if (h instanceof Server) return `server listening on ${JSON.stringify(h.address())}`;
    return (h as object).constructor?.name ?? typeof h;
  });
}
