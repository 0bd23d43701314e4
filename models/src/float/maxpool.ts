// 'valid' max pool over an HWC map.
import { poolOutput, type PoolSpec, type Shape3 } from '../graph.js';

/** Returns the pooled map; if `argmax` is given it receives, per output, the input index that won (for backprop). */
export function maxPoolFloat(input: Float32Array, shape: Shape3, pool: PoolSpec, out?: Float32Array, argmax?: Int32Array): Float32Array {
  const [H, W, C] = shape;
  const [oh, ow] = poolOutput(H, W, pool);
  const output = out ?? new Float32Array(oh * ow * C);
  let o = 0;
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      const y0 = py * pool.stride;
      const x0 = px * pool.stride;
      for (let c = 0; c < C; c++) {
        let best = -Infinity;
        let bestIdx = -1;
        for (let dy = 0; dy < pool.size; dy++) {
          let idx = ((y0 + dy) * W + x0) * C + c;
          for (let dx = 0; dx < pool.size; dx++, idx += C) {
            const v = input[idx]!;
            if (v > best) { best = v; bestIdx = idx; }
          }
        }
        if (argmax) argmax[o] = bestIdx;
        output[o++] = best;
      }
    }
  }
  return output;
}
