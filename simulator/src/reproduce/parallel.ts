/**
 * Runs the reproduction's cells on worker threads (one per core by default), heaviest first,
 * and returns them in the table's order. Each cell is independent: its own seeded simulations.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CELLS, type Cell, type Convergence, type ReproOptions } from './experiments.js';

const weight: Record<string, number> = { vgg: 4, mixed: 3, cifar: 2, lenet: 1 };

export async function runCellsParallel(opts: ReproOptions, threads = Math.min(2, availableParallelism())): Promise<{ cells: Cell[]; curves: Convergence[] }> {
  const todo = [...CELLS].sort((a, b) => weight[b[0]]! - weight[a[0]]!);
  const done = new Map<string, { cell: Cell; curve: Convergence }>();
  await Promise.all(Array.from({ length: threads }, () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL('./cell-worker.js', import.meta.url), { workerData: opts });
    const next = () => { const job = todo.shift(); worker.postMessage(job ? { workload: job[0], privacy: job[1] } : null); };
    worker.on('message', (r: { cell: Cell; curve: Convergence }) => { done.set(`${r.cell.workload}/${r.cell.privacy}`, r); next(); });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`reproduction worker exited with code ${code}`))));
    next();
  })));
  const ordered = CELLS.map(([w, p]) => done.get(`${w}/${p}`)!);
  return { cells: ordered.map((r) => r.cell), curves: ordered.map((r) => r.curve) };
}
