// Int8 MAC/s of our kernels per layer — the TypeScript reference, and any other int8 path the
// caller hands in (the CLI passes the firmware's C kernels as WebAssembly SIMD) — against tfjs
// float kernels on the same shapes (tfjs-backend-cpu, and tfjs-backend-wasm/XNNPACK on one
// thread), in one run. LeNet-5 with its trained weights; the CIFAR CNN and VGG16 shapes with
// seeded random weights (randomQuantizedModel). tfjs is a devDependency, imported only here and
// only when the bench runs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inputLength, layerMacs, type LayerSpec } from './graph.js';
import { runLayerInt8, runModelInt8, type QuantizedModel } from './quantize.js';
import { mulberry32 } from './rng.js';
import { loadLenetInt8 } from './weights.js';
import type { QuantizedLayer } from './quantize.js';

/** Another int8 implementation to time next to ours: prepares a layer once, returns its run. */
export interface Int8Peer {
  name: string;
  prepare(layer: QuantizedLayer): (input: Int8Array) => Int8Array;
}

export interface KernelBenchRow {
  layer: string;
  macs: number;
  /** int8 MAC/s of our TypeScript kernel. */
  ours: number;
  /** int8 MAC/s of the peer given in BenchOptions.int8, when one was. */
  int8Peer?: number;
  /** float MAC/s of tfjs-backend-cpu. */
  tfjsCpu: number;
  /** float MAC/s of tfjs-backend-wasm (one thread). */
  tfjsWasm: number;
}

export interface BenchOptions {
  /** Time per cell and round in seconds (default 0.1). */
  seconds?: number;
  /**
   * Rounds (default 3): every implementation is timed once per round, in turn, and each cell
   * keeps its best round, so a burst of load from other processes on a shared machine lands
   * on one round of one implementation instead of on a whole column.
   */
  rounds?: number;
  /** The int8 model to time (default: the committed LeNet-5). */
  model?: QuantizedModel;
  /** Only these layers of it (default: all). */
  layers?: string[];
  /** An int8 path timed in the same run (ours in WebAssembly SIMD, from the CLI). */
  int8?: Int8Peer;
}

/**
 * Runs `fn` repeatedly for about `seconds` of this process's CPU time after a short warm-up;
 * returns runs per CPU-second. Every implementation here computes on one thread, so CPU time is
 * its time on one core, and time the scheduler gives other processes on a shared machine is
 * not counted against whichever implementation happened to be running then.
 */
function rate(fn: () => void, seconds: number): number {
  const cpu = (since: NodeJS.CpuUsage) => { const u = process.cpuUsage(since); return (u.user + u.system) * 1e3; }; // ns
  // Three warm-up runs, or one when a run alone takes a tenth of the budget (VGG's layers).
  const t0 = process.cpuUsage();
  fn();
  if (cpu(t0) < seconds * 1e8) for (let i = 0; i < 2; i++) fn();
  const budget = seconds * 1e9;
  const start = process.cpuUsage();
  let runs = 0;
  let elapsed = 0;
  // Check the clock every few runs so that timing small layers does not time the clock.
  let batch = 1;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) fn();
    runs += batch;
    elapsed = cpu(start);
    if (elapsed < budget / 20) batch *= 2;
  }
  return runs / (elapsed / 1e9);
}

type Tf = typeof import('@tensorflow/tfjs-core');

/** A float layer in tfjs on random weights: conv2d + bias + relu + maxPool, or matMul + bias + relu. */
function tfjsLayer(tf: Tf, spec: LayerSpec, seed: number): { run: () => void; dispose: () => void } {
  const rng = mulberry32(seed);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng() - 0.5);
  if (spec.kind === 'conv2d') {
    const [h, w, c] = spec.input;
    const x = tf.tensor4d(rand(h * w * c), [1, h, w, c]);
    const f = tf.tensor4d(rand(spec.kernel * spec.kernel * c * spec.filters), [spec.kernel, spec.kernel, c, spec.filters]);
    const b = tf.tensor1d(rand(spec.filters));
    const pool = spec.pool;
    return {
      run: () => {
        const y = tf.tidy(() => {
          let t = tf.add(tf.conv2d(x, f, spec.stride, spec.padding), b) as ReturnType<typeof tf.tensor4d>;
          if (spec.relu) t = tf.relu(t);
          return pool ? tf.maxPool(t, pool.size, pool.stride, 'valid') : t;
        });
        y.dataSync(); // forces execution on lazy backends
        y.dispose();
      },
      dispose: () => tf.dispose([x, f, b]),
    };
  }
  const x = tf.tensor2d(rand(spec.inputs), [1, spec.inputs]);
  const wt = tf.tensor2d(rand(spec.inputs * spec.units), [spec.inputs, spec.units]);
  const b = tf.tensor1d(rand(spec.units));
  return {
    run: () => {
      const y = tf.tidy(() => {
        const t = tf.add(tf.matMul(x, wt), b);
        return spec.relu ? tf.relu(t) : t;
      });
      y.dataSync();
      y.dispose();
    },
    dispose: () => tf.dispose([x, wt, b]),
  };
}

async function tfjsRates(tf: Tf, backend: string, specs: LayerSpec[], seconds: number): Promise<number[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`benchKernels: tfjs backend ${backend} failed to initialise`);
  return specs.map((spec, i) => {
    const layer = tfjsLayer(tf, spec, 100 + i);
    try {
      return rate(layer.run, seconds) * layerMacs(spec);
    } finally {
      layer.dispose();
    }
  });
}

export async function benchKernels(opts: BenchOptions = {}): Promise<KernelBenchRow[]> {
  const seconds = opts.seconds ?? 0.1;
  const model = opts.model ?? loadLenetInt8();
  const picked = model.layers.filter((l) => !opts.layers || opts.layers.includes(l.spec.name));
  const specs = picked.map((l) => l.spec);

  // Per-layer inputs: for the whole trained LeNet, the activations of one pseudo-random image
  // through it; otherwise seeded random int8 (random weights make activations no truer).
  const rng = mulberry32(5);
  const random = (n: number) => Int8Array.from({ length: n }, () => Math.floor(rng() * 256) - 128);
  let inputs: Int8Array[];
  if (!opts.model && !opts.layers) {
    const [h, w, c] = model.graph.input;
    const input = random(h * w * c);
    const trace: Int8Array[] = [];
    runModelInt8(model, input, trace);
    inputs = [input, ...trace.slice(0, -1)];
  } else {
    inputs = specs.map((spec) => random(inputLength(spec)));
  }
  const peer = opts.int8;
  const peerRuns = peer ? picked.map((layer) => peer.prepare(layer)) : undefined;

  const tf = await import('@tensorflow/tfjs-core');
  tf.env().set('PROD', true); // no "install tfjs-node" banner, no debug checks
  await import('@tensorflow/tfjs-backend-cpu');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm files ship inside the package: point tfjs at them on disk so nothing is downloaded.
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist/');
  wasm.setWasmPaths(wasmDir);
  wasm.setThreadsCount(1);
  const previous = tf.getBackend();
  const best = (a: number[] | undefined, b: number[]) => (a ? a.map((x, i) => Math.max(x, b[i]!)) : b);
  let ours: number[] | undefined, peerRates: number[] | undefined, cpu: number[] | undefined, wasmRates: number[] | undefined;
  try {
    for (let round = 0; round < (opts.rounds ?? 3); round++) {
      ours = best(ours, picked.map((layer, i) => rate(() => runLayerInt8(layer, inputs[i]!), seconds) * layerMacs(layer.spec)));
      if (peerRuns) peerRates = best(peerRates, picked.map((layer, i) => rate(() => peerRuns[i]!(inputs[i]!), seconds) * layerMacs(layer.spec)));
      cpu = best(cpu, await tfjsRates(tf, 'cpu', specs, seconds));
      wasmRates = best(wasmRates, await tfjsRates(tf, 'wasm', specs, seconds));
    }
    return specs.map((spec, i) => ({
      layer: spec.name, macs: layerMacs(spec), ours: ours![i]!, ...(peerRates ? { int8Peer: peerRates[i]! } : {}),
      tfjsCpu: cpu![i]!, tfjsWasm: wasmRates![i]!,
    }));
  } finally {
    if (previous) await tf.setBackend(previous);
  }
}

/** A plain-text table of the rows in MMAC/s. */
export function formatBenchTable(rows: KernelBenchRow[]): string {
  const m = (v: number) => (v / 1e6).toFixed(0).padStart(10);
  const lines = [`${'layer'.padEnd(8)}${'MACs'.padStart(9)}${'ours int8'.padStart(10)}${'tfjs cpu'.padStart(10)}${'tfjs wasm'.padStart(10)}   (MMAC/s)`];
  for (const r of rows) lines.push(`${r.layer.padEnd(8)}${String(r.macs).padStart(9)}${m(r.ours)}${m(r.tfjsCpu)}${m(r.tfjsWasm)}`);
  return lines.join('\n');
}
