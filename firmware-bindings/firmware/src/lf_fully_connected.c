/*
 * int8 fully connected layer with TFLite semantics; weights [units][inputs]. Prepare validates
 * and folds the input zero point into the bias; the reference eval is a plain dot per unit.
 */
#include "lf_requantize.h"
#include "lf_target.h"

lf_status lf_dense_check(const lf_dense_params *p) {
  if (p == NULL) return LF_ERR_NULL;
  if (p->inputs == 0 || p->inputs > LF_MAX_DENSE_INPUTS) return LF_ERR_INPUTS;
  if (p->units == 0 || p->units > LF_MAX_DIM) return LF_ERR_FILTERS;
  if (!lf_in_i8(p->input_zero_point) || !lf_in_i8(p->output_zero_point)) return LF_ERR_ZERO_POINT;
  if (!lf_in_i8(p->activation_min) || !lf_in_i8(p->activation_max) || p->activation_min > p->activation_max) return LF_ERR_ACTIVATION_MIN;
  /* inputs*units is below 2^32, so it fits size_t on every target. */
  return LF_OK;
}

static size_t align16(size_t n) { return (n + 15u) & ~(size_t)15u; }

size_t lf_dense_persist_bytes(const lf_dense_params *p) {
  if (lf_dense_check(p) != LF_OK) return 0;
  size_t n = align16((size_t)p->units * sizeof(lf_channel_plan));
#ifdef LF_TARGET_WASM_SIMD
  n += lf_simd_packed_bytes(p->units, p->inputs);
#endif
  return n;
}

lf_status lf_dense_prepare(const lf_dense_params *p, const int8_t *weights, size_t weights_len,
                           const lf_channel_params *ch, void *persist, size_t persist_cap, lf_dense_plan *plan) {
  if (plan == NULL) return LF_ERR_NULL;
  lf_status st = lf_dense_check(p);
  if (st != LF_OK) return st;
  if (weights == NULL) return LF_ERR_NULL;
  if (weights_len != (size_t)p->inputs * p->units) return LF_ERR_WEIGHTS;
  st = lf_channels_check(ch, p->units);
  if (st != LF_OK) return st;
  if (persist == NULL || ((uintptr_t)persist & 3u) != 0 || persist_cap < lf_dense_persist_bytes(p)) return LF_ERR_PERSIST;
  lf_channel_plan *cp = (lf_channel_plan *)persist;
  lf_channels_prepare(ch, weights, p->units, p->inputs, p->input_zero_point, cp);
  plan->p = *p;
  plan->weights = weights;
  plan->ch = cp;
  plan->packed = NULL;
  plan->scratch_bytes = 0;
#ifdef LF_TARGET_WASM_SIMD
  int8_t *packed = (int8_t *)persist + align16((size_t)p->units * sizeof(lf_channel_plan));
  lf_simd_pack(weights, p->units, p->inputs, cp, packed);
  plan->packed = packed;
  plan->scratch_bytes = lf_dense_scratch_simd(plan);
#endif
  return LF_OK;
}

void lf_dense_eval_ref(const lf_dense_plan *pl, const int8_t *input, int8_t *output) {
  const lf_dense_params *p = &pl->p;
  for (uint32_t u = 0; u < p->units; u++) {
    const int8_t *w = pl->weights + (size_t)u * p->inputs;
    uint32_t acc = (uint32_t)pl->ch[u].bias;
    for (uint32_t i = 0; i < p->inputs; i++) acc += (uint32_t)((int32_t)w[i] * (int32_t)input[i]);
    output[u] = lf_requantize(lf_wrap_i32(acc), &pl->ch[u], p->output_zero_point, p->activation_min, p->activation_max);
  }
}

void lf_dense_eval(const lf_dense_plan *plan, const int8_t *input, int8_t *output, void *scratch) {
#if defined(LF_TARGET_WASM_SIMD)
  lf_dense_eval_simd(plan, input, output, scratch);
#elif defined(LF_TARGET_ARM_DSP)
  (void)scratch;
  lf_dense_eval_dsp(plan, input, output);
#else
  (void)scratch;
  lf_dense_eval_ref(plan, input, output);
#endif
}
