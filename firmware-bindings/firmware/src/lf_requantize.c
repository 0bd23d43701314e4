/*
 * Requantisation, TFLite's fixed-point way, and what conv2d and dense share about their
 * per-channel constants: the check and the prepare step.
 */
#include "lf_requantize.h"

int32_t lf_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) { return lf_srdhm(a, b); }

int32_t lf_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  return exponent <= 0 ? x : lf_rdbpot(x, (uint32_t)(exponent > 31 ? 31 : exponent));
}

int32_t lf_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift) {
  uint32_t left = shift > 0 ? (uint32_t)shift : 0u;
  uint32_t right = shift > 0 ? 0u : (uint32_t)-shift;
  int32_t scaled = lf_wrap_i32((uint32_t)x << left);
  return lf_rdbpot(lf_srdhm(scaled, multiplier), right);
}

/* Same limits as the TS prepareRequantization. */
lf_status lf_channels_check(const lf_channel_params *ch, size_t channels) {
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

/*
 * The fold: Σ w·(x − zp) + bias = (bias − zp·Σw) + Σ w·x modulo 2^32, so an eval that reads raw
 * inputs (and the zero point wherever padding is) gives TFLite's integers exactly.
 */
void lf_channels_prepare(const lf_channel_params *ch, const int8_t *weights, size_t channels, size_t per_channel,
                         int32_t input_zero_point, lf_channel_plan *out) {
  for (size_t c = 0; c < channels; c++) {
    const int8_t *w = weights + c * per_channel;
    uint32_t sum = 0;
    for (size_t k = 0; k < per_channel; k++) sum += (uint32_t)(int32_t)w[k];
    int32_t shift = ch->shifts[c];
    out[c].bias = lf_wrap_i32((uint32_t)ch->bias[c] - (uint32_t)input_zero_point * sum);
    out[c].multiplier = ch->multipliers[c];
    out[c].left = (uint8_t)(shift > 0 ? shift : 0);
    out[c].right = (uint8_t)(shift > 0 ? 0 : -shift);
    out[c].reserved[0] = out[c].reserved[1] = 0;
  }
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
    case LF_ERR_ACTIVATION_MIN: return "activation";
    case LF_ERR_WEIGHTS: return "weights";
    case LF_ERR_BIAS: return "bias";
    case LF_ERR_MULTIPLIERS: return "multipliers";
    case LF_ERR_SHIFTS: return "shifts";
    case LF_ERR_INPUT: return "input";
    case LF_ERR_OUTPUT: return "output";
    case LF_ERR_INPUTS: return "inputs";
    case LF_ERR_KIND: return "kind";
    case LF_ERR_PERSIST: return "persist";
    case LF_ERR_SCRATCH: return "scratch";
  }
  return "unknown";
}
