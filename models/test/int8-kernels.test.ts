import test from 'ava';
import { runLayerFloat, type FloatLayer } from '../src/float/model.js';
import { inputLength, outputChannels, weightCount, type ConvSpec, type DenseSpec, type LayerSpec } from '../src/graph.js';
import { activationParams, quantizeValue } from '../src/quant-params.js';
import { quantizeLayer as quantizeLayerAt, runLayerInt8, type QuantizedLayer } from '../src/quantize.js';
import { mulberry32, normal, type Rng } from '../src/rng.js';
import { naiveConvInt8, naiveDenseInt8 } from './naive-int8.js';

function randomFloatLayer(spec: LayerSpec, rng: Rng): FloatLayer {
  const weights = Float32Array.from({ length: weightCount(spec) }, () => normal(rng) * 0.3);
  const bias = Float32Array.from({ length: outputChannels(spec) }, () => normal(rng) * 0.2);
  return { spec, weights, bias };
}

/** Quantises one float layer against a given input, the way quantizeModel does for a whole model. */
function quantizeLayer(layer: FloatLayer, input: Float32Array): { q: QuantizedLayer; qInput: Int8Array; floatOut: Float32Array; weightScales: Float64Array } {
  let lo = 0, hi = 0;
  for (const v of input) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const inQ = activationParams(lo, hi);
  const floatOut = runLayerFloat(layer, input);
  let olo = 0, ohi = 0;
  for (const v of floatOut) { olo = Math.min(olo, v); ohi = Math.max(ohi, v); }
  const outQ = activationParams(olo, ohi);
  const { weightScales, ...q } = quantizeLayerAt(layer, inQ, outQ);
  const qInput = Int8Array.from(input, (v) => quantizeValue(v, inQ));
  return { q, qInput, floatOut, weightScales };
}

const convCases: ConvSpec[] = [
  { kind: 'conv2d', name: 'lenetConv1', input: [28, 28, 1], filters: 6, kernel: 5, stride: 1, padding: 'same', relu: true, pool: { size: 2, stride: 2 } },
  { kind: 'conv2d', name: 'lenetConv2', input: [14, 14, 6], filters: 16, kernel: 5, stride: 1, padding: 'valid', relu: true, pool: { size: 2, stride: 2 } },
  { kind: 'conv2d', name: 'stride2same', input: [9, 11, 3], filters: 7, kernel: 3, stride: 2, padding: 'same', relu: false },
  { kind: 'conv2d', name: 'evenKernel', input: [8, 7, 5], filters: 9, kernel: 4, stride: 1, padding: 'same', relu: true },
  { kind: 'conv2d', name: 'pool3s2', input: [12, 12, 4], filters: 5, kernel: 3, stride: 1, padding: 'valid', relu: true, pool: { size: 3, stride: 2 } },
];

test('int8 conv is bit-exact against the naive TFLite-style reference', (t) => {
  const rng = mulberry32(21);
  for (const spec of convCases) {
    for (let trial = 0; trial < 3; trial++) {
      const layer = randomFloatLayer(spec, rng);
      const input = Float32Array.from({ length: inputLength(spec) }, () => rng() * 2 - 0.7);
      const { q, qInput } = quantizeLayer(layer, input);
      const got = runLayerInt8(q, qInput);
      const want = naiveConvInt8(q as QuantizedLayer & { spec: ConvSpec }, qInput);
      t.deepEqual(Array.from(got), Array.from(want), `${spec.name} trial ${trial}`);
    }
  }
});

test('int8 conv is bit-exact with extreme zero points and random int8 parameters', (t) => {
  const rng = mulberry32(22);
  for (const spec of convCases) {
    const n = weightCount(spec);
    const ch = outputChannels(spec);
    const q: QuantizedLayer = {
      spec, inputScale: 1, outputScale: 1,
      inputZeroPoint: Math.floor(rng() * 256) - 128, outputZeroPoint: Math.floor(rng() * 256) - 128,
      weights: Int8Array.from({ length: n }, () => Math.floor(rng() * 255) - 127),
      bias: Int32Array.from({ length: ch }, () => Math.floor((rng() - 0.5) * 200000)),
      multipliers: Int32Array.from({ length: ch }, () => 2 ** 30 + Math.floor(rng() * 2 ** 30)),
      // Mostly right shifts as in real layers, some left shifts (effective scale > 1) too.
      shifts: Int32Array.from({ length: ch }, () => (rng() < 0.2 ? Math.floor(rng() * 3) : -Math.floor(rng() * 14) - 4)),
    };
    const input = Int8Array.from({ length: inputLength(spec) }, () => Math.floor(rng() * 256) - 128);
    t.deepEqual(Array.from(runLayerInt8(q, input)), Array.from(naiveConvInt8(q as QuantizedLayer & { spec: ConvSpec }, input)), spec.name);
  }
});

test('int8 dense is bit-exact against the naive reference', (t) => {
  const rng = mulberry32(23);
  for (const spec of [
    { kind: 'dense', name: 'fc', inputs: 400, units: 120, relu: true },
    { kind: 'dense', name: 'logits', inputs: 84, units: 10, relu: false },
    { kind: 'dense', name: 'odd', inputs: 7, units: 3, relu: true },
  ] satisfies DenseSpec[]) {
    const layer = randomFloatLayer(spec, rng);
    const input = Float32Array.from({ length: spec.inputs }, () => rng() * 3 - 1);
    const { q, qInput } = quantizeLayer(layer, input);
    t.deepEqual(Array.from(runLayerInt8(q, qInput)), Array.from(naiveDenseInt8(q as QuantizedLayer & { spec: DenseSpec }, qInput)), spec.name);
  }
});

test('int8 kernels agree with the float kernels within quantisation error', (t) => {
  const rng = mulberry32(24);
  const specs: LayerSpec[] = [...convCases, { kind: 'dense', name: 'fc', inputs: 400, units: 120, relu: true }];
  for (const spec of specs) {
    const layer = randomFloatLayer(spec, rng);
    const input = Float32Array.from({ length: inputLength(spec) }, () => rng() * 2 - 0.5);
    const { q, qInput, floatOut, weightScales } = quantizeLayer(layer, input);
    const out = runLayerInt8(q, qInput);
    const perChannel = q.weights.length / q.bias.length;
    // Exact float math on the dequantised operands differs from int8 only by output rounding
    // (≤ ½ LSB) and TFLite's double rounding in the multiplier: within 1 LSB.
    const deqLayer: FloatLayer = {
      spec,
      weights: Float32Array.from(q.weights, (w, i) => w * weightScales[Math.floor(i / perChannel)]!),
      bias: Float32Array.from(q.bias, (b, c) => b * q.inputScale * weightScales[c]!),
    };
    const deqIn = Float32Array.from(qInput, (v) => (v - q.inputZeroPoint) * q.inputScale);
    const exact = runLayerFloat(deqLayer, deqIn);
    let worstLsb = 0;
    let worstReal = 0;
    let range = 0;
    for (let i = 0; i < out.length; i++) {
      const real = (out[i]! - q.outputZeroPoint) * q.outputScale;
      worstLsb = Math.max(worstLsb, Math.abs(real - exact[i]!) / q.outputScale);
      worstReal = Math.max(worstReal, Math.abs(real - floatOut[i]!));
      range = Math.max(range, Math.abs(floatOut[i]!));
    }
    t.true(worstLsb <= 1.01, `${spec.name}: ${worstLsb.toFixed(3)} LSB from exact math on dequantised operands`);
    // Against the original float layer (input and weight rounding included): a few percent of the range.
    t.true(worstReal <= 0.04 * range, `${spec.name}: max error ${worstReal} vs output range ${range}`);
  }
});

test('runLayerInt8 rejects a wrong input length, naming the layer', (t) => {
  const rng = mulberry32(25);
  const { q } = quantizeLayer(randomFloatLayer(convCases[0]!, rng), new Float32Array(784).fill(0.5));
  t.throws(() => runLayerInt8(q, new Int8Array(783)), { message: 'layer lenetConv1: input length 783, expected 784' });
});
