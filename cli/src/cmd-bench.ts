/** `layerfleet bench` (`npm run bench`): our code against named peers, in one run, as ratios. */
import { benchEnvelope, nativeCrypto } from '@layerfleet/protocol';
import { benchKernels } from '@layerfleet/models';
import { benchPlanner } from './bench-planner.js';
import { benchBoards } from './bench-boards.js';
import { benchLedgerTable } from './bench-ledger.js';
import { benchE2e } from './bench-e2e.js';
import { BARE_SPLITS, type BareSplit } from './bench-e2e-bare.js';
import { parseCommand, numberFlag, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';

const SECTIONS = ['envelope', 'kernels', 'planner', 'boards', 'ledger', 'e2e'];

export const spec: CommandSpec = {
  name: 'bench',
  summary: 'our code against named peers, as ratios: envelope, kernels, planner, boards, ledger, e2e',
  positionals: [{ name: 'SECTION', optional: true, repeats: true, description: `only these sections: ${SECTIONS.join(', ')} (default: all)` }],
  flags: {
    json: { type: 'boolean', description: "the last line of stdout is one JSON object with the e2e section's figures (empty without it)" },
    'requests-c1': { type: 'number', default: 400, unit: 'requests', description: 'e2e: requests measured at 1 in flight, per pipeline' },
    'requests-c8': { type: 'number', default: 2000, unit: 'requests', description: 'e2e: requests measured at 8 in flight, per pipeline' },
    warmup: { type: 'number', default: 100, unit: 'requests', description: 'e2e: requests before each measured window, left out of the figures' },
    rate: { type: 'number', unit: 'requests/s', defaultNote: "a quarter of what the MAC/s measured here allows conv2", description: "e2e: the rate layerfleet's source declares (above what it gets, so it caps nothing)" },
    'broker-pairs': { type: 'number', default: 4, unit: 'pairs', description: 'e2e: publisher/subscriber pairs loading the broker alone' },
    'broker-messages': { type: 'number', default: 20000, unit: 'messages', description: 'e2e: QoS 0 messages each pair sends' },
    'broker-window': { type: 'number', default: 256, unit: 'messages', description: 'e2e: messages a publisher may have on their way to its subscriber at once' },
    'bare-split': { type: 'string', value: 'spread|one-worker', default: 'spread', description: "e2e: the bare pipeline's middle layers one per worker (the demo's hops) or all on one (where the planner puts them at measured budgets)" },
    mosquitto: { type: 'string', value: 'PROGRAM|none', defaultNote: 'mosquitto on PATH or in /usr/sbin', description: 'e2e: the Mosquitto to compare with; none leaves its figures out' },
    'broker-loaders': { type: 'number', default: 2, unit: 'processes', description: 'e2e: processes the pairs are spread over' },
  },
};

export async function run(argv: string[] = []): Promise<void> {
  const parsed = parseCommand(argv, spec);
  if (!parsed) return;
  const { flags } = parsed;
  const only = new Set(parsed.positionals);
  const unknown = [...only].filter((x) => !SECTIONS.includes(x));
  if (unknown.length > 0) throw new Error(`bench: unknown section(s) ${unknown.join(', ')}; use ${SECTIONS.join(', ')}`);
  const count = (name: string, min: number) => {
    const n = requiredNumber(flags, name);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${n}`);
    return n;
  };
  const e2eOptions = {
    requestsC1: count('requests-c1', 1), requestsC8: count('requests-c8', 1), warmup: count('warmup', 1),
    rate: numberFlag(flags, 'rate'),
    mosquitto: stringFlag(flags, 'mosquitto'),
    bareSplit: bareSplit(requiredString(flags, 'bare-split')),
    broker: { pairs: count('broker-pairs', 1), messages: count('broker-messages', 1), window: count('broker-window', 1), loaders: count('broker-loaders', 1) },
    say: (line: string) => console.error(line),
  };
  if (e2eOptions.rate !== undefined && !(e2eOptions.rate > 0)) throw new Error(`--rate: expected requests per second > 0, got ${e2eOptions.rate}`);
  const want = (section: string) => only.size === 0 || only.has(section);
  if (want('envelope')) benchEnvelopes();
  if (want('kernels')) await benchKernelTable();
  if (want('planner')) benchPlanner();
  if (want('boards')) await benchBoards();
  if (want('ledger')) await benchLedgerTable();
  const figures = want('e2e') ? await benchE2e(e2eOptions) : {};
  if (flags.json) console.log(JSON.stringify(figures));
}

function benchEnvelopes(): void {
  console.log('envelope seal+open (COSE_Sign1 in COSE_Encrypt), µs per message');
  console.log('size       node:crypto   tweetnacl+@noble   portable/native');
  const env = benchEnvelope();
  for (const size of [...new Set(env.map((r) => r.bytes))]) {
    const native = env.find((r) => r.bytes === size && r.suite === nativeCrypto.name)!;
    const portable = env.find((r) => r.bytes === size && r.suite !== nativeCrypto.name)!;
    const n = native.sealUs + native.openUs, p = portable.sealUs + portable.openUs;
    console.log(`${fmtBytes(size).padEnd(10)} ${n.toFixed(0).padStart(11)}   ${p.toFixed(0).padStart(16)}   ${(p / n).toFixed(1).padStart(14)}×`);
  }
}

async function benchKernelTable(): Promise<void> {
  console.log('\nint8 kernels (ours) vs float32 tfjs on the same LeNet-5 layer shapes, MMAC/s');
  console.log('layer     MACs      ours   tfjs-cpu  tfjs-wasm  ours/cpu  ours/wasm');
  for (const r of await benchKernels()) {
    console.log(`${r.layer.padEnd(8)} ${String(r.macs).padStart(7)} ${(r.ours / 1e6).toFixed(0).padStart(8)} ${(r.tfjsCpu / 1e6).toFixed(0).padStart(9)} ${(r.tfjsWasm / 1e6).toFixed(0).padStart(9)} ${(r.ours / r.tfjsCpu).toFixed(2).padStart(8)}× ${(r.ours / r.tfjsWasm).toFixed(2).padStart(8)}×`);
  }
}

function fmtBytes(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MB` : n >= 1024 ? `${n / 1024} KB` : `${n} B`;
}

function bareSplit(value: string): BareSplit {
  const split = BARE_SPLITS.find((s) => s === value);
  if (!split) throw new Error(`--bare-split: expected ${BARE_SPLITS.join(' or ')}, got ${JSON.stringify(value)}`);
  return split;
}
