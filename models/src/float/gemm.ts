// Row-major float GEMMs in the three orientations conv/dense forward and backward need.
// Inner loops always run over contiguous memory.

/** C[m][n] = Σ_k A[m][k]·B[n][k] (+ bias[n]): rows of A against rows of B, as in conv forward. */
export function gemmABt(
  A: Float32Array, B: Float32Array, C: Float32Array, M: number, N: number, K: number, bias?: Float32Array,
): void {
  for (let m = 0; m < M; m++) {
    const aOff = m * K;
    const cOff = m * N;
    for (let n = 0; n < N; n++) {
      const bOff = n * K;
      let acc = bias ? bias[n]! : 0;
      for (let k = 0; k < K; k++) acc += A[aOff + k]! * B[bOff + k]!;
      C[cOff + n] = acc;
    }
  }
}

/** C[m][n] (+)= Σ_k A[m][k]·B[k][n]. */
export function gemmAB(
  A: Float32Array, B: Float32Array, C: Float32Array, M: number, N: number, K: number, accumulate = false,
): void {
  if (!accumulate) C.fill(0, 0, M * N);
  for (let m = 0; m < M; m++) {
    const cOff = m * N;
    for (let k = 0; k < K; k++) {
      const a = A[m * K + k]!;
      if (a === 0) continue; // relu zeros are common in backward passes
      const bOff = k * N;
      for (let n = 0; n < N; n++) C[cOff + n]! += a * B[bOff + n]!;
    }
  }
}

/** C[m][n] (+)= Σ_k A[k][m]·B[k][n]: a sum of outer products, as in weight gradients. */
export function gemmAtB(
  A: Float32Array, B: Float32Array, C: Float32Array, M: number, N: number, K: number, accumulate = false,
): void {
  if (!accumulate) C.fill(0, 0, M * N);
  for (let k = 0; k < K; k++) {
    const aOff = k * M;
    const bOff = k * N;
    for (let m = 0; m < M; m++) {
      const a = A[aOff + m]!;
      if (a === 0) continue;
      const cOff = m * N;
      for (let n = 0; n < N; n++) C[cOff + n]! += a * B[bOff + n]!;
    }
  }
}
