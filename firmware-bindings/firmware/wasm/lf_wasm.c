/*
 * The kernels as a WebAssembly module for the agents (firmware-bindings/src/wasm-kernels.ts):
 * one layer per instance, driven through these exports. No libc: the three memory functions
 * the compiler may call are defined here on top of bulk-memory instructions.
 *
 * Linear memory layout (the loader grows memory and places everything above __heap_base):
 *   [stack, statics][__heap_base: LFLY blob][persist][scratch][input][output]
 * each region 16-byte aligned, their offsets chosen by the loader from the sizes below.
 */
#include <stddef.h>
#include <stdint.h>

#include "lf_layer.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n) { return __builtin_memcpy(dst, src, n); }
void *memmove(void *dst, const void *src, size_t n) { return __builtin_memmove(dst, src, n); }
void *memset(void *dst, int c, size_t n) { return __builtin_memset(dst, c, n); }
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/*
 * compiler-rt's 128-bit multiply, which clang calls for lf_layer.c's overflow-checked 64-bit
 * product: the low 128 bits of a·b from 32-bit pieces (little-endian halves).
 */
__extension__ typedef __int128 lf_i128;
typedef union {
  lf_i128 all;
  struct { uint64_t lo, hi; } s;
} lf_twords;

lf_i128 __multi3(lf_i128 a, lf_i128 b);
lf_i128 __multi3(lf_i128 a, lf_i128 b) {
  lf_twords x = { a }, y = { b }, r;
  uint64_t a0 = x.s.lo & 0xFFFFFFFFu, a1 = x.s.lo >> 32, b0 = y.s.lo & 0xFFFFFFFFu, b1 = y.s.lo >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
  r.s.lo = (p00 & 0xFFFFFFFFu) | (mid << 32);
  r.s.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32) + x.s.lo * y.s.hi + x.s.hi * y.s.lo;
  return r.all;
}

#define EXPORT(name) __attribute__((export_name(name)))

static lf_layer layer;
static lf_layer_error error;
static char error_text[160];

/* Parses the blob in place (it must stay where it is): 0, or -1 with the refusal in lf_error. */
EXPORT("lf_parse") int32_t lf_parse(const uint8_t *blob, uint32_t len) {
  if (lf_layer_parse(blob, len, &layer, NULL, &error)) return 0;
  lf_layer_error_text(&error, error_text, sizeof error_text);
  return -1;
}

EXPORT("lf_error_field") const char *lf_error_field(void) { return error.field != NULL ? error.field : "layer"; }
EXPORT("lf_error_text") const char *lf_error_text(void) { return error_text; }
EXPORT("lf_input_len") uint32_t lf_input_len(void) { return (uint32_t)layer.input_len; }
EXPORT("lf_output_len") uint32_t lf_output_len(void) { return (uint32_t)layer.output_len; }
EXPORT("lf_persist_bytes") uint32_t lf_persist_bytes(void) { return (uint32_t)lf_layer_persist_bytes(&layer); }

/* 0, or the negative lf_status; the field it blames from lf_status_name. */
EXPORT("lf_prepare") int32_t lf_prepare(void *persist, uint32_t cap) { return lf_layer_prepare(&layer, persist, cap); }
EXPORT("lf_scratch_bytes") uint32_t lf_scratch_bytes(void) { return (uint32_t)lf_layer_scratch_bytes(&layer); }
EXPORT("lf_status_name") const char *lf_status_name(int32_t st) { return lf_status_field((lf_status)st); }

/* The SIMD path (what lf_layer_run runs here); 0 or a negative lf_status. */
EXPORT("lf_run") int32_t lf_run(const int8_t *input, int8_t *output, void *scratch, uint32_t scratch_cap) {
  return lf_layer_run(&layer, input, layer.input_len, output, layer.output_len, NULL, scratch, scratch_cap);
}

/* The portable reference eval in the same module, so tests hold the SIMD path to it here too. */
EXPORT("lf_run_ref") int32_t lf_run_ref(const int8_t *input, int8_t *output) {
  if (!layer.prepared) return LF_ERR_PERSIST;
  switch (layer.kind) {
    case LF_LAYER_CONV2D: lf_conv2d_eval_ref(&layer.plan.conv, input, output); return LF_OK;
    case LF_LAYER_DENSE: lf_dense_eval_ref(&layer.plan.dense, input, output); return LF_OK;
    case LF_LAYER_MAXPOOL: lf_maxpool_eval(&layer.plan.pool, input, output); return LF_OK;
  }
  return LF_ERR_KIND;
}
