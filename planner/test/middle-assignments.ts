/**
 * Every assignment of layers 2..L−1 to the given devices, layer 1 and L on the source: the
 * search space the brute-force oracles of the planner tests walk (|devices|^(L−2) of them).
 */
export function* middleAssignments(layers: number, source: string, ids: readonly string[]): Generator<string[]> {
  const a = new Array<string>(layers).fill(source);
  function* rec(i: number): Generator<string[]> {
    if (i >= layers - 1) { yield a.slice(); return; }
    for (const id of ids) { a[i] = id; yield* rec(i + 1); }
  }
  yield* rec(1);
}
