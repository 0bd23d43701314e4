import test from 'ava';
import { Encoder } from 'cbor-x';
import { runModelFloat } from '../src/float/model.js';
import { argmax, quantizeModel, runModelInt8, type QuantizedModel } from '../src/quantize.js';
import { decodeFloatModel, decodeQuantizedModel, encodeFloatModel, encodeQuantizedModel, layerFromWire, layerToWire } from '../src/serialize.js';
import { initFloatModel } from '../src/train/init.js';
import { mulberry32 } from '../src/rng.js';
import { lenet5 } from '../src/zoo.js';

function smallModel(): { q: QuantizedModel; images: Float32Array[] } {
  const f = initFloatModel(lenet5, 3);
  const rng = mulberry32(4);
  const images = Array.from({ length: 8 }, () => Float32Array.from({ length: 784 }, () => rng()));
  return { q: quantizeModel(f, images), images };
}

test('layerToWire / layerFromWire round-trips every field', (t) => {
  const { q } = smallModel();
  for (const layer of q.layers) {
    const back = layerFromWire(layerToWire(layer));
    t.deepEqual(back, layer);
    t.true(back.weights instanceof Int8Array && back.bias instanceof Int32Array);
  }
});

test('layer wire form is little-endian raw bytes', (t) => {
  const { q } = smallModel();
  const w = layerToWire(q.layers[0]!);
  const bias = w.bias as Uint8Array;
  const dv = new DataView(bias.buffer, bias.byteOffset, bias.byteLength);
  t.is(dv.getInt32(0, true), q.layers[0]!.bias[0]!);
  t.is((w.weights as Uint8Array).length, 150);
});

test('encode/decodeQuantizedModel round-trips through CBOR and gives identical outputs', (t) => {
  const { q, images } = smallModel();
  const bytes = encodeQuantizedModel(q);
  const back = decodeQuantizedModel(bytes);
  t.deepEqual(back, q);
  const input = Int8Array.from(images[0]!, (v) => Math.round(v * 255) - 128);
  t.deepEqual(runModelInt8(back, input), runModelInt8(q, input));
  // Plain CBOR: a map at the top, no cbor-x record extension tags.
  t.is(bytes[0]! >> 5, 5);
});

test('encode/decodeFloatModel round-trips exactly', (t) => {
  const f = initFloatModel(lenet5, 5);
  const back = decodeFloatModel(encodeFloatModel(f));
  t.deepEqual(back, f);
  const img = new Float32Array(784).fill(0.3);
  t.is(argmax(runModelFloat(back, img)), argmax(runModelFloat(f, img)));
});

test('a truncated weights array is rejected naming the layer and field', (t) => {
  const { q } = smallModel();
  const wire = layerToWire(q.layers[1]!);
  wire.weights = (wire.weights as Uint8Array).subarray(0, 2399);
  t.throws(() => layerFromWire(wire), { message: 'layer conv2: weights length 2399, expected 2400' });
});

test('layerFromWire names other bad fields', (t) => {
  const { q } = smallModel();
  const cases: Array<[(w: Record<string, unknown>) => void, RegExp]> = [
    [(w) => { w.bias = (w.bias as Uint8Array).subarray(0, 60); }, /layer conv2: bias length 60 bytes, expected 64/],
    [(w) => { w.shifts = new Uint8Array(64).fill(0x7f); }, /layer conv2: shifts\[0\] \d+ outside/],
    [(w) => { w.outputZeroPoint = 200; }, /layer conv2: outputZeroPoint must be an integer in \[-128, 127\]/],
    [(w) => { w.inputScale = -1; }, /layer conv2: inputScale must be a positive finite number/],
    [(w) => { delete w.multipliers; }, /layer conv2: multipliers must be a byte string/],
    [(w) => { (w.spec as Record<string, unknown>).padding = 'full'; }, /conv2: padding must be 'same' or 'valid'/],
    [(w) => { (w.spec as Record<string, unknown>).kind = 'lstm'; }, /conv2: kind must be 'conv2d' or 'dense'/],
  ];
  for (const [mutate, message] of cases) {
    const wire = structuredClone(layerToWire(q.layers[1]!));
    mutate(wire);
    t.throws(() => layerFromWire(wire), { message });
  }
  t.throws(() => layerFromWire(null), { message: /quantized layer: expected a map/ });
});

test('decodeQuantizedModel rejects a broken quantisation chain and bad CBOR', (t) => {
  const { q } = smallModel();
  const bad = { ...q, layers: q.layers.map((l, i) => (i === 2 ? { ...l, inputZeroPoint: l.inputZeroPoint + 1 } : l)) };
  t.throws(() => decodeQuantizedModel(encodeQuantizedModel(bad)), { message: /layer fc1: input quantisation/ });
  const bytes = encodeQuantizedModel(q);
  t.throws(() => decodeQuantizedModel(bytes.subarray(0, bytes.length - 10)), { message: /quantized model: not well-formed CBOR/ });
  const other = new Encoder({ useRecords: false }).encode({ format: 'something', version: 1 });
  t.throws(() => decodeQuantizedModel(other), { message: /format something, expected layerfleet.int8/ });
});
