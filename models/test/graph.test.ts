import test from 'ava';
import { layerCosts, outputShape, validateGraph, type ModelGraph } from '../src/graph.js';
import { cifarCnn, lenet5, vgg16, zoo } from '../src/zoo.js';

test('lenet5 layer costs match hand-computed numbers (conv1 as in DESIGN.md)', (t) => {
  t.deepEqual(layerCosts(lenet5), [
    // 28·28 outputs · 6 filters · 5·5·1 taps; 5·5·1·6 + 6 params; 14·14·6 pooled outputs
    { name: 'conv1', macs: 117600, weightBytes: 156, outputBytes: 1176 },
    // 10·10·16 · 5·5·6; 5·5·6·16 + 16; 5·5·16
    { name: 'conv2', macs: 240000, weightBytes: 2416, outputBytes: 400 },
    { name: 'fc1', macs: 48000, weightBytes: 48120, outputBytes: 120 },
    { name: 'fc2', macs: 10080, weightBytes: 10164, outputBytes: 84 },
    { name: 'fc3', macs: 840, weightBytes: 850, outputBytes: 10 },
  ]);
});

test('lenet5 shapes chain 28×28×1 → 14×14×6 → 5×5×16 → 120 → 84 → 10', (t) => {
  t.deepEqual(lenet5.layers.map(outputShape), [[14, 14, 6], [5, 5, 16], [1, 1, 120], [1, 1, 84], [1, 1, 10]]);
  t.is(lenet5.classes, 10);
});

test('validateGraph rejects a broken chain, naming the layer', (t) => {
  const broken: ModelGraph = structuredClone(lenet5);
  const fc1 = broken.layers[2]!;
  if (fc1.kind !== 'dense') throw new Error('fixture');
  fc1.inputs = 399;
  t.throws(() => validateGraph(broken), { message: /layer fc1: inputs 399 does not match the previous output \[5,5,16\]/ });
  const badConv: ModelGraph = structuredClone(lenet5);
  const conv2 = badConv.layers[1]!;
  if (conv2.kind !== 'conv2d') throw new Error('fixture');
  conv2.input = [14, 14, 5];
  t.throws(() => validateGraph(badConv), { message: /layer conv2: input \[14,14,5\] does not match the previous output \[14,14,6\]/ });
  const badClasses: ModelGraph = { ...lenet5, classes: 11 };
  t.throws(() => validateGraph(badClasses), { message: /expected 11 classes/ });
});

test('cifarCnn is 6 conv + 2 FC, vgg16 13 conv + 3 FC, all valid', (t) => {
  const count = (g: ModelGraph, kind: string) => g.layers.filter((l) => l.kind === kind).length;
  t.is(count(cifarCnn, 'conv2d'), 6);
  t.is(count(cifarCnn, 'dense'), 2);
  t.is(count(vgg16, 'conv2d'), 13);
  t.is(count(vgg16, 'dense'), 3);
  t.deepEqual(vgg16.input, [128, 128, 3]);
  t.deepEqual(cifarCnn.input, [32, 32, 3]);
  for (const g of Object.values(zoo)) t.notThrows(() => validateGraph(g));
  t.deepEqual(Object.keys(zoo).sort(), ['cifarCnn', 'lenet5', 'vgg16']);
  // VGG16's well-known cost: conv1_2 at 128×128 is 128·128·64·3·3·64 MACs; fc6 reads 4·4·512.
  const v = layerCosts(vgg16);
  t.is(v[1]!.macs, 128 * 128 * 64 * 9 * 64);
  t.is(v[13]!.macs, 4 * 4 * 512 * 4096);
});
