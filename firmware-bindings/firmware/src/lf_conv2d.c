/*
 * int8 conv2d with TFLite per-channel semantics, TF padding and an optional fused max pool.
 * Prepare validates and precomputes; the reference eval is one output element at a time,
 * straight from the definition, with the zero point folded into the bias.
 */
#include "lf_requantize.h"
#include "lf_target.h"

lf_status lf_conv2d_geometry_of(const lf_conv2d_params *p, lf_conv2d_geometry *g) {
  if (p == NULL || g == NULL) return LF_ERR_NULL;
  if (p->in_h == 0 || p->in_w == 0 || p->in_c == 0 || p->in_h > LF_MAX_DIM || p->in_w > LF_MAX_DIM || p->in_c > LF_MAX_DIM) return LF_ERR_SHAPE;
  if (p->kernel == 0 || p->kernel > LF_MAX_DIM) return LF_ERR_KERNEL;
  if (p->stride == 0 || p->stride > LF_MAX_DIM) return LF_ERR_STRIDE;
  if (p->filters == 0 || p->filters > LF_MAX_DIM) return LF_ERR_FILTERS;
  if (!lf_in_i8(p->input_zero_point) || !lf_in_i8(p->output_zero_point)) return LF_ERR_ZERO_POINT;
  if (!lf_in_i8(p->activation_min) || !lf_in_i8(p->activation_max) || p->activation_min > p->activation_max) return LF_ERR_ACTIVATION_MIN;
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

static size_t align16(size_t n) { return (n + 15u) & ~(size_t)15u; }

size_t lf_conv2d_persist_bytes(const lf_conv2d_params *p) {
  lf_conv2d_geometry g;
  if (lf_conv2d_geometry_of(p, &g) != LF_OK) return 0;
  size_t n = align16((size_t)p->filters * sizeof(lf_channel_plan));
#ifdef LF_TARGET_WASM_SIMD
  n += lf_simd_packed_bytes(p->filters, g.weights_len / p->filters);
#endif
  return n;
}

lf_status lf_conv2d_prepare(const lf_conv2d_params *p, const int8_t *weights, size_t weights_len,
                            const lf_channel_params *ch, void *persist, size_t persist_cap, lf_conv2d_plan *plan) {
  if (plan == NULL) return LF_ERR_NULL;
  lf_conv2d_geometry g;
  lf_status st = lf_conv2d_geometry_of(p, &g);
  if (st != LF_OK) return st;
  if (weights == NULL) return LF_ERR_NULL;
  if (weights_len != g.weights_len) return LF_ERR_WEIGHTS;
  st = lf_channels_check(ch, p->filters);
  if (st != LF_OK) return st;
  if (persist == NULL || ((uintptr_t)persist & 3u) != 0 || persist_cap < lf_conv2d_persist_bytes(p)) return LF_ERR_PERSIST;
  const size_t per_filter = g.weights_len / p->filters;
  lf_channel_plan *cp = (lf_channel_plan *)persist;
  lf_channels_prepare(ch, weights, p->filters, per_filter, p->input_zero_point, cp);
  plan->p = *p;
  plan->g = g;
  plan->weights = weights;
  plan->ch = cp;
  plan->packed = NULL;
  plan->scratch_bytes = 0;
#ifdef LF_TARGET_WASM_SIMD
  int8_t *packed = (int8_t *)persist + align16((size_t)p->filters * sizeof(lf_channel_plan));
  lf_simd_pack(weights, p->filters, per_filter, cp, packed);
  plan->packed = packed;
  plan->scratch_bytes = lf_conv2d_scratch_simd(plan);
  if (plan->scratch_bytes == SIZE_MAX) return LF_ERR_SCRATCH;
#endif
  return LF_OK;
}

/*
 * One conv output element (before pool). Taps in the padding read the input zero point, which
 * is what the folded bias expects (the TS kernel fills its padded buffer with it).
 */
static int8_t conv_at(const lf_conv2d_plan *pl, const int8_t *input, uint32_t oy, uint32_t ox, uint32_t c) {
  const lf_conv2d_params *p = &pl->p;
  const uint32_t k = p->kernel, C = p->in_c;
  const int32_t zp = p->input_zero_point;
  const int8_t *wc = pl->weights + (size_t)c * k * k * C;
  /* Accumulated unsigned: wrapping, as the reference's int32, in any order. */
  uint32_t acc = (uint32_t)pl->ch[c].bias;
  for (uint32_t ky = 0; ky < k; ky++) {
    int64_t iy = (int64_t)oy * p->stride + ky - pl->g.pad_top;
    bool row_in = iy >= 0 && iy < (int64_t)p->in_h;
    for (uint32_t kx = 0; kx < k; kx++) {
      int64_t ix = (int64_t)ox * p->stride + kx - pl->g.pad_left;
      const int8_t *w = wc + ((size_t)ky * k + kx) * C;
      if (row_in && ix >= 0 && ix < (int64_t)p->in_w) {
        const int8_t *x = input + ((size_t)iy * p->in_w + (size_t)ix) * C;
        for (uint32_t ic = 0; ic < C; ic++) acc += (uint32_t)((int32_t)w[ic] * (int32_t)x[ic]);
      } else {
        for (uint32_t ic = 0; ic < C; ic++) acc += (uint32_t)((int32_t)w[ic] * zp);
      }
    }
  }
  return lf_requantize(lf_wrap_i32(acc), &pl->ch[c], p->output_zero_point, p->activation_min, p->activation_max);
}

void lf_conv2d_eval_ref(const lf_conv2d_plan *pl, const int8_t *input, int8_t *output) {
  const lf_conv2d_params *p = &pl->p;
  size_t o = 0;
  if (p->pool_size == 0) {
    for (uint32_t oy = 0; oy < pl->g.conv_h; oy++)
      for (uint32_t ox = 0; ox < pl->g.conv_w; ox++)
        for (uint32_t c = 0; c < p->filters; c++) output[o++] = conv_at(pl, input, oy, ox, c);
    return;
  }
  /*
   * The pool is fused by computing each window's conv outputs on demand: no scratch map, and
   * conv cells no window covers are never computed. Clamp then max equals the TS order (clamp
   * while writing the conv map, then pool it) because each element is clamped before the max.
   * Overlapping windows (stride < size) recompute cells, which is correct, only slower.
   */
  for (uint32_t py = 0; py < pl->g.out_h; py++)
    for (uint32_t px = 0; px < pl->g.out_w; px++)
      for (uint32_t c = 0; c < p->filters; c++) {
        int8_t best = -128;
        for (uint32_t dy = 0; dy < p->pool_size; dy++)
          for (uint32_t dx = 0; dx < p->pool_size; dx++) {
            int8_t v = conv_at(pl, input, py * p->pool_stride + dy, px * p->pool_stride + dx, c);
            if (v > best) best = v;
          }
        output[o++] = best;
      }
}

void lf_conv2d_eval(const lf_conv2d_plan *plan, const int8_t *input, int8_t *output, void *scratch) {
#if defined(LF_TARGET_WASM_SIMD)
  lf_conv2d_eval_simd(plan, input, output, scratch);
#elif defined(LF_TARGET_ARM_DSP)
  (void)scratch;
  lf_conv2d_eval_dsp(plan, input, output);
#else
  (void)scratch;
  lf_conv2d_eval_ref(plan, input, output);
#endif
}
