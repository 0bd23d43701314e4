// int8 conv2d (+ fused relu clamp + max pool) with TensorFlow Lite's per-channel semantics.
//
// Speed comes from the prepare step and the loop shape, not from tricks in the arithmetic:
// - the input is copied once per call into a buffer already padded with the input zero point,
//   so no tap needs a bounds test;
// - two horizontally adjacent output pixels are computed together: their receptive fields are
//   gathered into two contiguous patches in OHWI order, then dotted with four filters at a time,
//   so each weight load serves two pixels and each patch load four channels (8 int32 accumulators);
// - filters are interleaved in groups of four, so those four weights sit next to each other;
// - requantisation constants are split per channel in advance.
// The zero-point folding (see foldInputZeroPoint) keeps the integers identical to TFLite's
// reference kernel, which the tests check against a naive implementation.
import { convGeometry, outputLength, type ConvSpec } from '../graph.js';
import { activationRange } from './activation.js';
import { interleaveRows4 } from './interleave.js';
import { maxPoolInt8 } from './maxpool.js';
import { foldInputZeroPoint, type Int8LayerParams } from './params.js';
import { prepareRequantization, requantizeClamp, type PreparedRequantization } from './requantize.js';

export interface Conv2dInt8Plan {
  readonly spec: ConvSpec;
  readonly outH: number;
  readonly outW: number;
  readonly padTop: number;
  readonly padLeft: number;
  /** Size of the zero-point-padded input actually read by the taps. */
  readonly paddedH: number;
  readonly paddedW: number;
  readonly patchLength: number;
  readonly inputZeroPoint: number;
  readonly weights: Int8Array;
  /** The same weights with each group of four filters interleaved tap by tap (the last O mod 4 filters stay as they are). */
  readonly interleaved: Int8Array;
  /** bias − inputZeroPoint·Σw per channel (see foldInputZeroPoint). */
  readonly foldedBias: Int32Array;
  readonly rq: PreparedRequantization;
  /** Scratch: the padded input, two receptive fields, the conv output before pooling (or null). */
  readonly padded: Int8Array;
  readonly patchA: Int8Array;
  readonly patchB: Int8Array;
  readonly convOut: Int8Array | null;
  readonly outputLength: number;
}

export function prepareConv2dInt8(p: Int8LayerParams<ConvSpec>): Conv2dInt8Plan {
  const spec = p.spec;
  const g = convGeometry(spec);
  const patchLength = spec.kernel * spec.kernel * spec.input[2];
  const name = spec.name;
  if (p.weights.length !== patchLength * spec.filters) throw new Error(`layer ${name}: weights length ${p.weights.length}, expected ${patchLength * spec.filters}`);
  for (const f of ['bias', 'multipliers', 'shifts'] as const) {
    if (p[f].length !== spec.filters) throw new Error(`layer ${name}: ${f} length ${p[f].length}, expected ${spec.filters}`);
  }
  const paddedH = (g.outH - 1) * spec.stride + spec.kernel;
  const paddedW = (g.outW - 1) * spec.stride + spec.kernel;
  // Border cells keep the zero point forever; each run only rewrites the interior.
  const padded = new Int8Array(paddedH * paddedW * spec.input[2]).fill(p.inputZeroPoint);
  return {
    spec, outH: g.outH, outW: g.outW, padTop: g.padTop, padLeft: g.padLeft, paddedH, paddedW, patchLength,
    inputZeroPoint: p.inputZeroPoint, weights: p.weights, interleaved: interleaveRows4(p.weights, spec.filters, patchLength),
    foldedBias: foldInputZeroPoint(p.weights, p.bias, p.inputZeroPoint),
    rq: prepareRequantization(p.multipliers, p.shifts, p.outputZeroPoint, activationRange(spec.relu, p.outputZeroPoint), name),
    padded, patchA: new Int8Array(patchLength), patchB: new Int8Array(patchLength),
    convOut: spec.pool ? new Int8Array(g.outH * g.outW * spec.filters) : null,
    outputLength: outputLength(spec),
  };
}

/** Copies the input into the padded buffer's interior (rows/columns no tap reads are skipped). */
function fillPadded(plan: Conv2dInt8Plan, input: Int8Array): void {
  const [H, W, C] = plan.spec.input;
  const { padded, paddedW, padTop, padLeft } = plan;
  const rows = Math.min(H, plan.paddedH - padTop);
  const rowLen = Math.min(W, paddedW - padLeft) * C;
  for (let y = 0; y < rows; y++) {
    let src = y * W * C;
    let dst = ((y + padTop) * paddedW + padLeft) * C;
    for (let j = 0; j < rowLen; j++) padded[dst++] = input[src++]!;
  }
}

/**
 * Gathers the receptive fields whose top-left taps are at padded offsets `a` and `b` into two
 * contiguous patches: `kernel` rows of `rowLen` contiguous values, successive rows `rowStep` apart.
 */
function gatherPair(padded: Int8Array, a: number, b: number, kernel: number, rowLen: number, rowStep: number, pa: Int8Array, pb: Int8Array): void {
  let o = 0;
  for (let ky = 0; ky < kernel; ky++) {
    const ra = a + ky * rowStep;
    const rb = b + ky * rowStep;
    for (let j = 0; j < rowLen; j++, o++) {
      pa[o] = padded[ra + j]!;
      pb[o] = padded[rb + j]!;
    }
  }
}

/** Runs the prepared conv; `input` and `output` lengths are the caller's responsibility (see runLayerInt8). */
export function conv2dInt8(plan: Conv2dInt8Plan, input: Int8Array, output: Int8Array): void {
  const { spec, outH, outW, patchLength: K, weights: W, interleaved: W4, foldedBias: fb, rq, patchA: pa, patchB: pb } = plan;
  const O = spec.filters;
  const s = spec.stride;
  const dst = plan.convOut ?? output;
  fillPadded(plan, input);
  const padded = plan.padded;
  const C = spec.input[2];
  const kernel = spec.kernel;
  const rowLen = kernel * C;
  const rowStep = plan.paddedW * C;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox += 2) {
      // A lone last column pairs with itself; its second lane is computed but not stored.
      const pair = ox + 1 < outW;
      const a = oy * s * rowStep + ox * s * C;
      gatherPair(padded, a, pair ? a + s * C : a, kernel, rowLen, rowStep, pa, pb);
      const d0 = (oy * outW + ox) * O;
      const d1 = d0 + O;
      let c = 0;
      for (; c + 4 <= O; c += 4) {
        // Filters c..c+3 are interleaved per tap in `W4`, so one index serves four weights.
        let w = c * K;
        let a0 = fb[c]!, a1 = fb[c + 1]!, a2 = fb[c + 2]!, a3 = fb[c + 3]!;
        let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        for (let k = 0; k < K; k++, w += 4) {
          const x = pa[k]!;
          const y = pb[k]!;
          const q0 = W4[w]!, q1 = W4[w + 1]!, q2 = W4[w + 2]!, q3 = W4[w + 3]!;
          a0 = (a0 + x * q0) | 0; a1 = (a1 + x * q1) | 0; a2 = (a2 + x * q2) | 0; a3 = (a3 + x * q3) | 0;
          b0 = (b0 + y * q0) | 0; b1 = (b1 + y * q1) | 0; b2 = (b2 + y * q2) | 0; b3 = (b3 + y * q3) | 0;
        }
        dst[d0 + c] = requantizeClamp(rq, c, a0);
        dst[d0 + c + 1] = requantizeClamp(rq, c + 1, a1);
        dst[d0 + c + 2] = requantizeClamp(rq, c + 2, a2);
        dst[d0 + c + 3] = requantizeClamp(rq, c + 3, a3);
        if (pair) {
          dst[d1 + c] = requantizeClamp(rq, c, b0);
          dst[d1 + c + 1] = requantizeClamp(rq, c + 1, b1);
          dst[d1 + c + 2] = requantizeClamp(rq, c + 2, b2);
          dst[d1 + c + 3] = requantizeClamp(rq, c + 3, b3);
        }
      }
      for (; c < O; c++) {
        const w0 = c * K;
        let a = fb[c]!;
        let b = a;
        for (let k = 0; k < K; k++) {
          const q = W[w0 + k]!;
          a = (a + pa[k]! * q) | 0;
          b = (b + pb[k]! * q) | 0;
        }
        dst[d0 + c] = requantizeClamp(rq, c, a);
        if (pair) dst[d1 + c] = requantizeClamp(rq, c, b);
      }
    }
  }
  if (plan.convOut && spec.pool) maxPoolInt8(plan.convOut, [outH, outW, O], spec.pool, output);
}
