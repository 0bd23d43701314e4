// Turning a real rescale factor into an int32 multiplier + shift, and applying it, exactly as
// TensorFlow Lite's QuantizeMultiplier / MultiplyByQuantizedMultiplier (the double-rounding form).
import { roundHalfAway } from '../round.js';
import { roundingDivideByPOT, saturatingRoundingDoublingHighMul } from './fixed-point.js';

const TWO_31 = 2147483648;
const TWO_52 = 4503599627370496;
const POS_NUDGE = 1 << 30;
const NEG_NUDGE = 1 - (1 << 30);

export interface QuantizedMultiplier {
  /** Q31 mantissa in [2^30, 2^31), or 0. */
  multiplier: number;
  /** Power-of-two exponent: positive = left shift, negative = right shift. */
  shift: number;
}

const frexpView = new DataView(new ArrayBuffer(8));

/** C's frexp for finite x: x = mantissa·2^exponent with |mantissa| ∈ [0.5, 1). */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { mantissa: x, exponent: 0 };
  let bias = 0;
  let v = x;
  if (Math.abs(v) < 2.2250738585072014e-308) { v *= 2 ** 64; bias = -64; } // subnormal: scale into normal range first
  frexpView.setFloat64(0, v);
  const biasedExp = (frexpView.getUint16(0) >> 4) & 0x7ff;
  const exponent = biasedExp - 1022;
  return { mantissa: v / 2 ** exponent, exponent: exponent + bias };
}

export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  if (!Number.isFinite(realMultiplier) || realMultiplier < 0) {
    throw new Error(`quantizeMultiplier: multiplier ${realMultiplier} is not a finite non-negative number`);
  }
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(realMultiplier);
  let shift = exponent;
  let qFixed = roundHalfAway(mantissa * 2 ** 31);
  if (qFixed === 2 ** 31) { qFixed /= 2; shift += 1; }
  // Below 2^-31 every product would shift out to zero; above 2^30 TFLite saturates.
  if (shift < -31) { shift = 0; qFixed = 0; }
  if (shift > 30) { shift = 30; qFixed = 2 ** 31 - 1; }
  return { multiplier: qFixed, shift };
}

/**
 * round(x · multiplier · 2^(shift−31)) in TFLite's two-step rounding. A left shift multiplies in
 * wrapping int32 arithmetic, as the C code does for the values it is given.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(Math.imul(x, 1 << leftShift), multiplier), rightShift);
}

/**
 * Per-channel requantisation constants split once (TFLite Micro computes them in Prepare):
 * the left-shift factor 2^max(shift, 0) and the right shift max(−shift, 0) with its rounding mask.
 */
export interface PreparedRequantization {
  readonly multipliers: Int32Array;
  readonly leftFactors: Int32Array;
  readonly rightShifts: Int32Array;
  readonly masks: Int32Array;
  readonly outputZeroPoint: number;
  readonly min: number;
  readonly max: number;
}

export function prepareRequantization(
  multipliers: Int32Array, shifts: Int32Array, outputZeroPoint: number, range: { min: number; max: number }, layer: string,
): PreparedRequantization {
  const n = multipliers.length;
  if (shifts.length !== n) throw new Error(`layer ${layer}: ${shifts.length} shifts for ${n} multipliers`);
  const leftFactors = new Int32Array(n);
  const rightShifts = new Int32Array(n);
  const masks = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const shift = shifts[c]!;
    if (!(shift >= -31 && shift <= 30)) throw new Error(`layer ${layer}: shifts[${c}] ${shift} outside [-31, 30]`);
    if (multipliers[c]! < 0) throw new Error(`layer ${layer}: multipliers[${c}] ${multipliers[c]} is negative`);
    leftFactors[c] = 1 << Math.max(shift, 0);
    rightShifts[c] = Math.max(-shift, 0);
    masks[c] = ((1 << rightShifts[c]!) - 1) | 0;
  }
  return { multipliers, leftFactors, rightShifts, masks, outputZeroPoint, min: range.min, max: range.max };
}

/**
 * MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + zero point, clamped to the
 * activation range: the same integers as the unprepared form. The high multiply's exact-double
 * fast path and RoundingDivideByPOT are inlined because this runs once per output element.
 */
export function requantizeClamp(rq: PreparedRequantization, c: number, acc: number): number {
  const x = Math.imul(acc, rq.leftFactors[c]!);
  const m = rq.multipliers[c]!;
  const p = x * m;
  const h = p < TWO_52 && p > -TWO_52
    ? Math.trunc((p + (p < 0 ? NEG_NUDGE : POS_NUDGE)) / TWO_31) | 0
    : saturatingRoundingDoublingHighMul(x, m);
  const mask = rq.masks[c]!;
  const threshold = (mask >> 1) + (h < 0 ? 1 : 0);
  const v = (h >> rq.rightShifts[c]!) + ((h & mask) > threshold ? 1 : 0) + rq.outputZeroPoint;
  return v < rq.min ? rq.min : v > rq.max ? rq.max : v;
}
