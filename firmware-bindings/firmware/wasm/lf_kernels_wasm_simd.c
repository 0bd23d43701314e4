/*
 * WebAssembly SIMD inner loops for conv2d and fully connected (lf_target.h), the layout
 * XNNPACK's qs8 GEMM microkernels and CMSIS-NN use, written for this codebase:
 *
 * - prepare packs each group of four output channels' weight rows into blocks of eight taps:
 *   [group][block][channel 0..3][8 int8], zero beyond the last tap and the last channel;
 * - eval gathers each output pixel's receptive field into one contiguous int8 row (im2col,
 *   from an input copy padded with the input zero point, so the folded bias holds), then for
 *   two pixels and four channels at a time widens eight int8 to int16 on load
 *   (i16x8.load8x8_s) and accumulates with i32x4.dot_i16x8_s: eight MACs per instruction;
 * - four lane sums per channel are reduced once per output, and the four channels of a group
 *   requantised together with the reference's integers (requantize4 shows why they are the
 *   same), in operations x86 and Arm have natively: 32x32 -> 64-bit unsigned multiplies, shifts
 *   by a constant, and the per-channel right shift done as a multiply by 2^(31−right) (SIMD has
 *   no per-lane shift count); the constants are laid out per group in prepare (rq_block).
 *
 * Accumulation is wrapping int32 as in the reference; a product of two int8 and the sum of
 * two such products fit int32 exactly, so every partial sum equals the reference modulo 2^32.
 */
#include <wasm_simd128.h>

#include "lf_requantize.h"
#include "lf_target.h"

#define KB 8u /* taps per block */
#define NR 4u /* channels per group */

static size_t k_padded(size_t k) { return (k + KB - 1u) & ~(size_t)(KB - 1u); }
static size_t groups_of(size_t rows) { return (rows + NR - 1u) / NR; }
static size_t align16(size_t n) { return (n + 15u) & ~(size_t)15u; }

/*
 * One group's requantisation constants, lanes = its four channels (a missing channel gets
 * constants that give 0, and is never stored): bias and Q31 multiplier, 2^left, the rounding
 * term 2^(right−1) (0 when right is 0) and 2^(31−right).
 */
typedef struct {
  v128_t bias, multiplier, left_factor, round, right_factor;
} rq_block;

/* Packed weights first ([group][block][channel][8]), then one rq_block per group. */
size_t lf_simd_packed_bytes(size_t rows, size_t k) { return groups_of(rows) * (NR * k_padded(k) + sizeof(rq_block)); }

static const rq_block *rq_blocks(const int8_t *packed, size_t rows, size_t k) {
  return (const rq_block *)(const void *)(packed + groups_of(rows) * NR * k_padded(k));
}

void lf_simd_pack(const int8_t *w, size_t rows, size_t k, const lf_channel_plan *ch, int8_t *out) {
  const size_t kp = k_padded(k);
  int8_t *o = out;
  for (size_t g = 0; g < groups_of(rows); g++)
    for (size_t b = 0; b < kp; b += KB)
      for (size_t j = 0; j < NR; j++)
        for (size_t i = 0; i < KB; i++) {
          size_t r = g * NR + j, t = b + i;
          *o++ = r < rows && t < k ? w[r * k + t] : 0;
        }
  rq_block *q = (rq_block *)(void *)(out + groups_of(rows) * NR * kp);
  for (size_t g = 0; g < groups_of(rows); g++, q++) {
    int32_t bias[NR], mult[NR], left[NR];
    uint32_t round[NR], right[NR];
    for (size_t j = 0; j < NR; j++) {
      const size_t r = g * NR + j;
      const lf_channel_plan c = r < rows ? ch[r] : (lf_channel_plan){ 0, 0, 0, 0, { 0, 0 } };
      bias[j] = c.bias;
      mult[j] = c.multiplier;
      left[j] = lf_wrap_i32(1u << c.left);
      round[j] = c.right == 0 ? 0u : 1u << (c.right - 1u);
      right[j] = 1u << (31u - c.right);
    }
    q->bias = wasm_v128_load(bias);
    q->multiplier = wasm_v128_load(mult);
    q->left_factor = wasm_v128_load(left);
    q->round = wasm_v128_load(round);
    q->right_factor = wasm_v128_load(right);
  }
}

/* [Σ a0, Σ a1, Σ a2, Σ a3] of four i32x4. */
static inline v128_t hsum4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  v128_t t0 = wasm_i32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 1, 4, 5), wasm_i32x4_shuffle(a0, a1, 2, 3, 6, 7));
  v128_t t1 = wasm_i32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 1, 4, 5), wasm_i32x4_shuffle(a2, a3, 2, 3, 6, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(t0, t1, 0, 2, 4, 6), wasm_i32x4_shuffle(t0, t1, 1, 3, 5, 7));
}

#define DOT(acc, x, w) acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(x, w))

/* Two rows of kp taps against one packed group: the four channels' sums for each row. */
static inline void micro_2x4(const int8_t *a0, const int8_t *a1, const int8_t *w, size_t kp, v128_t *r0, v128_t *r1) {
  v128_t c00 = wasm_i32x4_splat(0), c01 = c00, c02 = c00, c03 = c00;
  v128_t c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  for (size_t t = 0; t < kp; t += KB, w += NR * KB) {
    v128_t x0 = wasm_i16x8_load8x8(a0 + t), x1 = wasm_i16x8_load8x8(a1 + t);
    v128_t w0 = wasm_i16x8_load8x8(w), w1 = wasm_i16x8_load8x8(w + 8);
    v128_t w2 = wasm_i16x8_load8x8(w + 16), w3 = wasm_i16x8_load8x8(w + 24);
    DOT(c00, x0, w0); DOT(c01, x0, w1); DOT(c02, x0, w2); DOT(c03, x0, w3);
    DOT(c10, x1, w0); DOT(c11, x1, w1); DOT(c12, x1, w2); DOT(c13, x1, w3);
  }
  *r0 = hsum4(c00, c01, c02, c03);
  *r1 = hsum4(c10, c11, c12, c13);
}

static inline v128_t micro_1x4(const int8_t *a0, const int8_t *w, size_t kp) {
  v128_t c0 = wasm_i32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (size_t t = 0; t < kp; t += KB, w += NR * KB) {
    v128_t x0 = wasm_i16x8_load8x8(a0 + t);
    DOT(c0, x0, wasm_i16x8_load8x8(w)); DOT(c1, x0, wasm_i16x8_load8x8(w + 8));
    DOT(c2, x0, wasm_i16x8_load8x8(w + 16)); DOT(c3, x0, wasm_i16x8_load8x8(w + 24));
  }
  return hsum4(c0, c1, c2, c3);
}

/*
 * The reference's lf_requantize on four channels, on magnitudes. With x = wrap(acc·2^left),
 * m ≥ 0 the multiplier and s = sign(x):
 *   lf_srdhm(x, m)  = (x·m ± nudge) / 2^31 truncated = s·h with h = ⌊(|x|·m + 2^30 − [x<0]) / 2^31⌋
 *   lf_rdbpot(s·h, e) rounds half away from zero  = s·⌊(h + 2^(e−1)) / 2^e⌋ (= s·h for e = 0)
 * |x|·m < 2^62 and h < 2^31, so every step is exact in unsigned 64-bit lanes; ⌊v / 2^e⌋ is
 * (v·2^(31−e)) >> 31. Then the zero point and the clamp (|r| is cut to 512 first so the int32
 * add cannot wrap; the final clamp is within ±128 of the zero point, so nothing changes).
 */
static inline v128_t requantize4(v128_t sums, const rq_block *q, v128_t zp, v128_t lo, v128_t hi) {
  const v128_t x = wasm_i32x4_mul(wasm_i32x4_add(sums, q->bias), q->left_factor);  /* wrapping */
  const v128_t neg = wasm_i32x4_lt(x, wasm_i32x4_splat(0));
  const v128_t ax = wasm_i32x4_abs(x);  /* INT32_MIN stays 2^31 read unsigned */
  const v128_t nudge = wasm_i64x2_splat(INT64_C(1) << 30);
  const v128_t t_lo = wasm_i64x2_add(wasm_i64x2_add(wasm_u64x2_extmul_low_u32x4(ax, q->multiplier), nudge), wasm_i64x2_extend_low_i32x4(neg));
  const v128_t t_hi = wasm_i64x2_add(wasm_i64x2_add(wasm_u64x2_extmul_high_u32x4(ax, q->multiplier), nudge), wasm_i64x2_extend_high_i32x4(neg));
  const v128_t h = wasm_i32x4_shuffle(wasm_u64x2_shr(t_lo, 31), wasm_u64x2_shr(t_hi, 31), 0, 2, 4, 6);
  const v128_t v = wasm_i32x4_add(h, q->round);  /* < 2^31 + 2^30: fits unsigned 32 bits */
  const v128_t r_lo = wasm_u64x2_shr(wasm_u64x2_extmul_low_u32x4(v, q->right_factor), 31);
  const v128_t r_hi = wasm_u64x2_shr(wasm_u64x2_extmul_high_u32x4(v, q->right_factor), 31);
  v128_t r = wasm_i32x4_shuffle(r_lo, r_hi, 0, 2, 4, 6);
  r = wasm_i32x4_min(r, wasm_i32x4_splat(512));
  r = wasm_i32x4_sub(wasm_v128_xor(r, neg), neg);  /* s·r */
  return wasm_i32x4_max(wasm_i32x4_min(wasm_i32x4_add(r, zp), hi), lo);
}

/* Channels c0..c0+3 (those below n) of one output: requantise, clamp, store. */
static inline void store_group(int8_t *dst, v128_t sums, const rq_block *q, size_t c0, size_t n, v128_t zp, v128_t lo, v128_t hi) {
  const v128_t v = requantize4(sums, q, zp, lo, hi);
  const v128_t bytes = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(v, v), wasm_i16x8_narrow_i32x4(v, v));
  if (n - c0 >= NR) {
    wasm_v128_store32_lane(dst + c0, bytes, 0);
    return;
  }
  int8_t b[16];
  wasm_v128_store(b, bytes);
  for (size_t j = 0; c0 + j < n; j++) dst[c0 + j] = b[j];
}

/* Exact copy of n bytes. */
static void copy_bytes(int8_t *dst, const int8_t *src, size_t n) {
  size_t i = 0;
  for (; i + 16u <= n; i += 16u) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

/* Copy of n bytes in whole 16-byte moves: reads and writes up to 15 bytes beyond n, which the
   callers' buffers have room for (SLACK) and which later copies or zero weights make harmless. */
#define SLACK 16u
static inline void copy_over(int8_t *dst, const int8_t *src, size_t n) {
  for (size_t i = 0; i < n; i += 16u) wasm_v128_store(dst + i, wasm_v128_load(src + i));
}

/*
 * Scratch of a conv: the zero-point-padded input (when the layer pads), one output row's
 * receptive fields, and the conv map before the pool (when one is fused).
 */
typedef struct {
  size_t padded_h, padded_w, padded, patches, map;
} conv_scratch;

/* 1x1, stride 1, whole blocks: the input rows are the receptive fields already. */
static bool direct(const lf_conv2d_plan *pl) { return pl->p.kernel == 1 && pl->p.stride == 1 && pl->p.in_c % KB == 0; }

static conv_scratch conv_scratch_of(const lf_conv2d_plan *pl) {
  const lf_conv2d_params *p = &pl->p;
  conv_scratch s;
  s.padded_h = (size_t)(pl->g.conv_h - 1u) * p->stride + p->kernel;
  s.padded_w = (size_t)(pl->g.conv_w - 1u) * p->stride + p->kernel;
  /* Always a copy, so that the receptive fields can be gathered in whole 16-byte moves. */
  s.padded = align16(s.padded_h * s.padded_w * p->in_c + SLACK);
  s.patches = direct(pl) ? 0 : align16((size_t)pl->g.conv_w * k_padded((size_t)p->kernel * p->kernel * p->in_c) + SLACK);
  s.map = p->pool_size != 0 ? align16((size_t)pl->g.conv_h * pl->g.conv_w * p->filters) : 0;
  return s;
}

/* SIZE_MAX when the scratch would not be addressable here (wasm32), so prepare refuses it. */
size_t lf_conv2d_scratch_simd(const lf_conv2d_plan *pl) {
  const lf_conv2d_params *p = &pl->p;
  const uint64_t padded = ((uint64_t)(pl->g.conv_h - 1u) * p->stride + p->kernel) * ((uint64_t)(pl->g.conv_w - 1u) * p->stride + p->kernel) * p->in_c;
  const uint64_t patches = (uint64_t)pl->g.conv_w * (((uint64_t)p->kernel * p->kernel * p->in_c + KB - 1u) & ~(uint64_t)(KB - 1u));
  const uint64_t map = (uint64_t)pl->g.conv_h * pl->g.conv_w * p->filters;
  if (padded + patches + map + 4u * 64u > (uint64_t)SIZE_MAX / 2u) return SIZE_MAX;
  conv_scratch s = conv_scratch_of(pl);
  return s.padded + s.patches + s.map;
}

void lf_conv2d_eval_simd(const lf_conv2d_plan *pl, const int8_t *input, int8_t *output, void *scratch) {
  const lf_conv2d_params *p = &pl->p;
  const conv_scratch s = conv_scratch_of(pl);
  int8_t *padded = (int8_t *)scratch, *patches = padded + s.padded, *map = patches + s.patches;
  const size_t C = p->in_c, k = p->kernel, stride = p->stride, N = p->filters;
  const size_t K = k * k * C, kp = k_padded(K), row_len = k * C;
  const size_t conv_h = pl->g.conv_h, conv_w = pl->g.conv_w;
  const v128_t zp = wasm_i32x4_splat(p->output_zero_point), lo = wasm_i32x4_splat(p->activation_min), hi = wasm_i32x4_splat(p->activation_max);
  const rq_block *rq = rq_blocks(pl->packed, N, K);

  /* The image the taps read: a copy of the input inside a border of zero points (rows and
     columns no tap reads are left out). */
  {
    const size_t pt = pl->g.pad_top, pleft = pl->g.pad_left;
    const size_t rows = p->in_h < s.padded_h - pt ? p->in_h : s.padded_h - pt;
    const size_t cols = p->in_w < s.padded_w - pleft ? p->in_w : s.padded_w - pleft;
    if (pt != 0 || pleft != 0 || rows < s.padded_h || cols < s.padded_w)
      __builtin_memset(padded, p->input_zero_point, s.padded_h * s.padded_w * C);
    if (cols == p->in_w && pleft == 0 && s.padded_w == p->in_w)
      copy_bytes(padded + pt * s.padded_w * C, input, rows * p->in_w * C);
    else
      for (size_t y = 0; y < rows; y++) copy_bytes(padded + ((y + pt) * s.padded_w + pleft) * C, input + y * p->in_w * C, cols * C);
  }
  const int8_t *src = padded;
  const size_t src_w = s.padded_w;
  int8_t *dst = p->pool_size != 0 ? map : output;
  const size_t groups = groups_of(N);
  for (size_t oy = 0; oy < conv_h; oy++) {
    const int8_t *rows;
    size_t a_step;
    if (direct(pl)) {
      rows = src + oy * src_w * C;
      a_step = C;
    } else {
      for (size_t ox = 0; ox < conv_w; ox++) {
        const int8_t *field = src + (oy * stride * src_w + ox * stride) * C;
        int8_t *patch = patches + ox * kp;
        for (size_t ky = 0; ky < k; ky++) copy_over(patch + ky * row_len, field + ky * src_w * C, row_len);
      }
      rows = patches;
      a_step = kp;
    }
    int8_t *out_row = dst + oy * conv_w * N;
    for (size_t g = 0; g < groups; g++) {
      const int8_t *w = pl->packed + g * NR * kp;
      size_t ox = 0;
      for (; ox + 2u <= conv_w; ox += 2u) {
        v128_t r0, r1;
        micro_2x4(rows + ox * a_step, rows + (ox + 1u) * a_step, w, kp, &r0, &r1);
        store_group(out_row + ox * N, r0, &rq[g], g * NR, N, zp, lo, hi);
        store_group(out_row + (ox + 1u) * N, r1, &rq[g], g * NR, N, zp, lo, hi);
      }
      if (ox < conv_w) store_group(out_row + ox * N, micro_1x4(rows + ox * a_step, w, kp), &rq[g], g * NR, N, zp, lo, hi);
    }
  }
  if (p->pool_size != 0) {
    const lf_maxpool_plan pool = {
      { pl->g.conv_h, pl->g.conv_w, p->filters, p->pool_size, p->pool_stride }, pl->g.out_h, pl->g.out_w, 0, 0 };
    lf_maxpool_eval(&pool, map, output);
  }
}

/* Scratch of a dense layer: the input padded to whole blocks, so no load reads past it. */
size_t lf_dense_scratch_simd(const lf_dense_plan *pl) { return align16(k_padded(pl->p.inputs)); }

void lf_dense_eval_simd(const lf_dense_plan *pl, const int8_t *input, int8_t *output, void *scratch) {
  const size_t n = pl->p.inputs, kp = k_padded(n), units = pl->p.units;
  const v128_t zp = wasm_i32x4_splat(pl->p.output_zero_point), lo = wasm_i32x4_splat(pl->p.activation_min), hi = wasm_i32x4_splat(pl->p.activation_max);
  const rq_block *rq = rq_blocks(pl->packed, units, n);
  int8_t *x = (int8_t *)scratch;
  copy_bytes(x, input, n);
  for (size_t i = n; i < kp; i++) x[i] = 0;
  for (size_t g = 0; g < groups_of(units); g++)
    store_group(output, micro_1x4(x, pl->packed + g * NR * kp, kp), &rq[g], g * NR, units, zp, lo, hi);
}
