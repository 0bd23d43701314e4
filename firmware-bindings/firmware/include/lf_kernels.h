/*
 * int8 layer kernels for LayerFleet firmware, TensorFlow Lite Micro style: one op per file
 * (src/lf_conv2d.c, src/lf_fully_connected.c, src/lf_maxpool.c, src/lf_requantize.c), each with
 * a *prepare* step that validates everything once per layer and precomputes what does not
 * change between runs (geometry, per-channel requantisation split into shifts, the input zero
 * point folded into the bias), and an *eval* that runs unchecked on a prepared plan.
 *
 * The contract is bit-exactness with the TypeScript reference kernels in @layerfleet/models
 * (models/src/int8): TFLite per-channel int8 semantics, wrapping int32 accumulation and
 * TFLite's double-rounding MultiplyByQuantizedMultiplier. The portable C eval (`*_eval_ref`) is
 * the reference every target-specific path must equal bit for bit; `*_eval` runs the fastest
 * path the target has (WebAssembly SIMD under __wasm_simd128__, see wasm/), else the reference.
 *
 * No kernel allocates: prepare writes into a caller-given persistent buffer
 * (`*_persist_bytes`), eval into a caller-given scratch buffer (`*_scratch_bytes`, 0 on targets
 * without a specific path). Freestanding apart from <stdint.h>, <stddef.h> and <string.h>.
 */
#ifndef LF_KERNELS_H
#define LF_KERNELS_H

#include <stdbool.h>
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
  LF_ERR_ACTIVATION_MIN = -9,  /* activation bounds outside [-128, 127] or min > max */
  LF_ERR_WEIGHTS = -10,        /* weights length disagrees with the shape */
  LF_ERR_BIAS = -11,           /* bias length disagrees with the output channels */
  LF_ERR_MULTIPLIERS = -12,    /* multipliers length wrong, or a multiplier is negative */
  LF_ERR_SHIFTS = -13,         /* shifts length wrong, or a shift outside [-31, 30] */
  LF_ERR_INPUT = -14,          /* input length disagrees with the shape */
  LF_ERR_OUTPUT = -15,         /* output buffer smaller than the output */
  LF_ERR_INPUTS = -16,         /* dense inputs zero or above LF_MAX_DENSE_INPUTS */
  LF_ERR_KIND = -17,           /* a layer kind this build does not know */
  LF_ERR_PERSIST = -18,        /* persistent buffer too small or misaligned for prepare */
  LF_ERR_SCRATCH = -19         /* scratch buffer too small for eval */
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
  /* The output clamp: min is the output zero point for a fused relu, else -128; max 127 unless
     an activation such as relu6 lowers it. */
  int32_t activation_min, activation_max;
} lf_conv2d_params;

typedef struct {
  uint32_t inputs, units;
  int32_t input_zero_point, output_zero_point, activation_min, activation_max;
} lf_dense_params;

typedef struct {
  uint32_t in_h, in_w, in_c, size, stride;
} lf_maxpool_params;

/* Per output channel requantisation constants shared by conv2d and dense, as received. */
typedef struct {
  const int32_t *bias;
  size_t bias_len;
  const int32_t *multipliers;
  size_t multipliers_len;
  const int32_t *shifts;
  size_t shifts_len;
} lf_channel_params;

/* One output channel as prepare leaves it (TFLite Micro's per-channel data in OpData). */
typedef struct {
  int32_t bias;        /* bias − input_zero_point·Σw, wrapping: the zero point folded in */
  int32_t multiplier;  /* Q31, non-negative */
  uint8_t left;        /* max(shift, 0) */
  uint8_t right;       /* max(−shift, 0) */
  uint8_t reserved[2];
} lf_channel_plan;

/* Geometry of a conv layer as TensorFlow computes it ('same': the odd padding pixel goes after). */
typedef struct {
  uint32_t conv_h, conv_w;   /* convolution output, before the pool */
  uint32_t pad_top, pad_left;
  uint32_t out_h, out_w;     /* after the pool (equal to conv_* without one) */
  size_t input_len, weights_len, output_len;
} lf_conv2d_geometry;

typedef struct {
  lf_conv2d_params p;
  lf_conv2d_geometry g;
  const int8_t *weights;       /* OHWI as given; must outlive the plan */
  const lf_channel_plan *ch;   /* `filters` entries in the persistent buffer */
  const int8_t *packed;        /* the target path's weight layout in the persistent buffer, or NULL */
  size_t scratch_bytes;        /* what eval needs */
} lf_conv2d_plan;

typedef struct {
  lf_dense_params p;
  const int8_t *weights;       /* [units][inputs] as given; must outlive the plan */
  const lf_channel_plan *ch;   /* `units` entries */
  const int8_t *packed;
  size_t scratch_bytes;
} lf_dense_plan;

typedef struct {
  lf_maxpool_params p;
  uint32_t out_h, out_w;
  size_t input_len, output_len;
} lf_maxpool_plan;

/* round(x * multiplier * 2^(shift-31)) exactly as TFLite's MultiplyByQuantizedMultiplier. */
int32_t lf_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift);
int32_t lf_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t lf_rounding_divide_by_pot(int32_t x, int32_t exponent);

/* Validates the scalar parameters and fills *g; nothing about buffers. */
lf_status lf_conv2d_geometry_of(const lf_conv2d_params *p, lf_conv2d_geometry *g);
/* Validates a dense layer's scalar parameters. */
lf_status lf_dense_check(const lf_dense_params *p);
/* Validates a max pool's parameters and fills the plan's geometry. */
lf_status lf_maxpool_prepare(const lf_maxpool_params *p, lf_maxpool_plan *plan);
/* The channel constants: lengths equal `channels`, multipliers ≥ 0, shifts in [-31, 30]. */
lf_status lf_channels_check(const lf_channel_params *ch, size_t channels);

/* Bytes prepare needs in its persistent buffer (4-byte aligned); 0 when p is invalid. */
size_t lf_conv2d_persist_bytes(const lf_conv2d_params *p);
size_t lf_dense_persist_bytes(const lf_dense_params *p);

/*
 * Validates every argument against the shape, then fills *plan: the per-channel constants (and
 * on a target with a specific path, its packed weights) go into persist[0..persist_cap), which
 * must stay untouched for as long as the plan is used, as must the weights.
 */
lf_status lf_conv2d_prepare(const lf_conv2d_params *p, const int8_t *weights, size_t weights_len,
                            const lf_channel_params *ch, void *persist, size_t persist_cap, lf_conv2d_plan *plan);
lf_status lf_dense_prepare(const lf_dense_params *p, const int8_t *weights, size_t weights_len,
                           const lf_channel_params *ch, void *persist, size_t persist_cap, lf_dense_plan *plan);

/*
 * Unchecked: input holds g.input_len (inputs) values, output room for g.output_len (units),
 * scratch plan->scratch_bytes bytes (may be NULL when that is 0). The caller checked them.
 */
void lf_conv2d_eval(const lf_conv2d_plan *plan, const int8_t *input, int8_t *output, void *scratch);
void lf_dense_eval(const lf_dense_plan *plan, const int8_t *input, int8_t *output, void *scratch);
void lf_maxpool_eval(const lf_maxpool_plan *plan, const int8_t *input, int8_t *output);
/* The portable reference, on every target. */
void lf_conv2d_eval_ref(const lf_conv2d_plan *plan, const int8_t *input, int8_t *output);
void lf_dense_eval_ref(const lf_dense_plan *plan, const int8_t *input, int8_t *output);

/* The argument a status blames ("weights", "shifts", ...), for one-line error reports. */
const char *lf_status_field(lf_status s);

#ifdef __cplusplus
}
#endif

#endif /* LF_KERNELS_H */
