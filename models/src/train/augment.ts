// Training-time augmentation: a random integer shift of up to `maxShift` pixels, filling with 0.
// 8000 digits are few for LeNet; shifted copies are the cheapest way to generalise better.
import type { Rng } from '../rng.js';

export function randomShift(image: Float32Array, h: number, w: number, c: number, maxShift: number, rng: Rng, out: Float32Array): Float32Array {
  const dy = Math.floor(rng() * (2 * maxShift + 1)) - maxShift;
  const dx = Math.floor(rng() * (2 * maxShift + 1)) - maxShift;
  out.fill(0);
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < w; x++) {
      const sx = x - dx;
      if (sx < 0 || sx >= w) continue;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = image[(sy * w + sx) * c + k]!;
    }
  }
  return out;
}
