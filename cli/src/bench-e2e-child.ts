/**
 * The processes `bench e2e` starts on its own (bare hops, brokers, load generators): spawned
 * with their JSON lines read as they come, every wait for a line bounded, and stopped with
 * SIGTERM, then SIGKILL after a grace period, so nothing outlives the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  name: string;
  process: ChildProcess;
  /** The next JSON line on its stdout whose `event` is `event`, within `timeoutMs`. */
  next(event: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** Writes one line to its stdin. */
  tell(line: string): void;
  stop(): Promise<void>;
}

/** The last stderr a child wrote, kept for the error that says why it ended. */
const LAST_WORDS_CHARS = 800;

export function startChild(name: string, command: string, args: string[]): Child {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let lastWords = '';
  let exited: string | undefined;
  const wake = () => { for (const w of waiters.splice(0)) w(); };
  proc.stderr!.on('data', (d: Buffer) => { lastWords = `${lastWords}${d.toString()}`.slice(-LAST_WORDS_CHARS); });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value === 'object' && value !== null) { lines.push(value as Record<string, unknown>); wake(); }
    } catch { /* a log line, not a report */ }
  });
  proc.on('error', (err) => { exited = `could not start (${err.message})`; wake(); });
  // 'close' rather than 'exit': by then its last stderr has been read, so the error can quote it
  proc.on('close', (code, signal) => { exited = `exited (${signal ?? code})`; wake(); });
  // its stdin closes when it ends; a write after that must not throw in this process
  proc.stdin!.on('error', () => {});
  const child: Child = {
    name,
    process: proc,
    next(event, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { drop(); reject(new Error(`${name}: no "${event}" within ${timeoutMs} ms${lastWords ? `; it said: ${lastWords.trim()}` : ''}`)); }, timeoutMs);
        const check = () => {
          const i = lines.findIndex((l) => l.event === event);
          if (i >= 0) { clearTimeout(timer); drop(); resolve(lines.splice(i, 1)[0]!); return; }
          if (exited !== undefined) { clearTimeout(timer); drop(); reject(new Error(`${name} ${exited} before "${event}"${lastWords ? `: ${lastWords.trim()}` : ''}`)); return; }
          waiters.push(check);
        };
        const drop = () => { const i = waiters.indexOf(check); if (i >= 0) waiters.splice(i, 1); };
        check();
      });
    },
    tell(line) { if (exited === undefined) proc.stdin!.write(`${line}\n`); },
    stop: () => stopProcess(proc),
  };
  return child;
}

/** SIGTERM, then SIGKILL when it has not exited within `graceMs`; resolves once it has exited. */
export async function stopProcess(proc: ChildProcess, graceMs = 3000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every child at once; one that fails to stop does not keep the others running. */
export async function stopAll(children: readonly Child[]): Promise<void> {
  await Promise.allSettled(children.map((c) => c.stop()));
}
