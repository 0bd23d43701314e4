/*
 * LFLY blobs: everything about a layer is checked here, once, so that lf_layer_run and the
 * kernels it calls never meet a length they have not already agreed to.
 */
#include "lf_layer.h"

#include <string.h>

/* The int32 sections are read in place, in the target's own byte order. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "LFLY blobs are little-endian and read in place: big-endian targets are not supported"
#endif

/* Compilers without __BYTE_ORDER__ are caught on the first parse instead of at build time. */
static bool little_endian(void) {
  const uint32_t one = 1;
  uint8_t first;
  memcpy(&first, &one, 1);
  return first == 1;
}

static uint32_t rd_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Two's complement without the implementation-defined unsigned-to-signed conversion. */
static int32_t as_i32(uint32_t u) {
  return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

static uint32_t clamp_u32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

static bool refuse(lf_layer_error *err, const char *field, const char *reason, uint64_t a, uint64_t b) {
  if (err != NULL) {
    err->field = field;
    err->reason = reason;
    err->a = clamp_u32(a);
    err->b = clamp_u32(b);
  }
  return false;
}

typedef struct {
  const uint8_t *base;
  size_t off, len;
} cursor;

/* One section: a u32 element count, then count elements of elem bytes each. */
static bool section(cursor *c, const char *name, size_t elem, size_t *count, size_t *at, lf_layer_error *err) {
  size_t left = c->len - c->off;
  if (left < 4) return refuse(err, name, "truncated (%u of %u bytes)", left, 4);
  uint32_t n = rd_u32(c->base + c->off);
  c->off += 4;
  left -= 4;
  if (n > left / elem) return refuse(err, name, "truncated (count %u, %u bytes left)", n, left);
  *count = n;
  *at = c->off;
  c->off += (size_t)n * elem;
  return true;
}

static const int32_t *i32_at(const uint8_t *blob, size_t at) {
  /* Aligned: the blob base is 4-aligned and every int32 section starts at a multiple of 4. */
  return (const int32_t *)(const void *)(blob + at);
}

static bool shape_refused(lf_status st, lf_layer_error *err) {
  return refuse(err, lf_status_field(st), "inconsistent or out of range (kernel status %u)", (uint64_t)(-(int64_t)st), 0);
}

/* Per-channel constants: the counts match the channels and every value is one the kernels take
   (same limits as the kernels' own check, done here so a run cannot fail on them later). */
static bool check_channels(const lf_channel_params *ch, size_t channels, lf_layer_error *err) {
  if (ch->bias_len != channels) return refuse(err, "bias", "length %u inconsistent with the layer shape (%u expected)", ch->bias_len, channels);
  if (ch->multipliers_len != channels)
    return refuse(err, "multipliers", "length %u inconsistent with the layer shape (%u expected)", ch->multipliers_len, channels);
  if (ch->shifts_len != channels) return refuse(err, "shifts", "length %u inconsistent with the layer shape (%u expected)", ch->shifts_len, channels);
  for (size_t c = 0; c < channels; c++) {
    if (ch->multipliers[c] < 0) return refuse(err, "multipliers", "negative value at index %u", c, 0);
    if (ch->shifts[c] < -31 || ch->shifts[c] > 30) return refuse(err, "shifts", "value outside [-31, 30] at index %u", c, 0);
  }
  return true;
}

static bool check_weights(size_t have, uint64_t want, lf_layer_error *err) {
  if (have != want) return refuse(err, "weights", "length %u inconsistent with the layer shape (%u expected)", have, want);
  return true;
}

static uint64_t mul_sat(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

static bool parse_conv(lf_layer *l, uint8_t padding, lf_layer_error *err) {
  if (padding > 1) return refuse(err, "padding", "%u is neither 0 (valid) nor 1 (same)", padding, 0);
  l->conv.padding = padding == 1 ? LF_PADDING_SAME : LF_PADDING_VALID;
  lf_conv2d_geometry g;
  lf_status st = lf_conv2d_geometry_of(&l->conv, &g);
  if (st != LF_OK) return shape_refused(st, err);
  if (!check_weights(l->weights_len, g.weights_len, err) || !check_channels(&l->ch, l->conv.filters, err)) return false;
  l->input_len = g.input_len;
  l->output_len = g.output_len;
  l->macs = mul_sat((uint64_t)g.conv_h * g.conv_w, g.weights_len);
  return true;
}

static bool parse_dense(lf_layer *l, lf_layer_error *err) {
  const lf_dense_params *p = &l->dense;
  lf_status st = lf_dense_check(p);
  if (st != LF_OK) return shape_refused(st, err);
  uint64_t w = (uint64_t)p->inputs * p->units;
  if (!check_weights(l->weights_len, w, err) || !check_channels(&l->ch, p->units, err)) return false;
  l->input_len = p->inputs;
  l->output_len = p->units;
  l->macs = w;
  return true;
}

static bool parse_maxpool(lf_layer *l, lf_layer_error *err) {
  lf_maxpool_plan plan;
  lf_status st = lf_maxpool_prepare(&l->pool, &plan);
  if (st != LF_OK) return shape_refused(st, err);
  if (l->ch.bias_len != 0) return refuse(err, "bias", "must be empty for maxpool (count %u)", l->ch.bias_len, 0);
  if (l->ch.multipliers_len != 0) return refuse(err, "multipliers", "must be empty for maxpool (count %u)", l->ch.multipliers_len, 0);
  if (l->ch.shifts_len != 0) return refuse(err, "shifts", "must be empty for maxpool (count %u)", l->ch.shifts_len, 0);
  if (l->weights_len != 0) return refuse(err, "weights", "must be empty for maxpool (count %u)", l->weights_len, 0);
  l->input_len = plan.input_len;
  l->output_len = plan.output_len;
  l->macs = 0;
  return true;
}

bool lf_layer_parse(const uint8_t *blob, size_t len, lf_layer *out, size_t *blob_len, lf_layer_error *err) {
  if (!little_endian()) return refuse(err, "endian", "this target is big-endian; blobs are read in place as little-endian", 0, 0);
  if (blob == NULL || out == NULL) return refuse(err, "pointer", "NULL", 0, 0);
  if (((uintptr_t)(const void *)blob & 3u) != 0) return refuse(err, "align", "blob not stored at a 4-byte aligned address", 0, 0);
  if (len < 4 || memcmp(blob, LF_LAYER_MAGIC, 4) != 0) return refuse(err, "magic", "not \"LFLY\"", 0, 0);
  if (len < LF_LAYER_HEADER_BYTES) return refuse(err, "header", "truncated (%u of %u bytes)", len, LF_LAYER_HEADER_BYTES);
  unsigned version = (unsigned)blob[4] | (unsigned)blob[5] << 8;
  if (version != LF_LAYER_VERSION) return refuse(err, "version", "%u, expected %u", version, LF_LAYER_VERSION);
  uint8_t kind = blob[6];
  if (kind < LF_LAYER_CONV2D || kind > LF_LAYER_MAXPOOL)
    return refuse(err, "kind", "%u is not 1 (conv2d), 2 (dense) or 3 (maxpool)", kind, 0);

  lf_layer l;
  memset(&l, 0, sizeof l);
  l.kind = (lf_layer_kind)kind;
  uint32_t u[10];
  for (size_t i = 0; i < 10; i++) u[i] = rd_u32(blob + 8 + 4 * i);
  int32_t izp = as_i32(rd_u32(blob + 48)), ozp = as_i32(rd_u32(blob + 52)), amin = as_i32(rd_u32(blob + 56));
  /* The blob carries the clamp's lower end only; its upper end is 127, as the TS kernels'
     activationRange gives for every layer they have (relu6 would need a blob field). */
  const int32_t amax = 127;
  l.conv = (lf_conv2d_params){ u[0], u[1], u[2], u[3], u[4], u[5], LF_PADDING_VALID, u[6], u[7], izp, ozp, amin, amax };
  l.dense = (lf_dense_params){ u[8], u[9], izp, ozp, amin, amax };
  l.pool = (lf_maxpool_params){ u[0], u[1], u[2], u[6], u[7] };

  cursor c = { blob, LF_LAYER_HEADER_BYTES, len };
  size_t at_bias, at_mult, at_shift, at_w;
  if (!section(&c, "bias", 4, &l.ch.bias_len, &at_bias, err) || !section(&c, "multipliers", 4, &l.ch.multipliers_len, &at_mult, err) ||
      !section(&c, "shifts", 4, &l.ch.shifts_len, &at_shift, err) || !section(&c, "weights", 1, &l.weights_len, &at_w, err))
    return false;
  if (blob_len == NULL && c.off != len) return refuse(err, "blob", "%u bytes after the weights", len - c.off, 0);
  l.ch.bias = i32_at(blob, at_bias);
  l.ch.multipliers = i32_at(blob, at_mult);
  l.ch.shifts = i32_at(blob, at_shift);
  /* int8_t is exactly 8-bit two's complement (C11 7.20.1.1): the bytes are the values. */
  l.weights = (const int8_t *)(const void *)(blob + at_w);

  bool ok = kind == LF_LAYER_CONV2D ? parse_conv(&l, blob[7], err) : kind == LF_LAYER_DENSE ? parse_dense(&l, err) : parse_maxpool(&l, err);
  if (!ok) return false;
  *out = l;
  if (blob_len != NULL) *blob_len = c.off;
  return true;
}

size_t lf_layer_persist_bytes(const lf_layer *l) {
  if (l == NULL) return 0;
  switch (l->kind) {
    case LF_LAYER_CONV2D: return lf_conv2d_persist_bytes(&l->conv);
    case LF_LAYER_DENSE: return lf_dense_persist_bytes(&l->dense);
    case LF_LAYER_MAXPOOL: return 0;
  }
  return 0;
}

lf_status lf_layer_prepare(lf_layer *l, void *persist, size_t persist_cap) {
  if (l == NULL) return LF_ERR_NULL;
  lf_status st;
  l->prepared = false;
  switch (l->kind) {
    case LF_LAYER_CONV2D:
      st = lf_conv2d_prepare(&l->conv, l->weights, l->weights_len, &l->ch, persist, persist_cap, &l->plan.conv);
      break;
    case LF_LAYER_DENSE:
      st = lf_dense_prepare(&l->dense, l->weights, l->weights_len, &l->ch, persist, persist_cap, &l->plan.dense);
      break;
    case LF_LAYER_MAXPOOL:
      st = lf_maxpool_prepare(&l->pool, &l->plan.pool);
      break;
    default:
      return LF_ERR_KIND;
  }
  l->prepared = st == LF_OK;
  return st;
}

size_t lf_layer_scratch_bytes(const lf_layer *l) {
  if (l == NULL || !l->prepared) return 0;
  return l->kind == LF_LAYER_CONV2D ? l->plan.conv.scratch_bytes : l->kind == LF_LAYER_DENSE ? l->plan.dense.scratch_bytes : 0;
}

lf_status lf_layer_run(const lf_layer *l, const int8_t *input, size_t input_len,
                       int8_t *output, size_t output_cap, size_t *output_len, void *scratch, size_t scratch_cap) {
  if (l == NULL || input == NULL || output == NULL) return LF_ERR_NULL;
  if (!l->prepared) return LF_ERR_PERSIST;
  if (input_len != l->input_len) return LF_ERR_INPUT;
  if (output_cap < l->output_len) return LF_ERR_OUTPUT;
  size_t need = lf_layer_scratch_bytes(l);
  if (need != 0 && (scratch == NULL || scratch_cap < need)) return LF_ERR_SCRATCH;
  switch (l->kind) {
    case LF_LAYER_CONV2D:
      lf_conv2d_eval(&l->plan.conv, input, output, scratch);
      break;
    case LF_LAYER_DENSE:
      lf_dense_eval(&l->plan.dense, input, output, scratch);
      break;
    case LF_LAYER_MAXPOOL:
      lf_maxpool_eval(&l->plan.pool, input, output);
      break;
    default:
      /* Not reachable through lf_layer_parse; named rather than blamed on a pointer. */
      return LF_ERR_KIND;
  }
  if (output_len != NULL) *output_len = l->output_len;
  return LF_OK;
}

uint64_t lf_layer_macs(const lf_layer *layer) { return layer == NULL ? 0 : layer->macs; }

/* Decimal without printf: newlib-nano's formatter would cost more flash than the whole core. */
static size_t put_u32(char *out, size_t o, size_t cap, uint32_t v) {
  char digits[10];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0);
  while (n > 0 && o + 1 < cap) out[o++] = digits[--n];
  return o;
}

size_t lf_layer_error_text(const lf_layer_error *err, char *out, size_t cap) {
  if (out == NULL || cap == 0) return 0;
  size_t o = 0;
  unsigned used = 0;
  const char *r = err != NULL && err->reason != NULL ? err->reason : "invalid";
  for (size_t i = 0; r[i] != '\0' && o + 1 < cap; i++) {
    if (r[i] == '%' && r[i + 1] == 'u') {
      if (used < 2) o = put_u32(out, o, cap, used == 0 ? err->a : err->b);
      used++;
      i++;
    } else {
      out[o++] = r[i];
    }
  }
  out[o] = '\0';
  return o;
}
