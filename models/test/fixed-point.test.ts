import test from 'ava';
import { roundingDivideByPOT, saturatingRoundingDoublingHighMul } from '../src/int8/fixed-point.js';
import { frexp, multiplyByQuantizedMultiplier, prepareRequantization, quantizeMultiplier, requantizeClamp } from '../src/int8/requantize.js';
import { mulberry32 } from '../src/rng.js';

// Reference implementations transcribed from gemmlowp's C++ with BigInt standing in for int64.
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

function refHighMul(a: number, b: number): number {
  if (a === I32_MIN && b === I32_MIN) return I32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number(BigInt.asIntN(32, (ab + nudge) / (1n << 31n))); // BigInt division truncates like C
}

function refDivPOT(x: number, e: number): number {
  const X = BigInt(x);
  const mask = (1n << BigInt(e)) - 1n;
  const rem = X & mask;
  const threshold = (mask >> 1n) + (X < 0n ? 1n : 0n);
  return Number((X >> BigInt(e)) + (rem > threshold ? 1n : 0n));
}

function refMBQM(x: number, m: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return refDivPOT(refHighMul(Number(BigInt.asIntN(32, BigInt(x) << BigInt(left))), m), right);
}

function randInt32(rng: () => number): number {
  // Mix magnitudes: full range, small values, and values near the edges.
  const r = rng();
  if (r < 0.4) return (rng() * 4294967296) | 0;
  if (r < 0.7) return Math.round((rng() - 0.5) * 2 ** (1 + Math.floor(rng() * 30)));
  if (r < 0.85) return [I32_MIN, I32_MAX, 0, 1, -1, 1 << 30, -(1 << 30)][Math.floor(rng() * 7)]!;
  return (I32_MAX - Math.floor(rng() * 4)) * (rng() < 0.5 ? -1 : 1);
}

test('saturatingRoundingDoublingHighMul is bit-exact vs the int64 reference on 200000 inputs', (t) => {
  const rng = mulberry32(7);
  let bad = 0;
  let firstBad = '';
  for (let i = 0; i < 200000; i++) {
    const a = randInt32(rng);
    const b = randInt32(rng);
    const got = saturatingRoundingDoublingHighMul(a, b);
    const want = refHighMul(a, b);
    if (got !== want) { bad++; firstBad ||= `a=${a} b=${b}: ${got} != ${want}`; }
  }
  t.is(bad, 0, firstBad);
  t.is(saturatingRoundingDoublingHighMul(I32_MIN, I32_MIN), I32_MAX);
  t.is(saturatingRoundingDoublingHighMul(I32_MIN, I32_MAX), refHighMul(I32_MIN, I32_MAX));
});

test('roundingDivideByPOT matches the reference for every exponent 0..31, ties away from zero', (t) => {
  const rng = mulberry32(8);
  let bad = 0;
  for (let i = 0; i < 100000; i++) {
    const x = randInt32(rng);
    const e = i % 32;
    if (roundingDivideByPOT(x, e) !== refDivPOT(x, e)) bad++;
  }
  t.is(bad, 0);
  t.is(roundingDivideByPOT(5, 1), 3); // 2.5 → 3
  t.is(roundingDivideByPOT(-5, 1), -3); // −2.5 → −3
  t.is(roundingDivideByPOT(-6, 2), -2); // −1.5 → −2
});

test('multiplyByQuantizedMultiplier is bit-exact vs the reference for realistic accumulators and all shifts', (t) => {
  const rng = mulberry32(9);
  let bad = 0;
  let firstBad = '';
  for (let i = 0; i < 100000; i++) {
    const real = 2 ** (-20 + rng() * 22); // 1e-6 .. 4: covers right and small left shifts
    const { multiplier, shift } = quantizeMultiplier(real);
    const x = shift > 0 ? Math.round((rng() - 0.5) * 2 ** (31 - shift)) : randInt32(rng);
    const got = multiplyByQuantizedMultiplier(x, multiplier, shift);
    const want = refMBQM(x, multiplier, shift);
    if (got !== want) { bad++; firstBad ||= `x=${x} m=${multiplier} s=${shift}: ${got} != ${want}`; }
  }
  t.is(bad, 0, firstBad);
});

test('multiplyByQuantizedMultiplier rounds x·real to within one unit of the exact double product', (t) => {
  const rng = mulberry32(10);
  for (let i = 0; i < 20000; i++) {
    const real = 2 ** (-12 + rng() * 12);
    const { multiplier, shift } = quantizeMultiplier(real);
    const x = Math.round((rng() - 0.5) * 2 ** 24);
    const got = multiplyByQuantizedMultiplier(x, multiplier, shift);
    if (Math.abs(got - x * real) > 1) { t.fail(`x=${x} real=${real}: ${got} vs ${x * real}`); return; }
  }
  t.pass();
});

test('quantizeMultiplier gives a Q31 mantissa in [2^30, 2^31) that reconstructs the double', (t) => {
  const rng = mulberry32(11);
  for (let i = 0; i < 20000; i++) {
    const real = 2 ** (-30 + rng() * 59);
    const { multiplier, shift } = quantizeMultiplier(real);
    t.true(multiplier >= 2 ** 30 && multiplier < 2 ** 31, `multiplier ${multiplier} for ${real}`);
    const back = multiplier * 2 ** (shift - 31);
    if (Math.abs(back - real) > real * 2 ** -30) { t.fail(`${real} → ${multiplier}, ${shift}`); return; }
  }
  t.deepEqual(quantizeMultiplier(0), { multiplier: 0, shift: 0 });
  t.deepEqual(quantizeMultiplier(0.5), { multiplier: 2 ** 30, shift: 0 });
  t.deepEqual(quantizeMultiplier(1), { multiplier: 2 ** 30, shift: 1 });
  // Rounds up to 2^31 → halved with the shift raised, exactly as TFLite does.
  t.deepEqual(quantizeMultiplier(1 - 2 ** -40), { multiplier: 2 ** 30, shift: 1 });
  t.deepEqual(quantizeMultiplier(2 ** -40), { multiplier: 0, shift: 0 });
  t.throws(() => quantizeMultiplier(-1), { message: /multiplier -1/ });
  t.throws(() => quantizeMultiplier(NaN), { message: /multiplier NaN/ });
});

test('frexp matches C for normal and subnormal numbers', (t) => {
  t.deepEqual(frexp(8), { mantissa: 0.5, exponent: 4 });
  t.deepEqual(frexp(0.75), { mantissa: 0.75, exponent: 0 });
  t.deepEqual(frexp(-3), { mantissa: -0.75, exponent: 2 });
  t.deepEqual(frexp(2 ** -1070), { mantissa: 0.5, exponent: -1069 });
});

test('prepared requantizeClamp equals multiplyByQuantizedMultiplier + zero point + clamp', (t) => {
  const rng = mulberry32(12);
  const channels = 64;
  const multipliers = Int32Array.from({ length: channels }, () => quantizeMultiplier(2 ** (-16 + rng() * 18)).multiplier);
  const shifts = Int32Array.from({ length: channels }, (_, c) => quantizeMultiplier(2 ** (-16 + ((c * 18) / channels))).shift);
  for (const [zp, min] of [[-128, -128], [5, 5], [-20, -128]] as const) {
    const rq = prepareRequantization(multipliers, shifts, zp, { min, max: 127 }, 'test');
    for (let i = 0; i < 50000; i++) {
      const c = i % channels;
      const acc = randInt32(rng);
      const want = Math.min(127, Math.max(min, refMBQM(acc, multipliers[c]!, shifts[c]!) + zp));
      const got = requantizeClamp(rq, c, acc);
      if (got !== want) { t.fail(`acc=${acc} c=${c}: ${got} != ${want}`); return; }
    }
  }
  t.throws(() => prepareRequantization(new Int32Array(1), new Int32Array([31]), 0, { min: -128, max: 127 }, 'conv9'), { message: /layer conv9: shifts\[0\] 31 outside/ });
  t.pass();
});
