// Float fully connected layer; weights are [units][inputs] (TFLite's FullyConnected layout).
import type { DenseSpec } from '../graph.js';
import { gemmABt } from './gemm.js';

export function denseFloat(spec: DenseSpec, input: Float32Array, weights: Float32Array, bias: Float32Array): Float32Array {
  const out = new Float32Array(spec.units);
  gemmABt(input, weights, out, 1, spec.units, spec.inputs, bias);
  return out;
}
