/**
 * The bare pipeline of `bench e2e`: the demo's hops as plaintext mqtt.js processes
 * (bench-e2e-bare-hop.ts) over a given broker, with a fixed split of LeNet-5 — the source
 * computes the first and the last layer, the three middle layers go one to each worker, as the
 * demo's planner spreads them (`spread`), or all three to the first worker, as the planner places
 * them when budgets are what the workers measured (`one-worker`). Latencies are the source's, from before its first layer to after
 * its last; CPU is each process's own (the broker's included), over the measured window.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLenetInt8 } from '@layerfleet/models';
import { startChild, stopAll, type Child } from './bench-e2e-child.js';
import { cpuPer, snapshot } from './bench-e2e-cpu.js';
import { figures, type PipelineFigures } from './bench-e2e-figures.js';

const HOP_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'bench-e2e-bare-hop.js');

export const BARE_SOURCE = 'cam1';
/** The workers, in both pipelines. */
export const BARE_WORKERS: readonly string[] = ['edge-a', 'edge-b', 'edge-c'];

export const BARE_SPLITS = ['spread', 'one-worker'] as const;
export type BareSplit = (typeof BARE_SPLITS)[number];

/** The hops of a split: LeNet-5's layers 2–4 (conv2, fc1, fc2) one per worker, or all on the first; conv1 and fc3 on the source. */
function hops(split: BareSplit): Array<{ id: string; layers: number[] }> {
  return split === 'spread' ? BARE_WORKERS.map((id, i) => ({ id, layers: [i + 1] })) : [{ id: BARE_WORKERS[0]!, layers: [1, 2, 3] }];
}

/** "conv1@cam1 → conv2@edge-a → …", the split the bare pipeline runs. */
export function bareAssignment(split: BareSplit): string {
  const names = loadLenetInt8().layers.map((l) => l.spec.name);
  const at = [BARE_SOURCE, ...hops(split).flatMap((h) => h.layers.map(() => h.id)), BARE_SOURCE];
  return names.map((name, i) => `${name}@${at[i]}`).join(' → ');
}

export interface BareRun { url: string; split: BareSplit; requests: number; warmup: number; concurrency: number; brokerPid?: number }

export async function runBare(o: BareRun): Promise<PipelineFigures> {
  const layers = loadLenetInt8().layers.length;
  const children: Child[] = [];
  try {
    const workers = hops(o.split);
    for (const [i, w] of workers.entries()) {
      const next = workers[i + 1]?.id ?? BARE_SOURCE;
      const child = startChild(w.id, process.execPath, [HOP_SCRIPT, 'worker', w.id, o.url, next, w.layers.join(',')]);
      children.push(child);
      await child.next('ready', 30_000);
    }
    const source = startChild(BARE_SOURCE, process.execPath, [HOP_SCRIPT, 'source', BARE_SOURCE, o.url, workers[0]!.id, '0', String(layers - 1), String(o.requests), String(o.warmup), String(o.concurrency)]);
    children.push(source);
    await source.next('ready', 30_000);
    const pids = new Map(children.map((c) => [c.name, c.process.pid!] as const));
    if (o.brokerPid !== undefined) pids.set('broker', o.brokerPid);
    // every wait is bounded: generous for this machine, far beyond what a working pipeline takes
    const bound = 60_000 + 50 * (o.requests + o.warmup);
    source.tell('go');
    await source.next('warm', bound);
    const before = snapshot(pids);
    const done = await source.next('done', bound);
    const after = snapshot(pids);
    const latencies = done.latencies_ms as number[];
    return figures(latencies, Number(done.seconds), cpuPer(before, after, latencies.length), Number(done.failed), { [bareAssignment(o.split)]: latencies.length });
  } finally {
    await stopAll(children);
  }
}
