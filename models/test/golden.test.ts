// Golden vectors: what the C kernels will be held to. Our kernels must reproduce them exactly.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadLenetGolden } from '../src/golden.js';
import { outputShape } from '../src/graph.js';
import { loadMnistSplit } from '../src/mnist.js';
import { quantizeInput, runLayerInt8 } from '../src/quantize.js';
import { loadLenetInt8, weightsPath } from '../src/weights.js';

test('re-running runLayerInt8 on each golden input reproduces every committed output exactly', (t) => {
  const golden = loadLenetGolden();
  const model = loadLenetInt8();
  t.true(golden.vectors.length >= 10);
  t.is(golden.layers.length, model.layers.length);
  for (const v of golden.vectors) {
    let input = Int8Array.from(v.input.data);
    model.layers.forEach((layer, i) => {
      const expected = v.outputs[i]!;
      t.is(expected.layer, layer.spec.name);
      t.deepEqual(expected.shape, outputShape(layer.spec));
      const out = runLayerInt8(layer, input);
      t.deepEqual(Array.from(out), expected.data, `digit ${v.heldOutIndex}, layer ${layer.spec.name}`);
      input = Int8Array.from(expected.data); // each layer from the golden input, as firmware will be tested
    });
  }
});

test('golden file matches the committed weights, quant params and held-out digits', (t) => {
  const golden = loadLenetGolden();
  const model = loadLenetInt8();
  const bytes = readFileSync(weightsPath(golden.weightsFile));
  t.is(createHash('sha256').update(bytes).digest('hex'), golden.weightsSha256);
  golden.layers.forEach((g, i) => {
    const l = model.layers[i]!;
    t.is(g.name, l.spec.name);
    t.deepEqual(g.multipliers, Array.from(l.multipliers));
    t.deepEqual(g.shifts, Array.from(l.shifts));
    t.is(g.inputZeroPoint, l.inputZeroPoint);
    t.is(g.outputZeroPoint, l.outputZeroPoint);
  });
  const { heldOut } = loadMnistSplit(golden.splitSeed);
  t.deepEqual(new Set(golden.vectors.map((v) => v.label)).size, 10);
  for (const v of golden.vectors) {
    const s = heldOut[v.heldOutIndex]!;
    t.is(s.label, v.label);
    t.deepEqual(Array.from(quantizeInput(model, s.image)), v.input.data);
  }
});
