/** `bench e2e`'s flags (part of `layerfleet bench`'s) and the options they make, checked where typed. */
import { numberFlag, requiredNumber, requiredString, stringFlag, type Flags, type FlagSpec } from './args.js';
import { BARE_SPLITS, type BareSplit } from './bench-e2e-bare.js';
import type { LoadShape } from './bench-e2e-broker.js';

export interface E2eOptions {
  requestsC1: number;
  requestsC8: number;
  warmup: number;
  /** the rate layerfleet's source declares, requests/s; default: declaredRate() */
  rate?: number | undefined;
  broker: Omit<LoadShape, 'bytes'>;
  /** how the bare pipeline splits LeNet's middle layers over the workers */
  bareSplit: BareSplit;
  /** the mosquitto program; 'none' leaves Mosquitto out; default: findMosquitto() */
  mosquitto?: string | undefined;
  /** progress and notes (stderr) */
  say: (line: string) => void;
}

export const E2E_FLAGS: Record<string, FlagSpec> = {
  'requests-c1': { type: 'number', default: 400, unit: 'requests', description: 'e2e: requests measured at 1 in flight, per pipeline' },
  'requests-c8': { type: 'number', default: 2000, unit: 'requests', description: 'e2e: requests measured at 8 in flight, per pipeline' },
  warmup: { type: 'number', default: 100, unit: 'requests', description: 'e2e: requests before each measured window, left out of the figures' },
  rate: { type: 'number', unit: 'requests/s', defaultNote: "a quarter of what the MAC/s measured here allows conv2", description: "e2e: the rate layerfleet's source declares (above what it gets, so it caps nothing)" },
  'broker-pairs': { type: 'number', default: 4, unit: 'pairs', description: 'e2e: publisher/subscriber pairs loading the broker alone' },
  'broker-messages': { type: 'number', default: 20000, unit: 'messages', description: 'e2e: QoS 0 messages each pair sends' },
  'broker-window': { type: 'number', default: 256, unit: 'messages', description: 'e2e: messages a publisher may have on their way to its subscriber at once' },
  'broker-loaders': { type: 'number', default: 2, unit: 'processes', description: 'e2e: processes the pairs are spread over' },
  'bare-split': { type: 'string', value: 'spread|one-worker', default: 'spread', description: "e2e: the bare pipeline's middle layers one per worker (the demo's hops) or all on one (where the planner puts them at measured budgets)" },
  mosquitto: { type: 'string', value: 'PROGRAM|none', defaultNote: 'mosquitto on PATH or in /usr/sbin', description: 'e2e: the Mosquitto to compare with; none leaves its figures out' },
};

export function e2eOptions(flags: Flags, say: (line: string) => void): E2eOptions {
  const count = (name: string, min: number) => {
    const n = requiredNumber(flags, name);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${n}`);
    return n;
  };
  const rate = numberFlag(flags, 'rate');
  if (rate !== undefined && !(rate > 0)) throw new Error(`--rate: expected requests per second > 0, got ${rate}`);
  const split = requiredString(flags, 'bare-split');
  const bareSplit = BARE_SPLITS.find((s) => s === split);
  if (!bareSplit) throw new Error(`--bare-split: expected ${BARE_SPLITS.join(' or ')}, got ${JSON.stringify(split)}`);
  return {
    requestsC1: count('requests-c1', 1), requestsC8: count('requests-c8', 1), warmup: count('warmup', 1), rate, bareSplit,
    mosquitto: stringFlag(flags, 'mosquitto'),
    broker: { pairs: count('broker-pairs', 1), messages: count('broker-messages', 1), window: count('broker-window', 1), loaders: count('broker-loaders', 1) },
    say,
  };
}
