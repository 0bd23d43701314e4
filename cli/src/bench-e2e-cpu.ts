/**
 * CPU time of processes, read from /proc (Linux) so the bench measures processes it did not write
 * (the fleet's gateway and agents) the same way as its own: the sum over a process's threads of
 * the nanoseconds they ran (`/proc/PID/task/TID/schedstat`, first field), or where that is
 * missing the process's utime + stime in clock ticks (`/proc/PID/stat`, fields 14 and 15).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: what /proc/PID/stat counts utime and stime in. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Milliseconds of CPU the process `pid` has used so far, or undefined when it is gone (or this is not Linux). */
export function cpuMs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const field = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0];
      ns += Number(field);
    }
    if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
  } catch { /* no schedstat: fall back to stat */ }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** Every process below `root` (children, their children, …): pid → its command line's words. */
export function descendants(root = process.pid): Map<number, string[]> {
  const parentOf = new Map<number, number>();
  let pids: string[] = [];
  try { pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p)); } catch { return new Map(); }
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parentOf.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone meanwhile */ }
  }
  const found = new Map<number, string[]>();
  const below = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent !== pid || found.has(child)) continue;
      try { found.set(child, readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean)); } catch { continue; }
      below(child);
    }
  };
  below(root);
  return found;
}

/** CPU ms of each named process at one moment. */
export type CpuSnapshot = Map<string, { pid: number; ms: number }>;

export function snapshot(processes: ReadonlyMap<string, number>): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [name, pid] of processes) {
    const ms = cpuMs(pid);
    if (ms !== undefined) out.set(name, { pid, ms });
  }
  return out;
}

/** CPU ms per unit of work of each process between two snapshots (processes in both, same pid). */
export function cpuPer(before: CpuSnapshot, after: CpuSnapshot, units: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, b] of before) {
    const a = after.get(name);
    if (a && a.pid === b.pid) out[name] = Math.round(((a.ms - b.ms) / Math.max(1, units)) * 1000) / 1000;
  }
  return out;
}
