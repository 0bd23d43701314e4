// Straightforward int8 conv / dense written the way TFLite's reference_integer_ops are: one
// output at a time, (input + inputOffset)·filter summed over the in-bounds taps, bias added,
// requantised with the BigInt-free primitives under test elsewhere. Used only as a test oracle.
import { convGeometry, poolOutput, type ConvSpec, type DenseSpec } from '../src/graph.js';
import { multiplyByQuantizedMultiplier } from '../src/int8/requantize.js';
import type { Int8LayerParams } from '../src/int8/params.js';

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

export function naiveConvInt8(p: Int8LayerParams<ConvSpec>, input: Int8Array): Int8Array {
  const s = p.spec;
  const [H, W, C] = s.input;
  const g = convGeometry(s);
  const lo = s.relu ? Math.max(-128, p.outputZeroPoint) : -128;
  const conv = new Int8Array(g.outH * g.outW * s.filters);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      for (let o = 0; o < s.filters; o++) {
        let acc = 0;
        for (let ky = 0; ky < s.kernel; ky++) {
          for (let kx = 0; kx < s.kernel; kx++) {
            const y = oy * s.stride - g.padTop + ky;
            const x = ox * s.stride - g.padLeft + kx;
            if (y < 0 || y >= H || x < 0 || x >= W) continue;
            for (let c = 0; c < C; c++) {
              const iv = input[(y * W + x) * C + c]!;
              const fv = p.weights[((o * s.kernel + ky) * s.kernel + kx) * C + c]!;
              acc += fv * (iv - p.inputZeroPoint);
            }
          }
        }
        acc += p.bias[o]!;
        const v = multiplyByQuantizedMultiplier(acc, p.multipliers[o]!, p.shifts[o]!) + p.outputZeroPoint;
        conv[(oy * g.outW + ox) * s.filters + o] = clamp(v, lo, 127);
      }
    }
  }
  if (!s.pool) return conv;
  const [ph, pw] = poolOutput(g.outH, g.outW, s.pool);
  const out = new Int8Array(ph * pw * s.filters);
  for (let py = 0; py < ph; py++) for (let px = 0; px < pw; px++) for (let o = 0; o < s.filters; o++) {
    let m = -128;
    for (let dy = 0; dy < s.pool.size; dy++) for (let dx = 0; dx < s.pool.size; dx++) {
      m = Math.max(m, conv[((py * s.pool.stride + dy) * g.outW + px * s.pool.stride + dx) * s.filters + o]!);
    }
    out[(py * pw + px) * s.filters + o] = m;
  }
  return out;
}

export function naiveDenseInt8(p: Int8LayerParams<DenseSpec>, input: Int8Array): Int8Array {
  const s = p.spec;
  const lo = s.relu ? Math.max(-128, p.outputZeroPoint) : -128;
  const out = new Int8Array(s.units);
  for (let u = 0; u < s.units; u++) {
    let acc = p.bias[u]!;
    for (let i = 0; i < s.inputs; i++) acc += p.weights[u * s.inputs + i]! * (input[i]! - p.inputZeroPoint);
    out[u] = clamp(multiplyByQuantizedMultiplier(acc, p.multipliers[u]!, p.shifts[u]!) + p.outputZeroPoint, lo, 127);
  }
  return out;
}
