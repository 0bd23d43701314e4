// The adjoint of im2col: scatters patch-matrix gradients back onto the HWC input gradient.
import { convGeometry, type ConvSpec } from '../graph.js';

/** dInput = Σ over patches of their gradients (dInput is overwritten). */
export function col2im(spec: ConvSpec, dCols: Float32Array, dInput: Float32Array): void {
  const [inH, inW, C] = spec.input;
  const { kernel: k, stride: s } = spec;
  const { outH, outW, padTop, padLeft } = convGeometry(spec);
  dInput.fill(0);
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * s - padTop;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * s - padLeft;
      for (let ky = 0; ky < k; ky++) {
        const y = y0 + ky;
        if (y < 0 || y >= inH) { o += k * C; continue; }
        for (let kx = 0; kx < k; kx++) {
          const x = x0 + kx;
          if (x < 0 || x >= inW) { o += C; continue; }
          let dst = (y * inW + x) * C;
          for (let c = 0; c < C; c++) dInput[dst++]! += dCols[o++]!;
        }
      }
    }
  }
}
