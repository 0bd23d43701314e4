/** Strategies by the names the CLI, the simulator and the gateway's configuration use. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExactStrategy } from './exact.js';
import { NeurosurgeonStrategy } from './neurosurgeon.js';
import { loadPolicy } from './rl/policy-file.js';
import { SegmentDpStrategy } from './segment-dp.js';
import { StaticStrategy } from './static.js';
import type { Strategy } from './strategy.js';

export const DEFAULT_STRATEGY = 'segment-dp';

export interface StrategyOptions {
  /** rl-pdnn: the trained policy file */
  policy?: string;
}

/** Where `npm run train:rl` puts the policy for a workload and privacy level. */
export function defaultPolicyPath(workload: string, privacy: string): string {
  return fileURLToPath(new URL(`../../../policies/rl-pdnn-${workload}-${privacy}.json`, import.meta.url));
}

const makers: Record<string, (o: StrategyOptions) => Strategy> = {
  'segment-dp': () => new SegmentDpStrategy(),
  exact: () => new ExactStrategy(),
  static: () => new StaticStrategy(),
  neurosurgeon: () => new NeurosurgeonStrategy(),
  'rl-pdnn': (o) => {
    if (!o.policy) throw new Error('strategy rl-pdnn: needs a trained policy file (--policy FILE; `npm run train:rl` makes them)');
    if (!existsSync(o.policy)) throw new Error(`strategy rl-pdnn: no policy at ${o.policy}; train one with \`layerfleet train-rl\` or \`npm run train:rl\``);
    return loadPolicy(o.policy);
  },
};

export const STRATEGY_NAMES = Object.keys(makers);

export function createStrategy(name: string = DEFAULT_STRATEGY, opts: StrategyOptions = {}): Strategy {
  const make = makers[name];
  if (!make) throw new Error(`strategy: unknown ${JSON.stringify(name)}; use one of ${STRATEGY_NAMES.join(', ')}`);
  return make(opts);
}
