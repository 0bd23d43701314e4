// A trainable dense layer (+ relu) for one sample at a time.
import type { DenseSpec } from '../graph.js';

export class DenseTrainLayer {
  private input: Float32Array = new Float32Array(0);
  readonly output: Float32Array;
  private readonly dz: Float32Array;
  readonly dInput: Float32Array;

  constructor(readonly spec: DenseSpec, readonly weights: Float32Array, readonly bias: Float32Array,
    readonly dWeights: Float32Array, readonly dBias: Float32Array) {
    this.output = new Float32Array(spec.units);
    this.dz = new Float32Array(spec.units);
    this.dInput = new Float32Array(spec.inputs);
  }

  forward(input: Float32Array): Float32Array {
    const { inputs: N, units: U, relu } = this.spec;
    const W = this.weights;
    this.input = input;
    for (let u = 0; u < U; u++) {
      let acc = this.bias[u]!;
      const base = u * N;
      for (let i = 0; i < N; i++) acc += W[base + i]! * input[i]!;
      this.output[u] = relu && acc < 0 ? 0 : acc;
    }
    return this.output;
  }

  backward(dOutput: Float32Array, needInputGrad: boolean): void {
    const { inputs: N, units: U, relu } = this.spec;
    const { weights: W, dWeights: dW, dz, input } = this;
    for (let u = 0; u < U; u++) dz[u] = relu && this.output[u]! <= 0 ? 0 : dOutput[u]!;
    for (let u = 0; u < U; u++) {
      const g = dz[u]!;
      if (g === 0) continue;
      this.dBias[u]! += g;
      const base = u * N;
      for (let i = 0; i < N; i++) dW[base + i]! += g * input[i]!;
    }
    if (needInputGrad) {
      const dx = this.dInput;
      dx.fill(0);
      for (let u = 0; u < U; u++) {
        const g = dz[u]!;
        if (g === 0) continue;
        const base = u * N;
        for (let i = 0; i < N; i++) dx[i]! += g * W[base + i]!;
      }
    }
  }
}
