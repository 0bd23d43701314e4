// Every shape of kernel-shapes.ts through every implementation of the kernels, compared byte for
// byte: the TypeScript reference (models/src/int8), the host C build (the golden runner, same
// lf_layer path as a board), the WebAssembly module the agents run (its SIMD path and its
// portable C reference) and the Cortex-M7 image under QEMU (over the serial protocol; its
// kernels there are the DSP-extension path, cortex-m/lf_kernels_arm_dsp.c).
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadLenetGolden, loadLenetInt8, mulberry32, runLayerInt8 } from '@layerfleet/models';
import { testNeeding } from '@layerfleet/test-support/ava';
import {
  Board, encodeLayerBlob, encodeLayerFields, layerFields, loadWasmKernels, openSerialTransport, runHostLayer, startEmulatedBoard,
  WasmKernelError, WASM_KERNELS_PATH, type WasmKernels,
} from '../src/index.js';
import { ensureHostRunner } from '../src/firmware-build.js';
import { kernelShapes } from './kernel-shapes.js';

const shapes = kernelShapes();
const reference = shapes.map((s) => runLayerInt8(s.layer, s.input));
const firmwareDir = fileURLToPath(new URL('../../firmware/', import.meta.url));

async function kernels(): Promise<WasmKernels> {
  const k = await loadWasmKernels();
  if (!k) throw new Error('node 20 runs WebAssembly SIMD: the module should load');
  return k;
}

test('the shapes produce outputs spread over the int8 range, not all clamped', (t) => {
  for (const [i, s] of shapes.entries()) {
    const distinct = new Set(reference[i]).size;
    t.true(distinct >= Math.min(3, reference[i]!.length), `${s.name}: ${distinct} distinct outputs`);
  }
});

test('every shape: WebAssembly SIMD and its portable C reference equal the TS reference byte for byte', async (t) => {
  const k = await kernels();
  for (const [i, s] of shapes.entries()) {
    const layer = k.layer(s.layer);
    t.deepEqual(Array.from(layer.run(s.input)), Array.from(reference[i]!), `${s.name}: wasm simd`);
    t.deepEqual(Array.from(layer.runReference(s.input)), Array.from(reference[i]!), `${s.name}: wasm reference`);
    // A prepared layer runs again and again with the same result (no state left in scratch).
    t.deepEqual(Array.from(layer.run(s.input)), Array.from(reference[i]!), `${s.name}: wasm simd, second run`);
  }
});

test('every shape: the host C build equals the TS reference byte for byte', async (t) => {
  t.timeout(180_000);
  await ensureHostRunner();
  for (const [i, s] of shapes.entries()) {
    t.deepEqual(Array.from(await runHostLayer(s.layer, s.input)), Array.from(reference[i]!), s.name);
  }
});

test('WebAssembly: every LeNet golden vector, layer by layer', async (t) => {
  const k = await kernels();
  const model = loadLenetInt8();
  const layers = model.layers.map((l) => k.layer(l));
  for (const v of loadLenetGolden().vectors) {
    let input = Int8Array.from(v.input.data);
    for (const [i, layer] of layers.entries()) {
      t.deepEqual(Array.from(layer.run(input)), v.outputs[i]!.data, `digit ${v.heldOutIndex}, ${model.layers[i]!.spec.name}`);
      input = Int8Array.from(v.outputs[i]!.data);
    }
  }
});

test('WebAssembly: a malformed layer is refused naming the field, a wrong input length too', async (t) => {
  const k = await kernels();
  const s = shapes[2]!;
  const f = layerFields(s.layer);
  const bad = encodeLayerFields({ ...f, weights: f.weights.subarray(1) });
  const e = t.throws(() => k.fromBlob(bad, 'cut'), { instanceOf: WasmKernelError });
  t.is(e?.field, 'weights');
  t.regex(e?.message ?? '', /weights.*inconsistent/);
  const shifts = Int32Array.from(f.shifts);
  shifts[0] = 40;
  t.is(t.throws(() => k.fromBlob(encodeLayerFields({ ...f, shifts })), { instanceOf: WasmKernelError })?.field, 'shifts');
  const layer = k.fromBlob(encodeLayerBlob(s.layer));
  t.is(t.throws(() => layer.run(s.input.subarray(1)), { instanceOf: WasmKernelError })?.field, 'input');
});

testNeeding(['arm-none-eabi-gcc', 'qemu-system-arm'])('every shape: the Cortex-M7 image under QEMU equals the TS reference byte for byte', async (t) => {
  t.timeout(300_000);
  const emu = await startEmulatedBoard('qemu', { id: `shapes-${process.pid}` });
  t.teardown(() => emu.stop());
  const board = await Board.open(await openSerialTransport(emu.port), { minTimeoutMs: 1500 });
  t.teardown(() => board.close());
  for (const [i, s] of shapes.entries()) {
    await board.load(0, encodeLayerBlob(s.layer));
    const r = await board.run([0], s.input);
    t.deepEqual(Array.from(r.output), Array.from(reference[i]!), s.name);
  }
});

testNeeding(['clang-16', 'wasm-ld-16'])('the committed .wasm is what the C sources build to, byte for byte', async (t) => {
  t.timeout(120_000);
  // The Makefile's own rule (what .ci/run's `make wasm-check` runs), into firmware/build/wasm.
  await promisify(execFile)('make', ['-s', '-C', firmwareDir, 'wasm'], { timeout: 100_000 });
  t.true(readFileSync(join(firmwareDir, 'build/wasm/lf-kernels.wasm')).equals(readFileSync(WASM_KERNELS_PATH)),
    'firmware-bindings/wasm/lf-kernels.wasm differs from a rebuild: make -C firmware-bindings/firmware wasm-update');
});

test('WebAssembly: mutated and truncated blobs are refused with a WasmKernelError naming a field, or run; never a trap', async (t) => {
  const k = await kernels();
  const rng = mulberry32(77);
  const base = [shapes[3]!, shapes[17]!].map((s) => encodeLayerBlob(s.layer));
  let refused = 0, ran = 0;
  for (let i = 0; i < 1500; i++) {
    const blob = Uint8Array.from(base[i % 2]!);
    for (let m = 1 + Math.floor(rng() * 3); m > 0; m--) {
      const at = rng() < 0.5 ? Math.floor(rng() * 60) : Math.floor(rng() * blob.length);
      blob[at] = Math.floor(rng() * 256);
    }
    const cut = rng() < 0.2 ? blob.subarray(0, Math.floor(rng() * blob.length)) : blob;
    try {
      const layer = k.fromBlob(cut, `case ${i}`);
      const out = layer.run(new Int8Array(layer.inputLength));
      t.is(out.length, layer.outputLength);
      ran++;
    } catch (err) {
      if (!(err instanceof WasmKernelError)) throw err;
      t.true(err.field.length > 0);
      refused++;
    }
  }
  t.true(refused > 100 && ran > 10, `${refused} refused, ${ran} ran`);
});

test('WebAssembly: a layer needing more than MAX_LAYER_MEMORY is refused as memory, not a RangeError', async (t) => {
  const k = await kernels();
  // 4096 x 4096 x 64 input: 1 GiB of input alone.
  const f = layerFields(shapes[3]!.layer);
  const huge = encodeLayerFields({ ...f, inH: 4096, inW: 4096, inC: 64, kernel: 1, padding: 1, filters: 6, weights: new Int8Array(64 * 6) });
  const e = t.throws(() => k.fromBlob(huge, 'huge'), { instanceOf: WasmKernelError });
  t.is(e?.field, 'memory');
});
