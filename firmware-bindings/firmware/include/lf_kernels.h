/*
 * int8 layer kernels for LayerFleet firmware (C11, freestanding apart from <stdint.h>,
 * <stddef.h> and <string.h>).
 *
 * The contract is bit-exactness with the TypeScript reference kernels in @layerfleet/models
 * (models/src/int8): TFLite per-channel int8 semantics, wrapping int32 accumulation and
 * TFLite's double-rounding MultiplyByQuantizedMultiplier. The committed golden vectors
 * (models/golden/lenet5-golden.json) are the arbiter.
 *
 * No kernel allocates. Every buffer comes with its length and every length is checked against
 * the shape before anything is written, so a malformed layer description received over the
 * wire yields an error code instead of an out-of-bounds access.
 */
#ifndef LF_KERNELS_H
#define LF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes; each names the argument that was inconsistent, so callers can report it. */
typedef enum {
  LF_OK = 0,
  LF_ERR_NULL = -1,            /* a required pointer is NULL */
  LF_ERR_SHAPE = -2,           /* input height/width/channels zero or above LF_MAX_DIM */
  LF_ERR_KERNEL = -3,          /* kernel size zero, too large, or larger than a 'valid' input */
  LF_ERR_STRIDE = -4,          /* stride zero or above LF_MAX_DIM */
  LF_ERR_PADDING = -5,         /* padding not LF_PADDING_SAME / LF_PADDING_VALID */
  LF_ERR_FILTERS = -6,         /* filters / units zero or above LF_MAX_DIM */
  LF_ERR_POOL = -7,            /* pool size/stride inconsistent with the map it pools */
  LF_ERR_ZERO_POINT = -8,      /* a zero point outside [-128, 127] */
  LF_ERR_ACTIVATION_MIN = -9,  /* activation min outside [-128, 127] */
  LF_ERR_WEIGHTS = -10,        /* weights length disagrees with the shape */
  LF_ERR_BIAS = -11,           /* bias length disagrees with the output channels */
  LF_ERR_MULTIPLIERS = -12,    /* multipliers length wrong, or a multiplier is negative */
  LF_ERR_SHIFTS = -13,         /* shifts length wrong, or a shift outside [-31, 30] */
  LF_ERR_INPUT = -14,          /* input length disagrees with the shape */
  LF_ERR_OUTPUT = -15,         /* output buffer smaller than the output */
  LF_ERR_INPUTS = -16          /* dense inputs zero or above LF_MAX_DENSE_INPUTS */
} lf_status;

/*
 * Bounds on single dimensions. They keep every size product below 2^32 (so size_t arithmetic
 * cannot wrap on 32-bit MCUs) and are far above any layer that fits in MCU memory.
 */
#define LF_MAX_DIM 4096u
#define LF_MAX_DENSE_INPUTS (1u << 20)

typedef enum { LF_PADDING_VALID = 0, LF_PADDING_SAME = 1 } lf_padding;

typedef struct {
  uint32_t in_h, in_w, in_c;
  uint32_t kernel, stride, filters;
  lf_padding padding;
  /* Max pool fused after the clamp; pool_size 0 means no pool. */
  uint32_t pool_size, pool_stride;
  int32_t input_zero_point, output_zero_point;
  /* Lower clamp: the output zero point for a fused relu, else -128. The upper clamp is 127. */
  int32_t activation_min;
} lf_conv2d_params;

typedef struct {
  uint32_t inputs, units;
  int32_t input_zero_point, output_zero_point, activation_min;
} lf_dense_params;

/* Per output channel requantisation constants shared by conv2d and dense. */
typedef struct {
  const int32_t *bias;
  size_t bias_len;
  const int32_t *multipliers;
  size_t multipliers_len;
  const int32_t *shifts;
  size_t shifts_len;
} lf_channel_params;

/* Geometry of a conv layer as TensorFlow computes it ('same': the odd padding pixel goes after). */
typedef struct {
  uint32_t conv_h, conv_w;   /* convolution output, before the pool */
  uint32_t pad_top, pad_left;
  uint32_t out_h, out_w;     /* after the pool (equal to conv_* without one) */
  size_t input_len, weights_len, output_len;
} lf_conv2d_geometry;

/* round(x * multiplier * 2^(shift-31)) exactly as TFLite's MultiplyByQuantizedMultiplier. */
int32_t lf_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift);
int32_t lf_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t lf_rounding_divide_by_pot(int32_t x, int32_t exponent);

/* Validates the scalar parameters and fills *g; nothing about buffers. */
lf_status lf_conv2d_geometry_of(const lf_conv2d_params *p, lf_conv2d_geometry *g);

lf_status lf_conv2d_s8(const lf_conv2d_params *p,
                       const int8_t *weights, size_t weights_len,
                       const lf_channel_params *ch,
                       const int8_t *input, size_t input_len,
                       int8_t *output, size_t output_cap, size_t *output_len);

lf_status lf_dense_s8(const lf_dense_params *p,
                      const int8_t *weights, size_t weights_len,
                      const lf_channel_params *ch,
                      const int8_t *input, size_t input_len,
                      int8_t *output, size_t output_cap, size_t *output_len);

/* 'valid' max pool over an int8 HWC map. */
lf_status lf_maxpool_s8(uint32_t in_h, uint32_t in_w, uint32_t in_c, uint32_t size, uint32_t stride,
                        const int8_t *input, size_t input_len,
                        int8_t *output, size_t output_cap, size_t *output_len);

/* The argument a status blames ("weights", "shifts", ...), for one-line error reports. */
const char *lf_status_field(lf_status s);

#ifdef __cplusplus
}
#endif

#endif /* LF_KERNELS_H */
