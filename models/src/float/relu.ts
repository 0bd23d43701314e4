/** In-place max(x, 0). */
export function reluInPlace(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) if (x[i]! < 0) x[i] = 0;
}
