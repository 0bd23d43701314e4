// int8 fully connected layer with TensorFlow Lite semantics; weights [units][inputs].
// Four units are computed together from interleaved weights, so each input load serves four.
import type { DenseSpec } from '../graph.js';
import { activationRange } from './activation.js';
import { interleaveRows4 } from './interleave.js';
import { foldInputZeroPoint, type Int8LayerParams } from './params.js';
import { prepareRequantization, requantizeClamp, type PreparedRequantization } from './requantize.js';

export interface DenseInt8Plan {
  readonly spec: DenseSpec;
  readonly weights: Int8Array;
  /** Units 4g..4g+3 interleaved input by input (see interleaveRows4). */
  readonly interleaved: Int8Array;
  /** bias − inputZeroPoint·Σw per unit (see foldInputZeroPoint). */
  readonly foldedBias: Int32Array;
  readonly rq: PreparedRequantization;
  readonly outputLength: number;
}

export function prepareDenseInt8(p: Int8LayerParams<DenseSpec>): DenseInt8Plan {
  const { spec } = p;
  if (p.weights.length !== spec.inputs * spec.units) throw new Error(`layer ${spec.name}: weights length ${p.weights.length}, expected ${spec.inputs * spec.units}`);
  for (const f of ['bias', 'multipliers', 'shifts'] as const) {
    if (p[f].length !== spec.units) throw new Error(`layer ${spec.name}: ${f} length ${p[f].length}, expected ${spec.units}`);
  }
  return {
    spec, weights: p.weights, interleaved: interleaveRows4(p.weights, spec.units, spec.inputs),
    foldedBias: foldInputZeroPoint(p.weights, p.bias, p.inputZeroPoint),
    rq: prepareRequantization(p.multipliers, p.shifts, p.outputZeroPoint, activationRange(spec.relu, p.outputZeroPoint), spec.name),
    outputLength: spec.units,
  };
}

export function denseInt8(plan: DenseInt8Plan, input: Int8Array, output: Int8Array): void {
  const { weights: W, interleaved: W4, foldedBias: fb, rq } = plan;
  const N = plan.spec.inputs;
  const U = plan.spec.units;
  let u = 0;
  for (; u + 4 <= U; u += 4) {
    let w = u * N;
    let a0 = fb[u]!, a1 = fb[u + 1]!, a2 = fb[u + 2]!, a3 = fb[u + 3]!;
    for (let i = 0; i < N; i++, w += 4) {
      const x = input[i]!;
      a0 = (a0 + x * W4[w]!) | 0;
      a1 = (a1 + x * W4[w + 1]!) | 0;
      a2 = (a2 + x * W4[w + 2]!) | 0;
      a3 = (a3 + x * W4[w + 3]!) | 0;
    }
    output[u] = requantizeClamp(rq, u, a0);
    output[u + 1] = requantizeClamp(rq, u + 1, a1);
    output[u + 2] = requantizeClamp(rq, u + 2, a2);
    output[u + 3] = requantizeClamp(rq, u + 3, a3);
  }
  for (; u < U; u++) {
    const base = u * N;
    let acc = fb[u]!;
    for (let i = 0; i < N; i++) acc = (acc + input[i]! * W[base + i]!) | 0;
    output[u] = requantizeClamp(rq, u, acc);
  }
}
