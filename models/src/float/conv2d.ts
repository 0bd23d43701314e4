// Float conv2d as im2col + GEMM. Weights OHWI ([filters][k][k][C]), output HWC before any pool.
import { convGeometry, type ConvSpec } from '../graph.js';
import { gemmABt } from './gemm.js';
import { im2col } from './im2col.js';

export function conv2dFloat(spec: ConvSpec, input: Float32Array, weights: Float32Array, bias: Float32Array, cols?: Float32Array): Float32Array {
  const { outH, outW } = convGeometry(spec);
  const P = outH * outW;
  const K = spec.kernel * spec.kernel * spec.input[2];
  const patches = cols ?? new Float32Array(P * K);
  im2col(spec, input, patches);
  const out = new Float32Array(P * spec.filters);
  gemmABt(patches, weights, out, P, spec.filters, K, bias);
  return out;
}
