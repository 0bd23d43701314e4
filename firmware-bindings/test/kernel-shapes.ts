// Kernel test layers named by shape (TFLite Micro's habit, kernels/testdata/conv_test_data.h):
// each isolates one thing a kernel can get wrong — stride, uneven 'same' borders, 1×1 and 5×5
// kernels, overlapping pools, channel counts off the SIMD widths (8 taps, 4 channels), extreme
// zero points, multipliers and biases. Weights, biases and inputs are seeded pseudo-random; the
// requantisation is scaled so that outputs spread over the int8 range instead of all clamping.
import { mulberry32, type LayerSpec, type QuantizedLayer } from '@layerfleet/models';

interface ShapeOptions {
  inputZeroPoint?: number;
  outputZeroPoint?: number;
  relu?: boolean;
  /** 'spread': outputs over the int8 range; 'extreme': saturating, zero and tiny multipliers, left shifts; */
  multipliers?: 'spread' | 'extreme';
  /** Biases at ±2^31 − 1 on every other channel: the accumulator wraps. */
  extremeBias?: boolean;
}

export interface KernelShape {
  name: string;
  layer: QuantizedLayer;
  input: Int8Array;
}

function taps(spec: LayerSpec): number {
  return spec.kind === 'conv2d' ? spec.kernel * spec.kernel * spec.input[2] : spec.inputs;
}

function channels(spec: LayerSpec): number {
  return spec.kind === 'conv2d' ? spec.filters : spec.units;
}

function inputCount(spec: LayerSpec): number {
  return spec.kind === 'conv2d' ? spec.input[0] * spec.input[1] * spec.input[2] : spec.inputs;
}

function make(name: string, spec: LayerSpec, o: ShapeOptions, seed: number): KernelShape {
  const rng = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const n = channels(spec), k = taps(spec);
  const weights = Int8Array.from({ length: n * k }, () => int(-128, 127));
  const bias = Int32Array.from({ length: n }, (_, c) => (o.extremeBias && c % 2 === 0 ? (c % 4 === 0 ? 2147483647 : -2147483648) : int(-20000, 20000)));
  // |Σ w·(x − zp)| is about √k·128·128/3; a shift of −(7 + log2(k)/2) brings it near ±64.
  const base = Math.round(7 + Math.log2(k) / 2);
  const multipliers = new Int32Array(n);
  const shifts = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    if (o.multipliers === 'extreme') {
      const pick = c % 5;
      multipliers[c] = pick === 0 ? 2147483647 : pick === 1 ? 0 : pick === 2 ? 1073741824 : pick === 3 ? int(1073741824, 2147483647) : 2147483647;
      shifts[c] = pick === 0 ? 30 : pick === 1 ? 0 : pick === 2 ? -31 : pick === 3 ? 1 : -base;
    } else {
      multipliers[c] = int(1073741824, 2147483647);
      shifts[c] = -base + int(-1, 1);
    }
  }
  const inputZeroPoint = o.inputZeroPoint ?? int(-20, 20);
  const outputZeroPoint = o.outputZeroPoint ?? int(-20, 20);
  const input = Int8Array.from({ length: inputCount(spec) }, () => int(-128, 127));
  const layer: QuantizedLayer = { spec, inputScale: 1, inputZeroPoint, outputScale: 1, outputZeroPoint, weights, bias, multipliers, shifts };
  return { name, layer, input };
}

function conv(name: string, input: [number, number, number], filters: number, kernel: number, stride: number, padding: 'same' | 'valid',
  pool: { size: number; stride: number } | undefined, o: ShapeOptions = {}): LayerSpec {
  return { kind: 'conv2d', name, input, filters, kernel, stride, padding, relu: o.relu ?? true, ...(pool ? { pool } : {}) };
}

function dense(name: string, inputs: number, units: number, o: ShapeOptions = {}): LayerSpec {
  return { kind: 'dense', name, inputs, units, relu: o.relu ?? true };
}

const SHAPES: [string, (name: string, o: ShapeOptions) => LayerSpec, ShapeOptions][] = [
  ['conv_28x28x1_k5_same_f6_pool2 (LeNet conv1)', (n, o) => conv(n, [28, 28, 1], 6, 5, 1, 'same', { size: 2, stride: 2 }, o), {}],
  ['conv_14x14x6_k5_valid_f16_pool2 (LeNet conv2)', (n, o) => conv(n, [14, 14, 6], 16, 5, 1, 'valid', { size: 2, stride: 2 }, o), {}],
  ['conv_9x9x3_k3_stride2_valid_f5', (n, o) => conv(n, [9, 9, 3], 5, 3, 2, 'valid', undefined, o), {}],
  ['conv_10x7x3_k4_same_uneven_borders_f6', (n, o) => conv(n, [10, 7, 3], 6, 4, 1, 'same', undefined, o), {}],
  ['conv_11x8x2_k3_stride2_same_uneven_borders_f7', (n, o) => conv(n, [11, 8, 2], 7, 3, 2, 'same', undefined, o), {}],
  ['conv_8x8x16_k1_f12 (1x1, whole SIMD blocks)', (n, o) => conv(n, [8, 8, 16], 12, 1, 1, 'valid', undefined, o), {}],
  ['conv_6x5x3_k1_f7 (1x1, channels off the SIMD widths)', (n, o) => conv(n, [6, 5, 3], 7, 1, 1, 'same', undefined, o), {}],
  ['conv_12x12x5_k5_valid_f9 (5x5)', (n, o) => conv(n, [12, 12, 5], 9, 5, 1, 'valid', undefined, o), {}],
  ['conv_13x13x4_k3_same_f6_pool3_stride2 (overlapping pool)', (n, o) => conv(n, [13, 13, 4], 6, 3, 1, 'same', { size: 3, stride: 2 }, o), {}],
  ['conv_7x7x13_k3_same_f11 (13 in, 11 out channels)', (n, o) => conv(n, [7, 7, 13], 11, 3, 1, 'same', undefined, o), {}],
  ['conv_5x5x9_k3_same_f5 zero points -128 in, 127 out, no relu', (n, o) => conv(n, [5, 5, 9], 5, 3, 1, 'same', undefined, o), { inputZeroPoint: -128, outputZeroPoint: 127, relu: false }],
  ['conv_5x5x9_k3_same_f5 zero points 127 in, -128 out, relu', (n, o) => conv(n, [5, 5, 9], 5, 3, 1, 'same', undefined, o), { inputZeroPoint: 127, outputZeroPoint: -128 }],
  ['conv_6x6x3_k3_same_f10 extreme multipliers and shifts', (n, o) => conv(n, [6, 6, 3], 10, 3, 1, 'same', undefined, o), { multipliers: 'extreme', relu: false }],
  ['conv_6x6x3_k3_valid_f8 biases at the int32 limits', (n, o) => conv(n, [6, 6, 3], 8, 3, 1, 'valid', undefined, o), { extremeBias: true, relu: false }],
  ['conv_32x32x3_k3_same_f32 (CIFAR conv1)', (n, o) => conv(n, [32, 32, 3], 32, 3, 1, 'same', undefined, o), {}],
  ['dense_400x120 (LeNet fc1)', (n, o) => dense(n, 400, 120, o), {}],
  ['dense_1x1', (n, o) => dense(n, 1, 1, o), {}],
  ['dense_13x7 (inputs and units off the SIMD widths)', (n, o) => dense(n, 13, 7, o), { relu: false }],
  ['dense_1000x3', (n, o) => dense(n, 1000, 3, o), { relu: false }],
  ['dense_64x10 zero points -128 in, 127 out', (n, o) => dense(n, 64, 10, o), { inputZeroPoint: -128, outputZeroPoint: 127, relu: false }],
  ['dense_37x15 extreme multipliers and shifts', (n, o) => dense(n, 37, 15, o), { multipliers: 'extreme', relu: false }],
  ['dense_24x9 biases at the int32 limits', (n, o) => dense(n, 24, 9, o), { extremeBias: true }],
];

/** Every shape, built from its own seed (the same bytes on every run). */
export function kernelShapes(): KernelShape[] {
  return SHAPES.map(([name, spec, o], i) => make(name, spec(name, o), o, 7001 + i));
}
