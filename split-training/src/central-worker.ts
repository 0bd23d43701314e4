/**
 * The centralized yardstick in a worker thread, so that it trains while the split run mostly waits
 * on the wire (the split run is latency-bound: its processes take turns). Posts the CentralResult
 * without the model.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadMnistSplit } from '@layerfleet/models';
import { trainCentral } from './central.js';
import { shards, type SplitConfig } from './config.js';

const config = (workerData as { config: SplitConfig }).config;
const union = shards(config).flat();
const r = trainCentral(config, union, loadMnistSplit(1).heldOut, Math.ceil(union.length / config.batch), (step, total) => {
  if (step % 25 === 0 || step === total) parentPort!.postMessage({ t: 'step', step, total });
});
parentPort!.postMessage({ t: 'done', float: r.float, int8: r.int8, curve: r.curve });
