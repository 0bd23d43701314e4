// 'valid' max pool over an int8 HWC map. Quantisation is monotonic, so the max of the int8
// values is the quantised max and input/output share scale and zero point.
import { poolOutput, type PoolSpec, type Shape3 } from '../graph.js';

export function maxPoolInt8(input: Int8Array, shape: Shape3, pool: PoolSpec, output: Int8Array): void {
  const [, W, C] = shape;
  const [oh, ow] = poolOutput(shape[0], W, pool);
  const { size, stride } = pool;
  const rowStep = W * C;
  let o = 0;
  for (let py = 0; py < oh; py++) {
    for (let px = 0; px < ow; px++) {
      const base = (py * stride * W + px * stride) * C;
      for (let c = 0; c < C; c++) {
        let best = -128;
        let rowIdx = base + c;
        for (let dy = 0; dy < size; dy++, rowIdx += rowStep) {
          let idx = rowIdx;
          for (let dx = 0; dx < size; dx++, idx += C) {
            const v = input[idx]!;
            if (v > best) best = v;
          }
        }
        output[o++] = best;
      }
    }
  }
}
