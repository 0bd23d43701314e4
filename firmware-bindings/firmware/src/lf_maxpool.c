/*
 * 'valid' max pool over an int8 HWC map. Quantisation is monotonic, so the max of the int8
 * values is the quantised max and input and output share scale and zero point.
 */
#include "lf_kernels.h"

lf_status lf_maxpool_prepare(const lf_maxpool_params *p, lf_maxpool_plan *plan) {
  if (p == NULL || plan == NULL) return LF_ERR_NULL;
  if (p->in_h == 0 || p->in_w == 0 || p->in_c == 0 || p->in_h > LF_MAX_DIM || p->in_w > LF_MAX_DIM || p->in_c > LF_MAX_DIM) return LF_ERR_SHAPE;
  if (p->size == 0 || p->stride == 0 || p->size > p->in_h || p->size > p->in_w || p->stride > LF_MAX_DIM) return LF_ERR_POOL;
  plan->p = *p;
  plan->out_h = (p->in_h - p->size) / p->stride + 1;
  plan->out_w = (p->in_w - p->size) / p->stride + 1;
  /* Each factor is at most 2^12, so the products fit 32 bits and therefore size_t. */
  plan->input_len = (size_t)((uint64_t)p->in_h * p->in_w * p->in_c);
  plan->output_len = (size_t)((uint64_t)plan->out_h * plan->out_w * p->in_c);
  return LF_OK;
}

void lf_maxpool_eval(const lf_maxpool_plan *pl, const int8_t *input, int8_t *output) {
  const uint32_t C = pl->p.in_c, W = pl->p.in_w, size = pl->p.size, stride = pl->p.stride;
  size_t o = 0;
  for (uint32_t py = 0; py < pl->out_h; py++)
    for (uint32_t px = 0; px < pl->out_w; px++)
      for (uint32_t c = 0; c < C; c++) {
        int8_t best = -128;
        for (uint32_t dy = 0; dy < size; dy++)
          for (uint32_t dx = 0; dx < size; dx++) {
            int8_t v = input[(((size_t)py * stride + dy) * W + (size_t)px * stride + dx) * C + c];
            if (v > best) best = v;
          }
        output[o++] = best;
      }
}
