/**
 * One writer per ledger. Two gateways started on one state directory would both append after
 * the same head and interleave frames: the file would no longer be a chain. The lock is a file
 * created exclusively next to the ledger, naming the process that holds it; a lock left by a
 * process that is gone (a crash, a power cut) is taken over, one held by a live process is not.
 */
import { hostname } from 'node:os';
import { openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export interface WriterLock { path: string; release(): void }

interface Holder { pid: number; host: string; since: number }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/**
 * A killed process whose parent has not reaped it yet (a container whose PID 1 does not reap, a
 * gateway restarted the moment its predecessor was SIGKILLed) still answers kill(pid, 0), but it
 * writes nothing: its lock is free. Linux tells through /proc; elsewhere we cannot, and say no.
 */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S …": the state follows the last ')', as comm may hold spaces and parentheses
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, since: Number(h.since) } : null;
  } catch {
    return null;
  }
}

/** Takes the lock at `path`, or throws naming the live process that holds it. */
export function acquireWriterLock(path: string, what: string): WriterLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(path);
      // Another host's pid means nothing here (a shared filesystem): only its owner may clear it.
      if (holder && (holder.host !== hostname() || alive(holder.pid))) {
        throw new Error(`${what} is being written by process ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()} (lock ${path}); stop that gateway first, or remove the lock if that process is certainly gone`);
      }
      unlinkSync(path); // a dead writer's lock, or an unreadable one: stale
      continue;
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now() }));
    } finally {
      closeSync(fd);
    }
    return {
      path,
      release: () => {
        if (readHolder(path)?.pid === process.pid) unlinkSync(path);
      },
    };
  }
  throw new Error(`${what}: could not take the lock ${path}`);
}
