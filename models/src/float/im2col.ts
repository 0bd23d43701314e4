// im2col for HWC tensors: one row per output pixel, columns in (ky, kx, channel) order so that a
// row lines up with one OHWI filter. Padding reads as 0 (the real zero of a float tensor).
import { convGeometry, type ConvSpec } from '../graph.js';

/** Writes the [outH·outW][k·k·C] patch matrix into `cols` (which must hold that many values). */
export function im2col(spec: ConvSpec, input: Float32Array, cols: Float32Array): void {
  const [inH, inW, C] = spec.input;
  const { kernel: k, stride: s } = spec;
  const { outH, outW, padTop, padLeft } = convGeometry(spec);
  const rowLen = k * C;
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * s - padTop;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * s - padLeft;
      for (let ky = 0; ky < k; ky++) {
        const y = y0 + ky;
        if (y < 0 || y >= inH) {
          cols.fill(0, o, o + rowLen);
          o += rowLen;
          continue;
        }
        const rowBase = y * inW;
        for (let kx = 0; kx < k; kx++) {
          const x = x0 + kx;
          if (x < 0 || x >= inW) {
            for (let c = 0; c < C; c++) cols[o++] = 0;
          } else {
            let src = (rowBase + x) * C;
            for (let c = 0; c < C; c++) cols[o++] = input[src++]!;
          }
        }
      }
    }
  }
}
