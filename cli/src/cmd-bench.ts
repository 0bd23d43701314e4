/** `layerfleet bench` (`npm run bench`): our code against named peers, in one run, as ratios. */
import { benchEnvelope, benchKeyAgreement, nativeCrypto } from '@layerfleet/protocol';
import { benchKernels, randomQuantizedModel, zoo, type BenchOptions, type Int8Peer } from '@layerfleet/models';
import { loadWasmKernels } from '@layerfleet/firmware-bindings';
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
  console.log('\nenvelope key agreement (node:crypto), CPU µs per message: ECDH-ES + HKDF-256 (-25) vs ECDH-SS + HKDF-256 (-27, pair secret cached)');
  console.log('size       ES seal   SS seal   ES/SS    ES open   SS open   ES/SS');
  for (const r of benchKeyAgreement()) {
    console.log(`${fmtBytes(r.bytes).padEnd(10)} ${String(r.esSealUs).padStart(7)}   ${String(r.ssSealUs).padStart(7)}   ${(r.esSealUs / r.ssSealUs).toFixed(2).padStart(5)}×   ${String(r.esOpenUs).padStart(7)}   ${String(r.ssOpenUs).padStart(7)}   ${(r.esOpenUs / r.ssOpenUs).toFixed(2).padStart(5)}×`);
  }
}

/**
 * Ours (the firmware's C kernels as WebAssembly SIMD, what agents run; and the TypeScript
 * reference, the fallback) against tfjs float32 on the same shapes, one core each, one run:
 * LeNet-5 (trained weights), the CIFAR CNN, and VGG16's layers at one per stage (seeded random
 * weights; its fc6 alone is 100 M weights, left out).
 */
async function benchKernelTable(): Promise<void> {
  const wasm = await loadWasmKernels((why) => console.log(`(no WebAssembly kernels: ${why})`));
  const int8: Int8Peer | undefined = wasm ? { name: 'wasm-simd', prepare: (layer) => { const l = wasm.layer(layer); return (x) => l.run(x); } } : undefined;
  const sets: [string, BenchOptions][] = [
    ['LeNet-5 (MNIST 28x28x1, trained weights)', {}],
    ['CIFAR CNN (32x32x3, random weights)', { model: randomQuantizedModel(zoo['cifarCnn']!, 11) }],
    ['VGG16 (128x128x3, random weights; one layer per stage)', { model: randomQuantizedModel(zoo['vgg16']!, 12, ['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv5_1', 'fc7', 'fc8']) }],
  ];
  console.log('\nint8 kernels (ours: C as WebAssembly SIMD, and the TypeScript reference) vs float32 tfjs, one thread each,');
  console.log('MMAC per CPU-second, best of 3 alternating rounds');
  console.log('layer          MACs   ours-wasm   ours-ts  tfjs-cpu tfjs-wasm  wasm/tfjs-wasm  ts/tfjs-cpu');
  for (const [title, opts] of sets) {
    console.log(title);
    for (const r of await benchKernels({ ...opts, ...(int8 ? { int8 } : {}) })) {
      const m = (v: number | undefined) => (v === undefined ? '—' : (v / 1e6).toFixed(0)).padStart(9);
      const ratio = (a: number | undefined, b: number) => (a === undefined ? '—' : `${(a / b).toFixed(2)}×`).padStart(14);
      console.log(`  ${r.layer.padEnd(9)} ${String(r.macs).padStart(10)} ${m(r.int8Peer)}  ${m(r.ours)} ${m(r.tfjsCpu)} ${m(r.tfjsWasm)} ${ratio(r.int8Peer, r.tfjsWasm)} ${ratio(r.ours, r.tfjsCpu).slice(1)}`);
    }
  }
}

function fmtBytes(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MB` : n >= 1024 ? `${n / 1024} KB` : `${n} B`;
}
