import test from 'ava';
import { layerToWire, loadLenetGolden, loadLenetInt8 } from '@layerfleet/models';
import { chooseKernels, LayerStore, measureKernels, typescriptKernels } from '../src/index.js';

test('auto picks the WebAssembly SIMD kernels here (node 20 has SIMD), and the self-benchmark names that path', async (t) => {
  const kernels = await chooseKernels();
  t.is(kernels.path, 'wasm-simd');
  t.is(kernels.note, undefined);
  const m = measureKernels(loadLenetInt8(), kernels, 60);
  t.is(m.path, 'wasm-simd');
  t.true(Number.isFinite(m.macsPerSecond) && m.macsPerSecond > 1e5, `${m.macsPerSecond} MAC/s`);
  t.is((await chooseKernels('typescript')).path, 'typescript');
});

test('a layer store on the WebAssembly kernels gives the golden bytes, chained across every LeNet layer, like the TypeScript one', async (t) => {
  const model = loadLenetInt8();
  const wasm = new LayerStore(await chooseKernels('wasm-simd'));
  const ts = new LayerStore(typescriptKernels);
  model.layers.forEach((layer, i) => {
    wasm.install('lenet5', i, layerToWire(layer));
    ts.install('lenet5', i, layerToWire(layer));
  });
  const last = model.layers.length - 1;
  for (const v of loadLenetGolden().vectors) {
    const input = Int8Array.from(v.input.data);
    const expected = v.outputs[last]!.data;
    t.deepEqual(Array.from(wasm.run('lenet5', 0, last, input)), expected, `digit ${v.heldOutIndex}`);
    t.deepEqual(Array.from(ts.run('lenet5', 0, last, input)), expected, `digit ${v.heldOutIndex}, typescript`);
  }
  t.is(wasm.macs('lenet5', 0, last), ts.macs('lenet5', 0, last));
});
