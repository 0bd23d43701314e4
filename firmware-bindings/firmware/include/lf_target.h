/*
 * Target-specific inner loops behind the portable reference, as CMSIS-NN does for Arm. A target
 * path is chosen at build time; without one, eval is the reference. Every path must equal the
 * reference bit for bit (the kernel tests compare them on every shape).
 *
 *   __wasm_simd128__  wasm/lf_kernels_wasm_simd.c: weights packed per group of four output
 *                     channels in blocks of eight, inputs widened to int16 on load, eight MACs
 *                     per i32x4.dot_i16x8_s.
 *   __ARM_FEATURE_DSP cortex-m/lf_kernels_arm_dsp.c (Cortex-M4/M7): two MACs per SMLAD on
 *                     SXTB16-extended pairs; same plans and persistent data as the reference.
 */
#ifndef LF_TARGET_H
#define LF_TARGET_H

#include "lf_kernels.h"

#if defined(__wasm_simd128__)
#define LF_TARGET_WASM_SIMD 1
/* Bytes of `rows` weight rows of length k packed for the SIMD loops, with their channels'
   requantisation constants laid out per group (a multiple of 16). */
size_t lf_simd_packed_bytes(size_t rows, size_t k);
void lf_simd_pack(const int8_t *weights, size_t rows, size_t k, const lf_channel_plan *ch, int8_t *out);
size_t lf_conv2d_scratch_simd(const lf_conv2d_plan *plan);
void lf_conv2d_eval_simd(const lf_conv2d_plan *plan, const int8_t *input, int8_t *output, void *scratch);
size_t lf_dense_scratch_simd(const lf_dense_plan *plan);
void lf_dense_eval_simd(const lf_dense_plan *plan, const int8_t *input, int8_t *output, void *scratch);
#elif defined(__ARM_FEATURE_DSP)
#define LF_TARGET_ARM_DSP 1
void lf_conv2d_eval_dsp(const lf_conv2d_plan *plan, const int8_t *input, int8_t *output);
void lf_dense_eval_dsp(const lf_dense_plan *plan, const int8_t *input, int8_t *output);
#endif

#endif /* LF_TARGET_H */
