/** A training log kept as means over blocks of episodes: enough for a convergence curve, small on disk. */
export const LOG_BLOCK = 50;

export function blockMeans(xs: readonly number[], block = LOG_BLOCK): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i += block) {
    const part = xs.slice(i, i + block);
    out.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  return out;
}
