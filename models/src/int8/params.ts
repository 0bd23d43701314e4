// What every int8 conv/dense kernel is given: TFLite's per-channel quantisation, as explicit
// arguments. `prepare*` turns these into a plan once; the run functions only read the plan.
import type { LayerSpec } from '../graph.js';

export interface Int8LayerParams<S extends LayerSpec = LayerSpec> {
  spec: S;
  inputZeroPoint: number;
  outputZeroPoint: number;
  /** Per-channel symmetric int8 weights (zero point 0): OHWI for conv, [units][inputs] for dense. */
  weights: Int8Array;
  /** int32 bias per output channel, at scale inputScale·weightScale[c]. */
  bias: Int32Array;
  /** Per output channel: Q31 multiplier and shift for inputScale·weightScale[c] / outputScale. */
  multipliers: Int32Array;
  shifts: Int32Array;
}

/**
 * bias − inputZeroPoint·Σw per output channel. The kernels then multiply raw int8 inputs and
 * fill padding with the input zero point; in wrapping int32 arithmetic this equals TFLite's
 * Σ w·(x − zeroPoint) + bias exactly, for every input.
 */
export function foldInputZeroPoint(weights: Int8Array, bias: Int32Array, inputZeroPoint: number): Int32Array {
  const channels = bias.length;
  const perChannel = weights.length / channels;
  const folded = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    const base = c * perChannel;
    for (let k = 0; k < perChannel; k++) sum += weights[base + k]!;
    folded[c] = (bias[c]! - Math.imul(inputZeroPoint, sum)) | 0;
  }
  return folded;
}
