/*
 * Host harness for the firmware kernels: runs ONE layer job read from stdin and writes the
 * layer's int8 output bytes to stdout, so the TypeScript tests can hold the C code to the
 * golden vectors. Only static buffers: the job is bounded like it would be on a device.
 *
 * Job format (version 1), all integers little-endian, no padding between fields:
 *
 *   off  size  field
 *     0     4  magic            "LFJB"
 *     4     2  version          u16 = 1
 *     6     1  kind             u8: 1 = conv2d, 2 = dense, 3 = maxpool
 *     7     1  padding          u8: 0 = valid, 1 = same (conv2d only; 0 otherwise)
 *     8     4  in_h             u32  conv2d/maxpool input height
 *    12     4  in_w             u32  conv2d/maxpool input width
 *    16     4  in_c             u32  conv2d/maxpool input channels
 *    20     4  kernel           u32  conv2d kernel size (square)
 *    24     4  stride           u32  conv2d stride
 *    28     4  filters          u32  conv2d output channels
 *    32     4  pool_size        u32  fused (conv2d) or standalone (maxpool) pool; 0 = none
 *    36     4  pool_stride      u32
 *    40     4  inputs           u32  dense inputs
 *    44     4  units            u32  dense units
 *    48     4  input_zp         i32
 *    52     4  output_zp        i32
 *    56     4  activation_min   i32  output zero point with relu, else -128
 *    60        then five sections, each a u32 element count followed by the elements:
 *              weights      int8  (OHWI conv, [units][inputs] dense; count 0 for maxpool)
 *              bias         int32 (one per output channel; 0 for maxpool)
 *              multipliers  int32
 *              shifts       int32
 *              input        int8  (HWC)
 *              and nothing after the input.
 *
 * Fields a kind does not use must still be present (any value). Exit status: 0 with the output
 * on stdout; 2 with one line "golden-runner: <field>: <reason>" on stderr for any malformed
 * job (bad magic, truncation, lengths inconsistent with the shape, over the static limits);
 * 1 only for I/O failures on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_kernels.h"

#define JOB_MAX_BYTES (256u * 1024u)
#define OUT_MAX_BYTES (256u * 1024u)
#define CHANNELS_MAX LF_MAX_DIM
#define HEADER_BYTES 60u

static unsigned char job[JOB_MAX_BYTES + 1u];
static int8_t out[OUT_MAX_BYTES];
static int32_t bias[CHANNELS_MAX];
static int32_t multipliers[CHANNELS_MAX];
static int32_t shifts[CHANNELS_MAX];

static _Noreturn void fail(const char *field, const char *reason, unsigned long a, unsigned long b) {
  fprintf(stderr, "golden-runner: %s: ", field);
  fprintf(stderr, reason, a, b);
  fputc('\n', stderr);
  exit(2);
}

typedef struct {
  const unsigned char *p;
  size_t left;
} cursor;

static uint32_t rd_u32(cursor *c, const char *field) {
  if (c->left < 4) fail(field, "truncated (%lu of %lu bytes)", (unsigned long)c->left, 4ul);
  uint32_t v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
  c->p += 4;
  c->left -= 4;
  return v;
}

/* Two's-complement decode without relying on the implementation-defined unsigned->signed cast. */
static int32_t as_i32(uint32_t u) {
  return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

static const int8_t *rd_i8s(cursor *c, const char *field, size_t *n) {
  uint32_t count = rd_u32(c, field);
  if (count > c->left) fail(field, "truncated (count %lu, %lu bytes left)", (unsigned long)count, (unsigned long)c->left);
  /* int8_t is exactly 8 bits two's complement (C11 7.20.1.1), so the bytes are the values. */
  const int8_t *v = (const int8_t *)(const void *)c->p;
  c->p += count;
  c->left -= count;
  *n = count;
  return v;
}

static size_t rd_i32s(cursor *c, const char *field, int32_t *dst) {
  uint32_t count = rd_u32(c, field);
  if (count > CHANNELS_MAX) fail(field, "count %lu over the static limit %lu", (unsigned long)count, (unsigned long)CHANNELS_MAX);
  if ((size_t)count * 4u > c->left) fail(field, "truncated (count %lu, %lu bytes left)", (unsigned long)count, (unsigned long)c->left);
  for (uint32_t i = 0; i < count; i++) dst[i] = as_i32(rd_u32(c, field));
  return count;
}

static void check(lf_status st, size_t weights_n, size_t bias_n, size_t mult_n, size_t shift_n, size_t input_n) {
  if (st == LF_OK) return;
  const char *field = lf_status_field(st);
  size_t n = st == LF_ERR_WEIGHTS ? weights_n : st == LF_ERR_BIAS ? bias_n : st == LF_ERR_MULTIPLIERS ? mult_n
           : st == LF_ERR_SHIFTS ? shift_n : st == LF_ERR_INPUT ? input_n : 0;
  if (st == LF_ERR_OUTPUT) fail(field, "larger than the static limit of %lu bytes%.0lu", (unsigned long)OUT_MAX_BYTES, 0ul);
  if (st == LF_ERR_MULTIPLIERS || st == LF_ERR_SHIFTS)
    fail(field, "length %lu inconsistent with the layer, or a value out of range%.0lu", (unsigned long)n, 0ul);
  if (n != 0 || st == LF_ERR_WEIGHTS || st == LF_ERR_BIAS || st == LF_ERR_INPUT)
    fail(field, "length %lu inconsistent with the layer shape%.0lu", (unsigned long)n, 0ul);
  fail(field, "invalid value (status %lu)%.0lu", (unsigned long)(-(long)st), 0ul);
}

int main(void) {
  size_t len = fread(job, 1, sizeof job, stdin);
  if (ferror(stdin)) fail("stdin", "read error%.0lu%.0lu", 0ul, 0ul);
  if (len > JOB_MAX_BYTES) fail("job", "larger than the static limit of %lu bytes%.0lu", (unsigned long)JOB_MAX_BYTES, 0ul);
  if (len < 4 || memcmp(job, "LFJB", 4) != 0) fail("magic", "not \"LFJB\"%.0lu%.0lu", 0ul, 0ul);
  if (len < HEADER_BYTES) fail("header", "truncated (%lu of %lu bytes)", (unsigned long)len, (unsigned long)HEADER_BYTES);
  unsigned version = (unsigned)job[4] | (unsigned)job[5] << 8;
  if (version != 1) fail("version", "%lu, expected %lu", (unsigned long)version, 1ul);
  unsigned kind = job[6], padding = job[7];
  cursor c = { job + 8, len - 8 };
  uint32_t in_h = rd_u32(&c, "in_h"), in_w = rd_u32(&c, "in_w"), in_c = rd_u32(&c, "in_c");
  uint32_t kernel = rd_u32(&c, "kernel"), stride = rd_u32(&c, "stride"), filters = rd_u32(&c, "filters");
  uint32_t pool_size = rd_u32(&c, "pool_size"), pool_stride = rd_u32(&c, "pool_stride");
  uint32_t inputs = rd_u32(&c, "inputs"), units = rd_u32(&c, "units");
  int32_t input_zp = as_i32(rd_u32(&c, "input_zp")), output_zp = as_i32(rd_u32(&c, "output_zp"));
  int32_t act_min = as_i32(rd_u32(&c, "activation_min"));
  size_t weights_n, input_n;
  const int8_t *weights = rd_i8s(&c, "weights", &weights_n);
  size_t bias_n = rd_i32s(&c, "bias", bias);
  size_t mult_n = rd_i32s(&c, "multipliers", multipliers);
  size_t shift_n = rd_i32s(&c, "shifts", shifts);
  const int8_t *input = rd_i8s(&c, "input", &input_n);
  if (c.left != 0) fail("job", "%lu trailing bytes after input%.0lu", (unsigned long)c.left, 0ul);

  lf_channel_params ch = { bias, bias_n, multipliers, mult_n, shifts, shift_n };
  size_t out_n = 0;
  lf_status st;
  if (kind == 1) {
    if (padding > 1) fail("padding", "%lu is neither 0 (valid) nor 1 (same)%.0lu", (unsigned long)padding, 0ul);
    lf_conv2d_params p = { in_h, in_w, in_c, kernel, stride, filters, padding == 1 ? LF_PADDING_SAME : LF_PADDING_VALID,
                           pool_size, pool_stride, input_zp, output_zp, act_min };
    st = lf_conv2d_s8(&p, weights, weights_n, &ch, input, input_n, out, sizeof out, &out_n);
  } else if (kind == 2) {
    lf_dense_params p = { inputs, units, input_zp, output_zp, act_min };
    st = lf_dense_s8(&p, weights, weights_n, &ch, input, input_n, out, sizeof out, &out_n);
  } else if (kind == 3) {
    if (weights_n != 0) check(LF_ERR_WEIGHTS, weights_n, 0, 0, 0, 0);
    if (bias_n != 0) check(LF_ERR_BIAS, 0, bias_n, 0, 0, 0);
    if (mult_n != 0) check(LF_ERR_MULTIPLIERS, 0, 0, mult_n, 0, 0);
    if (shift_n != 0) check(LF_ERR_SHIFTS, 0, 0, 0, shift_n, 0);
    st = lf_maxpool_s8(in_h, in_w, in_c, pool_size, pool_stride, input, input_n, out, sizeof out, &out_n);
  } else {
    fail("kind", "%lu is not 1 (conv2d), 2 (dense) or 3 (maxpool)%.0lu", (unsigned long)kind, 0ul);
    return 2;
  }
  check(st, weights_n, bias_n, mult_n, shift_n, input_n);
  if (fwrite(out, 1, out_n, stdout) != out_n || fflush(stdout) != 0) {
    fprintf(stderr, "golden-runner: stdout: write failed\n");
    return 1;
  }
  return 0;
}
