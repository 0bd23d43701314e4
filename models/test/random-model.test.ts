import test from 'ava';
import { cifarCnn, inputLength, mulberry32, outputLength, randomQuantizedModel, runLayerInt8, vgg16 } from '../src/index.js';

test('a random int8 model has every layer of its graph, runnable, with outputs spread over the int8 range', (t) => {
  const model = randomQuantizedModel(cifarCnn, 3);
  t.is(model.layers.length, cifarCnn.layers.length);
  const rng = mulberry32(9);
  for (const layer of model.layers) {
    const input = Int8Array.from({ length: inputLength(layer.spec) }, () => Math.floor(rng() * 256) - 128);
    const out = runLayerInt8(layer, input);
    t.is(out.length, outputLength(layer.spec));
    t.true(new Set(out).size >= 8, `${layer.spec.name}: ${new Set(out).size} distinct outputs`);
  }
  t.deepEqual(randomQuantizedModel(cifarCnn, 3).layers[0]!.weights, model.layers[0]!.weights, 'seeded: the same weights every time');
});

test("only the layers asked for: VGG16's first conv and fc8, with weights of the graph's sizes", (t) => {
  const model = randomQuantizedModel(vgg16, 1, ['conv1_1', 'fc8']);
  t.deepEqual(model.layers.map((l) => l.spec.name), ['conv1_1', 'fc8']);
  t.is(model.layers[0]!.weights.length, 3 * 3 * 3 * 64);
  t.is(model.layers[0]!.bias.length, 64);
  t.is(model.layers[1]!.weights.length, 4096 * 196);
});
