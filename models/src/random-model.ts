// An int8 model with seeded random weights for any graph: the CIFAR CNN and VGG16 have no
// trained weights here, yet their layer shapes are what the kernels must be fast on. The
// requantisation is scaled so activations spread over the int8 range rather than all clamping
// (|Σ w·x| is about √k·128·128/3 for k taps; a shift of −(7 + log2(k)/2) brings it near ±64).
import type { ModelGraph } from './graph.js';
import type { QuantizedLayer, QuantizedModel } from './quantize.js';
import { mulberry32 } from './rng.js';

/**
 * `only`: just these layers (by name), e.g. to time VGG16's convolutions without building its
 * fc6 (100 M weights); the model's graph then lists only them, so it is not a chain to run whole.
 */
export function randomQuantizedModel(graph: ModelGraph, seed = 1, only?: readonly string[]): QuantizedModel {
  const rng = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const picked = only ? { ...graph, layers: graph.layers.filter((l) => only.includes(l.name)) } : graph;
  const layers = picked.layers.map((spec): QuantizedLayer => {
    const channels = spec.kind === 'conv2d' ? spec.filters : spec.units;
    const taps = spec.kind === 'conv2d' ? spec.kernel * spec.kernel * spec.input[2] : spec.inputs;
    const shift = -Math.round(7 + Math.log2(taps) / 2);
    const weights = new Int8Array(channels * taps);
    for (let i = 0; i < weights.length; i++) weights[i] = int(-127, 127);
    return {
      spec, inputScale: 1, inputZeroPoint: int(-10, 10), outputScale: 1, outputZeroPoint: int(-10, 10), weights,
      bias: Int32Array.from({ length: channels }, () => int(-20000, 20000)),
      multipliers: Int32Array.from({ length: channels }, () => int(1073741824, 2147483647)),
      shifts: Int32Array.from({ length: channels }, () => shift),
    };
  });
  return { graph: picked, inputScale: 1, inputZeroPoint: 0, layers };
}
