/*
 * Host harness for the firmware kernels: runs ONE layer job read from stdin and writes the
 * layer's int8 output bytes to stdout, so the TypeScript tests can hold the C code to the
 * golden vectors. The layer goes through lf_layer_parse/lf_layer_run, the same path a layer
 * sent to a board takes. Only static buffers: the job is bounded like it would be on a device.
 *
 * Job format, all integers little-endian, no padding between fields:
 *
 *   an LFLY layer blob (docs/serial-protocol.md, "Layer blob"):
 *     off  size  field
 *       0     4  magic            "LFLY"
 *       4     2  version          u16 = 1
 *       6     1  kind             u8: 1 = conv2d, 2 = dense, 3 = maxpool
 *       7     1  padding          u8: 0 = valid, 1 = same (conv2d only)
 *       8  4x10  in_h, in_w, in_c, kernel, stride, filters, pool_size, pool_stride, inputs,
 *                units            u32 each
 *      48   4x3  input_zp, output_zp, activation_min   i32 each
 *      60        four sections, each a u32 element count followed by the elements:
 *                bias         int32 (one per output channel; empty for maxpool)
 *                multipliers  int32
 *                shifts       int32
 *                weights      int8  (OHWI conv, [units][inputs] dense; empty for maxpool)
 *   then one more section:
 *                input        int8  (HWC), u32 count then the bytes
 *   and nothing after the input.
 *
 * Fields a kind does not use must still be present (any value). Exit status: 0 with the output
 * on stdout; 2 with one line "golden-runner: <field>: <reason>" on stderr for any malformed
 * job (bad magic, truncation, lengths inconsistent with the shape, over the static limits);
 * 1 only for I/O failures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lf_kernels.h"
#include "lf_layer.h"

#define JOB_MAX_BYTES (256u * 1024u)
#define OUT_MAX_BYTES (256u * 1024u)

/* 32-bit words, so the blob's int32 sections can be read in place (see lf_firmware.c's
   arena); one spare word so a job over the limit is seen rather than silently cut. */
static uint32_t job_words[JOB_MAX_BYTES / 4u + 1u];
static int8_t out[OUT_MAX_BYTES];
/* The prepared layer's state: per-channel constants, 12 bytes for each of at most 4096. */
static uint32_t persist_words[4096u * 3u];

static _Noreturn void fail(const char *field, const char *reason) {
  fprintf(stderr, "golden-runner: %s: %s\n", field, reason);
  exit(2);
}

static _Noreturn void fail_n(const char *field, const char *reason, unsigned long a, unsigned long b) {
  char text[160];
  snprintf(text, sizeof text, reason, a, b);
  fail(field, text);
}

static uint32_t rd_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(void) {
  uint8_t *job = (uint8_t *)job_words;
  size_t len = fread(job, 1, sizeof job_words, stdin);
  if (ferror(stdin)) {
    fprintf(stderr, "golden-runner: stdin: read error\n");
    return 1;
  }
  if (len > JOB_MAX_BYTES) fail_n("job", "larger than the static limit of %lu bytes%.0lu", JOB_MAX_BYTES, 0);

  lf_layer layer;
  lf_layer_error err;
  size_t blob_len;
  if (!lf_layer_parse(job, len, &layer, &blob_len, &err)) {
    char text[160];
    lf_layer_error_text(&err, text, sizeof text);
    fail(err.field, text);
  }

  size_t left = len - blob_len;
  if (left < 4) fail_n("input", "truncated (%lu of %lu bytes)", left, 4);
  uint32_t count = rd_u32(job + blob_len);
  left -= 4;
  if (count > left) fail_n("input", "truncated (count %lu, %lu bytes left)", count, left);
  if (count < left) fail_n("job", "%lu trailing bytes after input%.0lu", left - count, 0);
  /* int8_t is exactly 8-bit two's complement (C11 7.20.1.1): the bytes are the values. */
  const int8_t *input = (const int8_t *)(const void *)(job + blob_len + 4);

  lf_status st = lf_layer_prepare(&layer, persist_words, sizeof persist_words);
  if (st != LF_OK) fail_n(lf_status_field(st), "refused by the kernel's prepare (status %lu)%.0lu", (unsigned long)(-(long)st), 0);
  size_t out_n = 0;
  st = lf_layer_run(&layer, input, count, out, sizeof out, &out_n, NULL, 0);
  if (st == LF_ERR_INPUT) fail_n("input", "length %lu inconsistent with the layer shape (%lu expected)", count, layer.input_len);
  if (st == LF_ERR_OUTPUT) fail_n("output", "larger than the static limit of %lu bytes%.0lu", OUT_MAX_BYTES, 0);
  if (st != LF_OK) fail_n(lf_status_field(st), "refused by the kernel (status %lu)%.0lu", (unsigned long)(-(long)st), 0);
  if (fwrite(out, 1, out_n, stdout) != out_n || fflush(stdout) != 0) {
    fprintf(stderr, "golden-runner: stdout: write failed\n");
    return 1;
  }
  return 0;
}
