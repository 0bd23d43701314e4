/**
 * An in-memory fleet for split training: a TrainerCore and EdgeWorkers wired by a router that
 * delivers each message on a later turn of the event loop, as the broker would, with per-party
 * delays and filters (a slow edge, a dead one, a corrupted message). No sockets, no processes,
 * no envelopes: what it tests is the parties' logic; the envelopes are the protocol package's.
 */
import { generateDeviceKeys, signerFromKeys } from '@layerfleet/protocol';
import { loadMnistSplit } from '@layerfleet/models';
import { defaultConfig, shards, type SplitConfig } from '../src/config.js';
import { EdgeWorker } from '../src/edge.js';
import { TrainerCore } from '../src/trainer.js';
import type { TrainMessage } from '../src/wire.js';

export interface Harness {
  config: SplitConfig;
  trainer: TrainerCore;
  edges: Map<string, EdgeWorker>;
  /** Every message delivered, in order. */
  log: Array<{ from: string; to: string; m: TrainMessage }>;
  /** Per sender: delay its messages by ms, or drop them (Infinity). */
  delay: Map<string, number>;
  /** Rewrite (or drop with null) a message in flight. */
  tamper: ((from: string, to: string, m: TrainMessage) => TrainMessage | null) | null;
}

export function harness(overrides: Partial<SplitConfig> = {}, edges = 2): Harness {
  const config: SplitConfig = { ...defaultConfig(edges), epochs: 1, batch: 8, samplesPerEdge: 16, evalEvery: 1000, evalSamples: 20, waitMs: 2000, maxShift: 0, ...overrides };
  const heldOut = loadMnistSplit(1).heldOut.slice(0, 40);
  const h: Harness = { config, trainer: null as unknown as TrainerCore, edges: new Map(), log: [], delay: new Map(), tamper: null };
  const deliver = (from: string, to: string, m: TrainMessage) => {
    const d = h.delay.get(from) ?? 0;
    if (d === Infinity) return;
    const go = () => {
      const msg = h.tamper ? h.tamper(from, to, m) : m;
      if (!msg) return;
      h.log.push({ from, to, m: msg });
      if (to === config.trainer) h.trainer.handle(from, msg);
      else h.edges.get(to)?.handle(from, msg);
    };
    if (d > 0) setTimeout(go, d); else setImmediate(go);
  };
  h.trainer = new TrainerCore(config, heldOut, (to, m) => deliver(config.trainer, to, m));
  const sh = shards(config);
  config.edges.forEach((id, i) => {
    h.edges.set(id, new EdgeWorker(config, id, sh[i]!, signerFromKeys(generateDeviceKeys(id)), (to, m) => deliver(id, to, m)));
  });
  const ticker = setInterval(() => { for (const e of h.edges.values()) e.tick(); }, config.waitMs);
  void h.trainer.done.then(() => clearInterval(ticker));
  return h;
}
