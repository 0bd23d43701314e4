/*
 * int8 kernels, written for clarity and exactness rather than speed: one output element at a
 * time, straight from the TFLite reference definition. Bit-exactness with the TypeScript
 * kernels holds because both compute the same integers, even though the TS code reorders the
 * sum (it folds the zero point into the bias); see the notes at each step.
 */
#include "lf_kernels.h"

/*
 * Signed overflow is undefined in C, yet the reference accumulates in wrapping int32 (JS `| 0`,
 * TFLite's int32 accumulators on real hardware). Doing the arithmetic in uint32_t is defined
 * modulo 2^32, and this conversion back avoids the implementation-defined unsigned->signed cast.
 */
static int32_t wrap_i32(uint32_t u) {
  if (u <= (uint32_t)INT32_MAX) return (int32_t)u;
  return (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* Right shift of a negative value is implementation-defined in C; the reference floors. */
static int32_t asr_i32(int32_t x, int32_t n) {
  if (x >= 0) return x >> n;
  return -1 - ((-1 - x) >> n);
}

int32_t lf_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  /* The only product whose doubled high half does not fit in int32. */
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  /* gemmlowp's nudge: combined with C's truncating division it rounds half away from zero. */
  int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (INT64_C(1) - (INT64_C(1) << 30));
  return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

int32_t lf_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  int32_t mask = (int32_t)((INT64_C(1) << exponent) - 1);
  /* Two's-complement low bits, computed unsigned so the result does not depend on representation. */
  int32_t remainder = (int32_t)((uint32_t)x & (uint32_t)mask);
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return asr_i32(x, exponent) + (remainder > threshold ? 1 : 0);
}

int32_t lf_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t right = shift > 0 ? 0 : -shift;
  /* TFLite multiplies by (1 << left) in int32; the TS reference uses Math.imul, i.e. wraps. */
  int32_t scaled = wrap_i32((uint32_t)x * ((uint32_t)1 << left));
  return lf_rounding_divide_by_pot(lf_saturating_rounding_doubling_high_mul(scaled, multiplier), right);
}

/* Requantise one accumulator and clamp; int64 because zero point + a near-INT32 value may overflow. */
static int8_t requantize_clamp(int32_t acc, int32_t multiplier, int32_t shift, int32_t zp, int32_t act_min) {
  int64_t v = (int64_t)lf_multiply_by_quantized_multiplier(acc, multiplier, shift) + zp;
  if (v < act_min) v = act_min;
  if (v > 127) v = 127;
  return (int8_t)v;
}

static int in_i8(int32_t v) { return v >= -128 && v <= 127; }

/*
 * Checked before any output is written so that a bad multiplier/shift cannot leave a
 * half-written output behind. Same limits as the TS prepareRequantization.
 */
static lf_status check_channels(const lf_channel_params *ch, size_t channels) {
  if (ch == NULL || ch->bias == NULL || ch->multipliers == NULL || ch->shifts == NULL) return LF_ERR_NULL;
  if (ch->bias_len != channels) return LF_ERR_BIAS;
  if (ch->multipliers_len != channels) return LF_ERR_MULTIPLIERS;
  if (ch->shifts_len != channels) return LF_ERR_SHIFTS;
  for (size_t c = 0; c < channels; c++) {
    if (ch->multipliers[c] < 0) return LF_ERR_MULTIPLIERS;
    if (ch->shifts[c] < -31 || ch->shifts[c] > 30) return LF_ERR_SHIFTS;
  }
  return LF_OK;
}

lf_status lf_conv2d_geometry_of(const lf_conv2d_params *p, lf_conv2d_geometry *g) {
  if (p == NULL || g == NULL) return LF_ERR_NULL;
  if (p->in_h == 0 || p->in_w == 0 || p->in_c == 0 || p->in_h > LF_MAX_DIM || p->in_w > LF_MAX_DIM || p->in_c > LF_MAX_DIM) return LF_ERR_SHAPE;
  if (p->kernel == 0 || p->kernel > LF_MAX_DIM) return LF_ERR_KERNEL;
  if (p->stride == 0 || p->stride > LF_MAX_DIM) return LF_ERR_STRIDE;
  if (p->filters == 0 || p->filters > LF_MAX_DIM) return LF_ERR_FILTERS;
  if (!in_i8(p->input_zero_point) || !in_i8(p->output_zero_point)) return LF_ERR_ZERO_POINT;
  if (!in_i8(p->activation_min)) return LF_ERR_ACTIVATION_MIN;
  uint32_t k = p->kernel, s = p->stride;
  if (p->padding == LF_PADDING_SAME) {
    g->conv_h = (p->in_h + s - 1) / s;
    g->conv_w = (p->in_w + s - 1) / s;
    /* TensorFlow: total = max((out-1)*s + k - in, 0), the smaller half before. */
    uint32_t need_h = (g->conv_h - 1) * s + k, need_w = (g->conv_w - 1) * s + k;
    g->pad_top = need_h > p->in_h ? (need_h - p->in_h) / 2 : 0;
    g->pad_left = need_w > p->in_w ? (need_w - p->in_w) / 2 : 0;
  } else if (p->padding == LF_PADDING_VALID) {
    if (k > p->in_h || k > p->in_w) return LF_ERR_KERNEL;
    g->conv_h = (p->in_h - k) / s + 1;
    g->conv_w = (p->in_w - k) / s + 1;
    g->pad_top = 0;
    g->pad_left = 0;
  } else {
    return LF_ERR_PADDING;
  }
  g->out_h = g->conv_h;
  g->out_w = g->conv_w;
  if (p->pool_size != 0) {
    if (p->pool_stride == 0 || p->pool_size > g->conv_h || p->pool_size > g->conv_w || p->pool_stride > LF_MAX_DIM) return LF_ERR_POOL;
    g->out_h = (g->conv_h - p->pool_size) / p->pool_stride + 1;
    g->out_w = (g->conv_w - p->pool_size) / p->pool_stride + 1;
  }
  /* Each factor is at most 4096 = 2^12 and k*k*c*o is 2^48, so the products are formed in
     uint64_t and rejected if they exceed what size_t can index on this target. */
  uint64_t in_len = (uint64_t)p->in_h * p->in_w * p->in_c;
  uint64_t w_len = (uint64_t)k * k * p->in_c * p->filters;
  uint64_t out_len = (uint64_t)g->out_h * g->out_w * p->filters;
  if (in_len > SIZE_MAX || out_len > SIZE_MAX) return LF_ERR_SHAPE;
  if (w_len > SIZE_MAX) return LF_ERR_WEIGHTS;
  g->input_len = (size_t)in_len;
  g->weights_len = (size_t)w_len;
  g->output_len = (size_t)out_len;
  return LF_OK;
}

/* One conv output element (before pool). Padded taps are skipped: they read the input zero point,
   so (x - zp) is 0 there, which is exactly what the TS kernel's zero-point-filled buffer gives. */
static int8_t conv_at(const lf_conv2d_params *p, const lf_conv2d_geometry *g, const int8_t *weights,
                      const lf_channel_params *ch, const int8_t *input, uint32_t oy, uint32_t ox, uint32_t c) {
  const uint32_t k = p->kernel, C = p->in_c;
  const int32_t zp = p->input_zero_point;
  /* The sum Σ w·(x − zp) + bias equals the TS form (bias − zp·Σw) + Σ w·x modulo 2^32, and both
     wrap, so accumulating unsigned gives the same bits in any order. */
  uint32_t acc = (uint32_t)ch->bias[c];
  const int8_t *wc = weights + (size_t)c * k * k * C;
  for (uint32_t ky = 0; ky < k; ky++) {
    int64_t iy = (int64_t)oy * p->stride + ky - g->pad_top;
    if (iy < 0 || iy >= (int64_t)p->in_h) continue;
    for (uint32_t kx = 0; kx < k; kx++) {
      int64_t ix = (int64_t)ox * p->stride + kx - g->pad_left;
      if (ix < 0 || ix >= (int64_t)p->in_w) continue;
      const int8_t *x = input + ((size_t)iy * p->in_w + (size_t)ix) * C;
      const int8_t *w = wc + ((size_t)ky * k + kx) * C;
      for (uint32_t ic = 0; ic < C; ic++) acc += (uint32_t)((int32_t)w[ic] * ((int32_t)x[ic] - zp));
    }
  }
  return requantize_clamp(wrap_i32(acc), ch->multipliers[c], ch->shifts[c], p->output_zero_point, p->activation_min);
}

lf_status lf_conv2d_s8(const lf_conv2d_params *p,
                       const int8_t *weights, size_t weights_len,
                       const lf_channel_params *ch,
                       const int8_t *input, size_t input_len,
                       int8_t *output, size_t output_cap, size_t *output_len) {
  lf_conv2d_geometry g;
  lf_status st = lf_conv2d_geometry_of(p, &g);
  if (st != LF_OK) return st;
  if (weights == NULL || input == NULL || output == NULL) return LF_ERR_NULL;
  if (weights_len != g.weights_len) return LF_ERR_WEIGHTS;
  st = check_channels(ch, p->filters);
  if (st != LF_OK) return st;
  if (input_len != g.input_len) return LF_ERR_INPUT;
  if (output_cap < g.output_len) return LF_ERR_OUTPUT;
  size_t o = 0;
  if (p->pool_size == 0) {
    for (uint32_t oy = 0; oy < g.conv_h; oy++)
      for (uint32_t ox = 0; ox < g.conv_w; ox++)
        for (uint32_t c = 0; c < p->filters; c++) output[o++] = conv_at(p, &g, weights, ch, input, oy, ox, c);
  } else {
    /*
     * The pool is fused by computing each window's conv outputs on demand: no scratch map, and
     * conv cells no window covers are never computed. Clamp then max equals the TS order (clamp
     * while writing the conv map, then pool it) because each element is clamped before the max.
     * Overlapping windows (stride < size) recompute cells, which is correct, only slower.
     */
    for (uint32_t py = 0; py < g.out_h; py++)
      for (uint32_t px = 0; px < g.out_w; px++)
        for (uint32_t c = 0; c < p->filters; c++) {
          int8_t best = -128;
          for (uint32_t dy = 0; dy < p->pool_size; dy++)
            for (uint32_t dx = 0; dx < p->pool_size; dx++) {
              int8_t v = conv_at(p, &g, weights, ch, input, py * p->pool_stride + dy, px * p->pool_stride + dx, c);
              if (v > best) best = v;
            }
          output[o++] = best;
        }
  }
  if (output_len != NULL) *output_len = o;
  return LF_OK;
}

lf_status lf_dense_s8(const lf_dense_params *p,
                      const int8_t *weights, size_t weights_len,
                      const lf_channel_params *ch,
                      const int8_t *input, size_t input_len,
                      int8_t *output, size_t output_cap, size_t *output_len) {
  if (p == NULL || weights == NULL || input == NULL || output == NULL) return LF_ERR_NULL;
  if (p->inputs == 0 || p->inputs > LF_MAX_DENSE_INPUTS) return LF_ERR_INPUTS;
  if (p->units == 0 || p->units > LF_MAX_DIM) return LF_ERR_FILTERS;
  if (!in_i8(p->input_zero_point) || !in_i8(p->output_zero_point)) return LF_ERR_ZERO_POINT;
  if (!in_i8(p->activation_min)) return LF_ERR_ACTIVATION_MIN;
  uint64_t w_len = (uint64_t)p->inputs * p->units;
  if (w_len > SIZE_MAX || weights_len != (size_t)w_len) return LF_ERR_WEIGHTS;
  lf_status st = check_channels(ch, p->units);
  if (st != LF_OK) return st;
  if (input_len != p->inputs) return LF_ERR_INPUT;
  if (output_cap < p->units) return LF_ERR_OUTPUT;
  const int32_t zp = p->input_zero_point;
  for (uint32_t u = 0; u < p->units; u++) {
    const int8_t *w = weights + (size_t)u * p->inputs;
    uint32_t acc = (uint32_t)ch->bias[u];
    for (uint32_t i = 0; i < p->inputs; i++) acc += (uint32_t)((int32_t)w[i] * ((int32_t)input[i] - zp));
    output[u] = requantize_clamp(wrap_i32(acc), ch->multipliers[u], ch->shifts[u], p->output_zero_point, p->activation_min);
  }
  if (output_len != NULL) *output_len = p->units;
  return LF_OK;
}

lf_status lf_maxpool_s8(uint32_t in_h, uint32_t in_w, uint32_t in_c, uint32_t size, uint32_t stride,
                        const int8_t *input, size_t input_len,
                        int8_t *output, size_t output_cap, size_t *output_len) {
  if (input == NULL || output == NULL) return LF_ERR_NULL;
  if (in_h == 0 || in_w == 0 || in_c == 0 || in_h > LF_MAX_DIM || in_w > LF_MAX_DIM || in_c > LF_MAX_DIM) return LF_ERR_SHAPE;
  if (size == 0 || stride == 0 || size > in_h || size > in_w || stride > LF_MAX_DIM) return LF_ERR_POOL;
  uint64_t in_len = (uint64_t)in_h * in_w * in_c;
  if (in_len > SIZE_MAX || input_len != (size_t)in_len) return LF_ERR_INPUT;
  uint32_t oh = (in_h - size) / stride + 1, ow = (in_w - size) / stride + 1;
  uint64_t out_len = (uint64_t)oh * ow * in_c;
  if (out_len > SIZE_MAX || output_cap < (size_t)out_len) return LF_ERR_OUTPUT;
  size_t o = 0;
  for (uint32_t py = 0; py < oh; py++)
    for (uint32_t px = 0; px < ow; px++)
      for (uint32_t c = 0; c < in_c; c++) {
        int8_t best = -128;
        for (uint32_t dy = 0; dy < size; dy++)
          for (uint32_t dx = 0; dx < size; dx++) {
            int8_t v = input[(((size_t)py * stride + dy) * in_w + (size_t)px * stride + dx) * in_c + c];
            if (v > best) best = v;
          }
        output[o++] = best;
      }
  if (output_len != NULL) *output_len = o;
  return LF_OK;
}

const char *lf_status_field(lf_status s) {
  switch (s) {
    case LF_OK: return "ok";
    case LF_ERR_NULL: return "pointer";
    case LF_ERR_SHAPE: return "shape";
    case LF_ERR_KERNEL: return "kernel";
    case LF_ERR_STRIDE: return "stride";
    case LF_ERR_PADDING: return "padding";
    case LF_ERR_FILTERS: return "filters";
    case LF_ERR_POOL: return "pool";
    case LF_ERR_ZERO_POINT: return "zero_point";
    case LF_ERR_ACTIVATION_MIN: return "activation_min";
    case LF_ERR_WEIGHTS: return "weights";
    case LF_ERR_BIAS: return "bias";
    case LF_ERR_MULTIPLIERS: return "multipliers";
    case LF_ERR_SHIFTS: return "shifts";
    case LF_ERR_INPUT: return "input";
    case LF_ERR_OUTPUT: return "output";
    case LF_ERR_INPUTS: return "inputs";
  }
  return "unknown";
}
