// gemmlowp's fixed-point primitives as TensorFlow Lite uses them, on int32 values held in JS
// numbers. The 64-bit product is formed from 16-bit halves so that every intermediate stays an
// exact double: no BigInt in the hot path, and the result matches C's int64 arithmetic bit for bit.

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO_16 = 65536;
const TWO_31 = 2147483648;
const TWO_32 = 4294967296;
const TWO_52 = 4503599627370496;

/**
 * (a·b·2 + 2^31 rounding nudge) >> 32 with C's truncating division, saturating the one
 * overflow case a = b = INT32_MIN. Same contract as gemmlowp::SaturatingRoundingDoublingHighMul.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // gemmlowp's nudge: with C's truncating division it makes the result round half away from zero.
  const negative = a !== 0 && b !== 0 && (a < 0) !== (b < 0);
  const nudge = negative ? 1 - (1 << 30) : 1 << 30;
  // Fast path, the common case in requantisation (|accumulator| < 2^21 against a Q31 multiplier): the product
  // and the nudged sum are exact doubles, and dividing by 2^31 then truncating is exactly C's
  // int64 division.
  const p = a * b;
  if (p < TWO_52 && p > -TWO_52) return Math.trunc((p + nudge) / TWO_31) | 0;
  // a = ah·2^16 + al with al ∈ [0, 2^16); likewise b. All partial products are < 2^32 in magnitude.
  const al = a & 0xffff;
  const ah = a >> 16;
  const bl = b & 0xffff;
  const bh = b >> 16;
  const hi = ah * bh; // weight 2^32
  const mid = ah * bl + al * bh; // weight 2^16
  const lo = al * bl; // weight 1
  // t = ab + nudge = H·2^32 + L with L ∈ [0, 2^32); s is below 2^49 in magnitude, so exact.
  const s = mid * TWO_16 + lo + nudge;
  const sHi = Math.floor(s / TWO_32);
  const L = s - sHi * TWO_32;
  const H = hi + sHi;
  // floor(t / 2^31) = 2H + floor(L / 2^31); C truncates toward zero, so a negative t with a
  // remainder goes up by one.
  const lowBit = L >= TWO_31 ? 1 : 0;
  let q = 2 * H + lowBit;
  const rem = L - lowBit * TWO_31;
  if (H < 0 && rem !== 0) q += 1;
  return q | 0;
}

/** x / 2^exponent rounded to nearest, ties away from zero (gemmlowp::RoundingDivideByPOT), 0 ≤ exponent ≤ 31. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = ((1 << exponent) - 1) | 0;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> exponent) + (remainder > threshold ? 1 : 0)) | 0;
}
