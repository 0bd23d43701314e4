/** Strategies by the names the CLI, the simulator and the gateway's configuration use. */
import { ExactStrategy } from './exact.js';
import { NeurosurgeonStrategy } from './neurosurgeon.js';
import type { RlPdnn } from './rl/rl-pdnn.js';
import { SegmentDpStrategy } from './segment-dp.js';
import { StaticStrategy } from './static.js';
import type { Strategy } from './strategy.js';

export const DEFAULT_STRATEGY = 'segment-dp';

export interface StrategyOptions {
  /** rl-pdnn: the trained policy, already loaded (the simulator package reads policy files) */
  policy?: RlPdnn;
}

const makers: Record<string, (o: StrategyOptions) => Strategy> = {
  'segment-dp': () => new SegmentDpStrategy(),
  exact: () => new ExactStrategy(),
  static: () => new StaticStrategy(),
  neurosurgeon: () => new NeurosurgeonStrategy(),
  'rl-pdnn': (o) => {
    if (!o.policy) throw new Error('strategy rl-pdnn: needs a trained policy file (--policy FILE; `npm run train:rl` makes them)');
    return o.policy;
  },
};

export const STRATEGY_NAMES = Object.keys(makers);

export function createStrategy(name: string = DEFAULT_STRATEGY, opts: StrategyOptions = {}): Strategy {
  const make = makers[name];
  if (!make) throw new Error(`strategy: unknown ${JSON.stringify(name)}; use one of ${STRATEGY_NAMES.join(', ')}`);
  return make(opts);
}
