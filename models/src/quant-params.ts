// Choosing quantisation parameters (TFLite's post-training scheme). Scales are rounded to float32
// because that is how TFLite stores them; everything derived from them is then reproducible.
import { roundHalfAway } from './round.js';

export { roundHalfAway };

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** Asymmetric int8 parameters covering [min, max]; the range is widened to include 0 so that 0 is exact. */
export function activationParams(min: number, max: number, what = 'range'): QuantParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) throw new Error(`${what}: [${min}, ${max}] is not a finite range`);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (hi === lo) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, roundHalfAway(-128 - lo / scale)));
  return { scale, zeroPoint };
}

export function quantizeValue(x: number, p: QuantParams): number {
  const q = roundHalfAway(x / p.scale) + p.zeroPoint;
  return q < -128 ? -128 : q > 127 ? 127 : q;
}

export function dequantizeValue(q: number, p: QuantParams): number {
  return (q - p.zeroPoint) * p.scale;
}

/** Symmetric per-output-channel int8 weights in [-127, 127] (TFLite's narrow range), zero point 0. */
export function quantizeWeightsPerChannel(weights: Float32Array, channels: number): { weights: Int8Array; scales: Float64Array } {
  const per = weights.length / channels;
  if (!Number.isInteger(per)) throw new Error(`weights length ${weights.length} is not a multiple of ${channels} channels`);
  const q = new Int8Array(weights.length);
  const scales = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let maxAbs = 0;
    for (let k = 0; k < per; k++) maxAbs = Math.max(maxAbs, Math.abs(weights[c * per + k]!));
    // An all-zero filter still needs a positive scale for the multiplier; its weights stay 0.
    const scale = maxAbs > 0 ? Math.fround(maxAbs / 127) : 1;
    scales[c] = scale;
    for (let k = 0; k < per; k++) {
      const v = roundHalfAway(weights[c * per + k]! / scale);
      q[c * per + k] = Math.max(-127, Math.min(127, v));
    }
  }
  return { weights: q, scales };
}

/** int32 bias at scale inputScale·weightScale[c], as TFLite requires. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float64Array): Int32Array {
  const q = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const v = roundHalfAway(bias[c]! / (inputScale * weightScales[c]!));
    q[c] = Math.max(-2147483648, Math.min(2147483647, v));
  }
  return q;
}
