/*
 * Cortex-M DSP-extension inner loops (lf_target.h), as CMSIS-NN lays them out: four int8 of
 * the input and of a weight row per 32-bit load, sign-extended in pairs (SXTB16 of the word and
 * of the word rotated by 8) and accumulated two products per SMLAD. SMLAD's sum wraps modulo
 * 2^32 like the reference's accumulator, so the integers are the reference's, in another order.
 * The kernel shape tests check this path byte for byte on the Cortex-M7 under QEMU; QEMU does
 * not model cycle timing, so no speed is claimed for it here.
 */
#include "lf_target.h"

#ifdef LF_TARGET_ARM_DSP

#include <arm_acle.h>
#include <string.h>

#include "lf_requantize.h"

static inline uint32_t load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);  /* one LDR: the Cortex-M7 allows unaligned word loads from RAM */
  return v;
}

/* Rotate right by 8 (one ROR; GCC 12's arm_acle.h has no __ror). */
static inline uint32_t ror8(uint32_t v) { return (v >> 8) | (v << 24); }

/* acc + Σ a[i]·b[i], wrapping. */
static inline uint32_t dot_s8(const int8_t *a, const int8_t *b, size_t n, uint32_t acc) {
  size_t i = 0;
  for (; i + 4u <= n; i += 4u) {
    const uint32_t x = load4(a + i), w = load4(b + i);
    acc = (uint32_t)__smlad(__sxtb16(x), __sxtb16(w), (int32_t)acc);
    acc = (uint32_t)__smlad(__sxtb16(ror8(x)), __sxtb16(ror8(w)), (int32_t)acc);
  }
  for (; i < n; i++) acc += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
  return acc;
}

/* One conv output before the pool: kernel rows wholly inside the input are one contiguous
   dot of k·C values; taps in the padding read the input zero point, as in the reference. */
static int8_t conv_at(const lf_conv2d_plan *pl, const int8_t *input, uint32_t oy, uint32_t ox, uint32_t c) {
  const lf_conv2d_params *p = &pl->p;
  const uint32_t k = p->kernel, C = p->in_c;
  const int32_t zp = p->input_zero_point;
  const int8_t *wc = pl->weights + (size_t)c * k * k * C;
  uint32_t acc = (uint32_t)pl->ch[c].bias;
  const int64_t x0 = (int64_t)ox * p->stride - pl->g.pad_left;
  const bool cols_in = x0 >= 0 && x0 + k <= (int64_t)p->in_w;
  for (uint32_t ky = 0; ky < k; ky++) {
    const int64_t iy = (int64_t)oy * p->stride + ky - pl->g.pad_top;
    const int8_t *w = wc + (size_t)ky * k * C;
    if (iy >= 0 && iy < (int64_t)p->in_h && cols_in) {
      acc = dot_s8(input + ((size_t)iy * p->in_w + (size_t)x0) * C, w, (size_t)k * C, acc);
      continue;
    }
    for (uint32_t kx = 0; kx < k; kx++, w += C) {
      const int64_t ix = x0 + kx;
      if (iy >= 0 && iy < (int64_t)p->in_h && ix >= 0 && ix < (int64_t)p->in_w) {
        acc = dot_s8(input + ((size_t)iy * p->in_w + (size_t)ix) * C, w, C, acc);
      } else {
        for (uint32_t ic = 0; ic < C; ic++) acc += (uint32_t)((int32_t)w[ic] * zp);
      }
    }
  }
  return lf_requantize(lf_wrap_i32(acc), &pl->ch[c], p->output_zero_point, p->activation_min, p->activation_max);
}

void lf_conv2d_eval_dsp(const lf_conv2d_plan *pl, const int8_t *input, int8_t *output) {
  const lf_conv2d_params *p = &pl->p;
  size_t o = 0;
  if (p->pool_size == 0) {
    for (uint32_t oy = 0; oy < pl->g.conv_h; oy++)
      for (uint32_t ox = 0; ox < pl->g.conv_w; ox++)
        for (uint32_t c = 0; c < p->filters; c++) output[o++] = conv_at(pl, input, oy, ox, c);
    return;
  }
  /* The pool fused as in the reference: each window's conv outputs computed on demand. */
  for (uint32_t py = 0; py < pl->g.out_h; py++)
    for (uint32_t px = 0; px < pl->g.out_w; px++)
      for (uint32_t c = 0; c < p->filters; c++) {
        int8_t best = -128;
        for (uint32_t dy = 0; dy < p->pool_size; dy++)
          for (uint32_t dx = 0; dx < p->pool_size; dx++) {
            const int8_t v = conv_at(pl, input, py * p->pool_stride + dy, px * p->pool_stride + dx, c);
            if (v > best) best = v;
          }
        output[o++] = best;
      }
}

void lf_dense_eval_dsp(const lf_dense_plan *pl, const int8_t *input, int8_t *output) {
  const lf_dense_params *p = &pl->p;
  for (uint32_t u = 0; u < p->units; u++) {
    const uint32_t acc = dot_s8(input, pl->weights + (size_t)u * p->inputs, p->inputs, (uint32_t)pl->ch[u].bias);
    output[u] = lf_requantize(lf_wrap_i32(acc), &pl->ch[u], p->output_zero_point, p->activation_min, p->activation_max);
  }
}

#endif /* LF_TARGET_ARM_DSP */
