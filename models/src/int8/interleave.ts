// Weight layout for the int8 dot-product loops, computed once in prepare.

/**
 * Rows 4g..4g+3 of a [rows][K] matrix become [K][4] blocks, so a loop computing four output
 * channels at once reads its weights sequentially from one index; the last rows mod 4 stay as
 * they are.
 */
export function interleaveRows4(weights: Int8Array, rows: number, K: number): Int8Array {
  const out = new Int8Array(weights.length);
  const grouped = rows - (rows % 4);
  for (let r = 0; r < grouped; r += 4) {
    for (let k = 0; k < K; k++) for (let j = 0; j < 4; j++) out[r * K + k * 4 + j] = weights[(r + j) * K + k]!;
  }
  out.set(weights.subarray(grouped * K), grouped * K);
  return out;
}
