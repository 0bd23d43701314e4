// A trainable conv2d (+ relu + max pool) for one sample at a time; gradients accumulate over a minibatch.
import { convGeometry, outputLength, type ConvSpec } from '../graph.js';
import { gemmAB, gemmABt, gemmAtB } from '../float/gemm.js';
import { im2col } from '../float/im2col.js';
import { maxPoolFloat } from '../float/maxpool.js';
import { col2im } from './col2im.js';

export class ConvTrainLayer {
  readonly P: number;
  readonly K: number;
  readonly O: number;
  private readonly cols: Float32Array;
  /** Conv output after relu, before pool. */
  private readonly act: Float32Array;
  private readonly argmax: Int32Array | null;
  readonly output: Float32Array;
  private readonly dAct: Float32Array;
  private readonly dCols: Float32Array;
  readonly dInput: Float32Array;

  constructor(readonly spec: ConvSpec, readonly weights: Float32Array, readonly bias: Float32Array,
    readonly dWeights: Float32Array, readonly dBias: Float32Array) {
    const g = convGeometry(spec);
    this.P = g.outH * g.outW;
    this.K = spec.kernel * spec.kernel * spec.input[2];
    this.O = spec.filters;
    this.cols = new Float32Array(this.P * this.K);
    this.act = new Float32Array(this.P * this.O);
    this.argmax = spec.pool ? new Int32Array(outputLength(spec)) : null;
    this.output = spec.pool ? new Float32Array(outputLength(spec)) : this.act;
    this.dAct = new Float32Array(this.P * this.O);
    this.dCols = new Float32Array(this.P * this.K);
    this.dInput = new Float32Array(spec.input[0] * spec.input[1] * spec.input[2]);
  }

  forward(input: Float32Array): Float32Array {
    const { spec, P, K, O, act } = this;
    im2col(spec, input, this.cols);
    gemmABt(this.cols, this.weights, act, P, O, K, this.bias);
    if (spec.relu) for (let i = 0; i < act.length; i++) if (act[i]! < 0) act[i] = 0;
    if (spec.pool) {
      const g = convGeometry(spec);
      maxPoolFloat(act, [g.outH, g.outW, O], spec.pool, this.output, this.argmax!);
    }
    return this.output;
  }

  /** Accumulates dW, db for the last forward; computes dInput only when asked (not for the first layer). */
  backward(dOutput: Float32Array, needInputGrad: boolean): void {
    const { spec, P, K, O, act, dAct } = this;
    if (spec.pool) {
      dAct.fill(0);
      const am = this.argmax!;
      for (let i = 0; i < am.length; i++) dAct[am[i]!]! += dOutput[i]!;
    } else {
      dAct.set(dOutput);
    }
    if (spec.relu) for (let i = 0; i < dAct.length; i++) if (act[i]! <= 0) dAct[i] = 0;
    gemmAtB(dAct, this.cols, this.dWeights, O, K, P, true);
    const db = this.dBias;
    for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) db[o]! += dAct[p * O + o]!;
    if (needInputGrad) {
      gemmAB(dAct, this.weights, this.dCols, P, K, O);
      col2im(spec, this.dCols, this.dInput);
    }
  }
}
