/** A worker thread that runs reproduction cells handed to it, so both cores work. */
import { parentPort, workerData } from 'node:worker_threads';
import { runCell, type ReproOptions } from './experiments.js';
import type * as sim from '../index.js';

const opts = workerData as ReproOptions;
parentPort!.on('message', (msg: { workload: sim.WorkloadName; privacy: string } | null) => {
  if (msg === null) { parentPort!.close(); return; }
  parentPort!.postMessage(runCell(msg.workload, msg.privacy, opts));
});
