/*
 * One quantised layer as a self-describing LFLY blob (docs/serial-protocol.md, "Layer blob"):
 * validated once by lf_layer_parse, prepared once by lf_layer_prepare, then run any number of
 * times by lf_layer_run without copying. The int32 sections are used where they lie, which is why the blob must start at a
 * 4-byte aligned address and why only little-endian targets are supported (all of ours are).
 */
#ifndef LF_LAYER_H
#define LF_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LF_LAYER_MAGIC "LFLY"
#define LF_LAYER_VERSION 1u
#define LF_LAYER_HEADER_BYTES 60u

typedef enum { LF_LAYER_CONV2D = 1, LF_LAYER_DENSE = 2, LF_LAYER_MAXPOOL = 3 } lf_layer_kind;

typedef struct {
  lf_layer_kind kind;
  lf_conv2d_params conv;   /* conv2d */
  lf_dense_params dense;   /* dense */
  lf_maxpool_params pool;  /* maxpool */
  lf_channel_params ch;    /* points into the blob */
  const int8_t *weights;   /* points into the blob */
  size_t weights_len;
  size_t input_len, output_len;
  uint64_t macs;           /* see lf_layer_macs */
  bool prepared;           /* lf_layer_prepare filled plan */
  union {
    lf_conv2d_plan conv;
    lf_dense_plan dense;
    lf_maxpool_plan pool;
  } plan;
} lf_layer;

/*
 * Why a blob was refused: the field to blame (a blob field name such as "magic", "kind",
 * "bias", "weights", "blob", or a kernel status name from lf_status_field) and a reason.
 * The reason is a template whose "%u" markers stand for a and b in turn; lf_layer_error_text
 * fills them in.
 */
typedef struct {
  const char *field;
  const char *reason;
  uint32_t a, b;
} lf_layer_error;

/*
 * Validates blob[0..len) completely (magic, version, kind, every section's count against the
 * shape, every multiplier and shift) and fills *out with pointers into the blob; the blob must
 * stay where it is, unchanged, for as long as *out is used.
 *
 * blob_len == NULL: the blob must end exactly at len ("nothing after"). Otherwise trailing
 * bytes are allowed, and *blob_len receives where the blob ends (for containers such as the
 * golden runner's job). Returns false with *err filled in on any refusal.
 */
bool lf_layer_parse(const uint8_t *blob, size_t len, lf_layer *out, size_t *blob_len, lf_layer_error *err);

/*
 * The kernels' prepare step on a parsed layer, once: lf_layer_persist_bytes of persistent space,
 * 4-byte aligned, which must stay untouched, like the blob, while the layer is used. Parse has
 * already refused whatever prepare would, so on a parsed layer only the buffer can fail it.
 */
size_t lf_layer_persist_bytes(const lf_layer *layer);
lf_status lf_layer_prepare(lf_layer *layer, void *persist, size_t persist_cap);
/* Scratch a run needs (after prepare): 0 on targets without a specific path. */
size_t lf_layer_scratch_bytes(const lf_layer *layer);

/* Runs a prepared layer. The shapes were validated by lf_layer_parse, so the only refusals
   left are an input of the wrong length (LF_ERR_INPUT), too small an output (LF_ERR_OUTPUT) or
   scratch (LF_ERR_SCRATCH), a layer not prepared (LF_ERR_PERSIST) or of no known kind. */
lf_status lf_layer_run(const lf_layer *layer, const int8_t *input, size_t input_len,
                       int8_t *output, size_t output_cap, size_t *output_len, void *scratch, size_t scratch_cap);

/* Multiply-accumulates of one run: conv conv_h*conv_w*filters*kernel*kernel*in_c (before the
   fused pool), dense inputs*units, maxpool 0. Saturates instead of wrapping. */
uint64_t lf_layer_macs(const lf_layer *layer);

/* err as one line "<reason with numbers>" into out (always NUL-terminated when cap > 0). */
size_t lf_layer_error_text(const lf_layer_error *err, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* LF_LAYER_H */
