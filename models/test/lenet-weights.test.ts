// The committed LeNet-5 weights: the demo's acceptance number, and float/int8 consistency.
import test from 'ava';
import { accuracyFloat, accuracyInt8 } from '../src/evaluate.js';
import { layerCosts } from '../src/graph.js';
import { loadMnistSplit } from '../src/mnist.js';
import { LENET_MIN_INT8_ACCURACY, LENET_SPLIT_SEED } from '../src/train/lenet-recipe.js';
import { loadLenetFloat, loadLenetInt8 } from '../src/weights.js';
import { lenet5 } from '../src/zoo.js';

test('committed int8 LeNet-5 reaches ≥ 97 % on the 2000 held-out digits', (t) => {
  const { heldOut } = loadMnistSplit(LENET_SPLIT_SEED);
  t.is(heldOut.length, 2000);
  const model = loadLenetInt8();
  const start = Date.now();
  const acc = accuracyInt8(model, heldOut);
  t.log(`int8 held-out accuracy ${(acc * 100).toFixed(2)} % in ${Date.now() - start} ms`);
  t.true(acc >= LENET_MIN_INT8_ACCURACY, `int8 accuracy ${acc}`);
});

test('committed float LeNet-5 is the same network and quantisation costs under 1 point', (t) => {
  const { heldOut } = loadMnistSplit(LENET_SPLIT_SEED);
  const f = loadLenetFloat();
  const q = loadLenetInt8();
  t.deepEqual(layerCosts(f.graph), layerCosts(lenet5));
  t.deepEqual(layerCosts(q.graph), layerCosts(lenet5));
  const sample = heldOut.slice(0, 500);
  const fa = accuracyFloat(f, sample);
  const qa = accuracyInt8(q, sample);
  t.true(fa >= 0.97, `float ${fa}`);
  t.true(Math.abs(fa - qa) <= 0.01, `float ${fa} vs int8 ${qa}`);
  // TFLite-style parameters: relu layers' outputs start at zero point −128, input is [0, 1] in 1/255 steps.
  t.is(q.inputZeroPoint, -128);
  t.true(Math.abs(q.inputScale - 1 / 255) < 1e-6);
  for (const l of q.layers.slice(0, -1)) t.is(l.outputZeroPoint, -128, l.spec.name);
});
