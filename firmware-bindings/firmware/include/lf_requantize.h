/*
 * Requantisation of one int32 accumulator to int8 on a prepared channel, inlined into every
 * kernel's hot loop (the same integers as lf_multiply_by_quantized_multiplier + zero point +
 * clamp, with the shift split in prepare). Internal to the kernels.
 */
#ifndef LF_REQUANTIZE_H
#define LF_REQUANTIZE_H

#include "lf_kernels.h"

/*
 * Signed overflow is undefined in C, yet the reference accumulates in wrapping int32 (JS `| 0`,
 * TFLite's int32 accumulators on real hardware). Doing the arithmetic in uint32_t is defined
 * modulo 2^32, and this conversion back avoids the implementation-defined unsigned->signed cast.
 */
static inline int32_t lf_wrap_i32(uint32_t u) {
  if (u <= (uint32_t)INT32_MAX) return (int32_t)u;
  return (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* Right shift of a negative value is implementation-defined in C; the reference floors. */
static inline int32_t lf_asr_i32(int32_t x, uint32_t n) {
  if (x >= 0) return x >> n;
  return -1 - ((-1 - x) >> n);
}

static inline int32_t lf_srdhm(int32_t a, int32_t b) {
  /* The only product whose doubled high half does not fit in int32. */
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  /* gemmlowp's nudge: combined with C's truncating division it rounds half away from zero. */
  int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (INT64_C(1) - (INT64_C(1) << 30));
  return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

static inline int32_t lf_rdbpot(int32_t x, uint32_t exponent) {
  uint32_t mask = (uint32_t)((UINT64_C(1) << exponent) - 1u);
  /* Two's-complement low bits, computed unsigned so the result does not depend on representation. */
  uint32_t remainder = (uint32_t)x & mask;
  uint32_t threshold = (mask >> 1) + (x < 0 ? 1u : 0u);
  return lf_asr_i32(x, exponent) + (remainder > threshold ? 1 : 0);
}

/* int64 for the zero point: a near-INT32 value plus a zero point may overflow int32. */
static inline int8_t lf_requantize(int32_t acc, const lf_channel_plan *c, int32_t zp, int32_t lo, int32_t hi) {
  /* TFLite multiplies by (1 << left) in int32; the TS reference uses Math.imul, i.e. wraps. */
  int32_t scaled = lf_wrap_i32((uint32_t)acc << c->left);
  int64_t v = (int64_t)lf_rdbpot(lf_srdhm(scaled, c->multiplier), c->right) + zp;
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return (int8_t)v;
}

/* Fills the per-channel plan: shifts split, Σw folded into the bias. ch was checked. */
void lf_channels_prepare(const lf_channel_params *ch, const int8_t *weights, size_t channels, size_t per_channel,
                         int32_t input_zero_point, lf_channel_plan *out);

static inline bool lf_in_i8(int32_t v) { return v >= -128 && v <= 127; }

#endif /* LF_REQUANTIZE_H */
