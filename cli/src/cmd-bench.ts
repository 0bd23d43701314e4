/** `layerfleet bench` (`npm run bench`): our code against named peers, in one run, as ratios. */
import { benchEnvelope, benchKeyAgreement, nativeCrypto } from '@layerfleet/protocol';
import { benchKernels } from '@layerfleet/models';
import { benchPlanner } from './bench-planner.js';
import { benchBoards } from './bench-boards.js';
import { benchLedgerTable } from './bench-ledger.js';
import { parseCommand, type CommandSpec } from './args.js';

const SECTIONS = ['envelope', 'kernels', 'planner', 'boards', 'ledger'];

export const spec: CommandSpec = {
  name: 'bench',
  summary: 'our code against named peers, as ratios: envelope, kernels, planner, boards, ledger',
  positionals: [{ name: 'SECTION', optional: true, repeats: true, description: `only these sections: ${SECTIONS.join(', ')} (default: all)` }],
  flags: {},
};

export async function run(argv: string[] = []): Promise<void> {
  const parsed = parseCommand(argv, spec);
  if (!parsed) return;
  const only = new Set(parsed.positionals);
  if (only.size && !SECTIONS.some((x) => only.has(x))) throw new Error(`bench: unknown section(s) ${[...only].join(', ')}; use envelope, kernels, planner, boards, ledger`);
  const want = (section: string) => only.size === 0 || only.has(section);
  if (want('envelope')) benchEnvelopes();
  if (want('kernels')) await benchKernelTable();
  if (want('planner')) benchPlanner();
  if (want('boards')) await benchBoards();
  if (want('ledger')) await benchLedgerTable();
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
  console.log('\nenvelope key agreement (node:crypto), CPU µs per message: ECDH-ES + HKDF-256 (-25) vs ECDH-SS + HKDF-256 (-27, pair secret cached)');
  console.log('size       ES seal   SS seal   ES/SS    ES open   SS open   ES/SS');
  for (const r of benchKeyAgreement()) {
    console.log(`${fmtBytes(r.bytes).padEnd(10)} ${String(r.esSealUs).padStart(7)}   ${String(r.ssSealUs).padStart(7)}   ${(r.esSealUs / r.ssSealUs).toFixed(2).padStart(5)}×   ${String(r.esOpenUs).padStart(7)}   ${String(r.ssOpenUs).padStart(7)}   ${(r.esOpenUs / r.ssOpenUs).toFixed(2).padStart(5)}×`);
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
