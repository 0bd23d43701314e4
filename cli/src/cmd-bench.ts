/** `layerfleet bench` (`npm run bench`): our code against named peers, in one run, as ratios. */
import { benchEnvelope, nativeCrypto } from '@layerfleet/protocol';
import { benchKernels } from '@layerfleet/models';
import { benchPlanner } from './bench-planner.js';
import { benchBoards } from './bench-boards.js';
import { benchLedgerTable } from './bench-ledger.js';
import { benchE2e, e2eOptions, E2E_FLAGS } from './bench-e2e.js';
import { parseCommand, type CommandSpec } from './args.js';

const SECTIONS = ['envelope', 'kernels', 'planner', 'boards', 'ledger', 'e2e'];

export const spec: CommandSpec = {
  name: 'bench',
  summary: 'our code against named peers, as ratios: envelope, kernels, planner, boards, ledger, e2e',
  positionals: [{ name: 'SECTION', optional: true, repeats: true, description: `only these sections: ${SECTIONS.join(', ')} (default: all)` }],
  flags: {
    json: { type: 'boolean', description: "the last line of stdout is one JSON object with the e2e section's figures (empty without it)" },
    ...E2E_FLAGS,
  },
};

export async function run(argv: string[] = []): Promise<void> {
  const parsed = parseCommand(argv, spec);
  if (!parsed) return;
  const { flags } = parsed;
  const only = new Set(parsed.positionals);
  const unknown = [...only].filter((x) => !SECTIONS.includes(x));
  if (unknown.length > 0) throw new Error(`bench: unknown section(s) ${unknown.join(', ')}; use ${SECTIONS.join(', ')}`);
  const want = (section: string) => only.size === 0 || only.has(section);
  // its flags checked before any section runs
  const e2e = want('e2e') ? e2eOptions(flags, (line) => console.error(line)) : undefined;
  if (want('envelope')) benchEnvelopes();
  if (want('kernels')) await benchKernelTable();
  if (want('planner')) benchPlanner();
  if (want('boards')) await benchBoards();
  if (want('ledger')) await benchLedgerTable();
  const figures = e2e ? await benchE2e(e2e) : {};
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
