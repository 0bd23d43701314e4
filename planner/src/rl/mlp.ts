/**
 * A small dense ReLU network for the DQN (rl-pdnn Table 1: "MLP, 2 layers, 64 neurons"), with
 * batched forward/backward written by hand and an Adam optimiser. No dependencies: the planner
 * runs inside the gateway, and a 25k-parameter net does not need tfjs.
 *
 * Every matrix product goes through one kernel, C (+)= A·B, a WebAssembly SIMD loop assembled
 * below, with a plain-JS fallback: scalar JS tops out near 2 GMAC/s here, a train step is ~5 M
 * MACs, and the paper's runs take millions of steps; the kernel does ~15 GMAC/s. Weights are
 * float32 — what a policy file stores — so a reloaded policy has bit-identical Q-values.
 * Layout: W_k is [in][out] row-major. Widths after the input are padded to a multiple of 16
 * for the kernel; padded units have zero weights, get zero gradients and so stay exactly zero.
 */
import { mulberry32 } from '@layerfleet/models';

export interface MlpOptions {
  /** [input, hidden..., output], e.g. [260, 64, 64, 51] */
  sizes: readonly number[];
  seed: number;
  lr?: number;
  beta1?: number;
  beta2?: number;
  adamEpsilon?: number;
  /** global gradient-norm clip; 0 or absent: none */
  clipNorm?: number;
  /** largest batch the scratch buffers hold */
  maxBatch?: number;
  /** 'js' forces the fallback kernel (tests compare the two) */
  backend?: 'auto' | 'js';
}

type Gemm = (a: number, sar: number, sat: number, b: number, c: number, M: number, K: number, N: number, acc: number) => void;

export class Mlp {
  readonly sizes: readonly number[];
  readonly backend: 'wasm-simd' | 'js';
  lr: number;
  readonly clipNorm: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly adamEps: number;
  private adamT = 0;
  private readonly maxBatch: number;
  /** padded widths: P[0] = input size, P[k ≥ 1] = sizes[k] rounded up to 16 */
  private readonly P: number[];
  private readonly f: Float32Array;
  private readonly gemm: Gemm;
  /** element offsets into `f` */
  private readonly oW: number[] = [];
  private readonly ob: number[] = [];
  private readonly ogW: number[] = [];
  private readonly ogb: number[] = [];
  private readonly oAct: number[] = [];
  private readonly oDelta: number[] = [];
  private readonly oWT: number;
  private readonly oFirst: number;
  private readonly oEnd: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly qChosen: Float64Array;
  private readonly out: Float64Array;

  constructor(o: MlpOptions) {
    if (o.sizes.length < 2 || o.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`Mlp sizes: expected ≥ 2 positive integers, got ${JSON.stringify(o.sizes)}`);
    this.sizes = [...o.sizes];
    this.lr = o.lr ?? 1e-3;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.adamEps = o.adamEpsilon ?? 1e-8;
    this.clipNorm = o.clipNorm ?? 0;
    const B = (this.maxBatch = o.maxBatch ?? 64);
    const P = (this.P = this.sizes.map((n, k) => (k === 0 ? n : Math.ceil(n / 16) * 16)));
    const L = P.length - 1;
    // Bump allocation, each buffer 64-byte aligned; parameters first and contiguous so Adam
    // and copyFrom see one range.
    let top = 16;
    const alloc = (n: number) => { const at = top; top += Math.ceil(n / 16) * 16; return at; };
    this.oFirst = top;
    for (let k = 0; k < L; k++) { this.oW.push(alloc(P[k]! * P[k + 1]!)); this.ob.push(alloc(P[k + 1]!)); }
    this.oEnd = top;
    for (let k = 0; k < L; k++) { this.ogW.push(alloc(P[k]! * P[k + 1]!)); this.ogb.push(alloc(P[k + 1]!)); }
    for (let k = 0; k <= L; k++) { this.oAct.push(alloc(B * P[k]!)); this.oDelta.push(alloc(B * P[k]!)); }
    let wt = 0;
    for (let k = 1; k < L; k++) wt = Math.max(wt, P[k]! * P[k + 1]!);
    this.oWT = alloc(wt);
    const kernel = o.backend === 'js' ? null : wasmGemm(top * 4);
    this.backend = kernel ? 'wasm-simd' : 'js';
    this.f = kernel ? kernel.f32 : new Float32Array(top);
    const f = this.f;
    this.gemm = kernel ? kernel.gemm : (a, sar, sat, b, c, M, K, N, acc) => gemmJs(f, a >> 2, sar >> 2, sat >> 2, b >> 2, c >> 2, M, K, N, acc);
    const rnd = mulberry32(o.seed);
    for (let k = 0; k < L; k++) {
      const nIn = this.sizes[k]!, nOut = this.sizes[k + 1]!;
      // He-uniform for ReLU layers; Glorot-uniform for the linear head so initial Q-values are small.
      const lim = k === L - 1 ? Math.sqrt(6 / (nIn + nOut)) : Math.sqrt(6 / nIn);
      for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) f[this.oW[k]! + i * P[k + 1]! + j] = (2 * rnd() - 1) * lim;
    }
    this.m = new Float64Array(this.oEnd - this.oFirst);
    this.v = new Float64Array(this.oEnd - this.oFirst);
    this.qChosen = new Float64Array(B);
    this.out = new Float64Array(B * this.sizes[L]!);
  }

  get inputSize(): number { return this.sizes[0]!; }
  get outputSize(): number { return this.sizes[this.sizes.length - 1]!; }
  /** [rows, cols] of W_k, [cols] of b_k, in the order W_0, b_0, W_1, b_1, … */
  get tensorShapes(): number[][] {
    const out: number[][] = [];
    for (let k = 0; k + 1 < this.sizes.length; k++) out.push([this.sizes[k]!, this.sizes[k + 1]!], [this.sizes[k + 1]!]);
    return out;
  }

  /** Copies of the weights, unpadded, in `tensorShapes` order. */
  exportTensors(): Float32Array[] { return this.unpadded(this.oW, this.ob); }
  /** Copies of the last `gradients` call's result, in `tensorShapes` order. */
  exportGradients(): Float32Array[] { return this.unpadded(this.ogW, this.ogb); }

  importTensors(ts: readonly Float32Array[]): void {
    const shapes = this.tensorShapes;
    if (ts.length !== shapes.length) throw new RangeError(`Mlp.importTensors: ${ts.length} tensors, expected ${shapes.length}`);
    for (let t = 0; t < shapes.length; t++) {
      const k = t >> 1, n = shapes[t]!.reduce((a, b) => a * b, 1), src = ts[t]!;
      if (src.length !== n) throw new RangeError(`Mlp.importTensors: tensor ${t} has ${src.length} values, expected ${n}`);
      if (t & 1) this.f.set(src, this.ob[k]!);
      else for (let i = 0; i < shapes[t]![0]!; i++) this.f.set(src.subarray(i * shapes[t]![1]!, (i + 1) * shapes[t]![1]!), this.oW[k]! + i * this.P[k + 1]!);
    }
  }

  /** Weights only (target network); the optimiser state stays this net's own. */
  copyFrom(other: Mlp): void {
    if (other.sizes.join() !== this.sizes.join()) throw new RangeError(`Mlp.copyFrom: sizes ${other.sizes.join('×')} ≠ ${this.sizes.join('×')}`);
    this.f.set(other.f.subarray(other.oFirst, other.oEnd), this.oFirst);
  }

  /** All outputs for `batch` samples laid out row by row in `x`; a scratch view the next call overwrites. */
  forward(x: ArrayLike<number>, batch: number): Float64Array {
    this.run(x, batch);
    const L = this.P.length - 1, n = this.sizes[L]!, p = this.P[L]!, o = this.oAct[L]!;
    for (let s = 0; s < batch; s++) for (let j = 0; j < n; j++) this.out[s * n + j] = this.f[o + s * p + j]!;
    return this.out.subarray(0, batch * n);
  }

  /** eq. 11's loss: mean over the batch of (Q(s, a) − target)². */
  loss(x: ArrayLike<number>, actions: Int32Array, targets: ArrayLike<number>, batch: number): number {
    this.run(x, batch);
    const L = this.P.length - 1, nOut = this.sizes[L]!, p = this.P[L]!, o = this.oAct[L]!;
    let sum = 0;
    for (let s = 0; s < batch; s++) {
      const a = actions[s]!;
      if (!(a >= 0 && a < nOut)) throw new RangeError(`Mlp: action ${a} of sample ${s} outside 0..${nOut - 1}`);
      const q = (this.qChosen[s] = this.f[o + s * p + a]!);
      sum += (q - targets[s]!) ** 2;
    }
    return sum / batch;
  }

  /** ∂loss/∂θ for `loss(...)` into the gradient buffers; only the chosen action's Q has one. */
  gradients(x: ArrayLike<number>, actions: Int32Array, targets: ArrayLike<number>, batch: number): number {
    const loss = this.loss(x, actions, targets, batch);
    const f = this.f, P = this.P, L = P.length - 1;
    const dL = this.oDelta[L]!;
    f.fill(0, dL, dL + batch * P[L]!);
    for (let s = 0; s < batch; s++) f[dL + s * P[L]! + actions[s]!] = (2 * (this.qChosen[s]! - targets[s]!)) / batch;
    for (let k = L - 1; k >= 0; k--) {
      const nIn = P[k]!, nOut = P[k + 1]!, dz = this.oDelta[k + 1]!, act = this.oAct[k]!;
      // gW_k = act_kᵀ · dz, reading act_k transposed through the kernel's strides.
      this.gemm(act * 4, 4, nIn * 4, dz * 4, this.ogW[k]! * 4, nIn, batch, nOut, 0);
      const gb = this.ogb[k]!;
      f.fill(0, gb, gb + nOut);
      for (let s = 0; s < batch; s++) for (let j = 0; j < nOut; j++) f[gb + j]! += f[dz + s * nOut + j]!;
      if (k === 0) break;
      const W = this.oW[k]!, WT = this.oWT, dx = this.oDelta[k]!;
      for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) f[WT + j * nIn + i] = f[W + i * nOut + j]!;
      this.gemm(dz * 4, nOut * 4, 4, WT * 4, dx * 4, batch, nOut, nIn, 0);
      for (let e = 0; e < batch * nIn; e++) if (!(f[act + e]! > 0)) f[dx + e] = 0;
    }
    return loss;
  }

  /** One Adam step on eq. 11's loss; returns the loss before the step. */
  train(x: ArrayLike<number>, actions: Int32Array, targets: ArrayLike<number>, batch: number): number {
    const loss = this.gradients(x, actions, targets, batch);
    const f = this.f, g0 = this.ogW[0]!, n = this.oEnd - this.oFirst;
    let scale = 1;
    if (this.clipNorm > 0) {
      let sq = 0;
      for (let i = 0; i < n; i++) sq += f[g0 + i]! ** 2;
      if (Math.sqrt(sq) > this.clipNorm) scale = this.clipNorm / Math.sqrt(sq);
    }
    this.adamT++;
    const b1 = this.beta1, b2 = this.beta2, eps = this.adamEps, m = this.m, v = this.v, w0 = this.oFirst;
    const stepSize = (this.lr * Math.sqrt(1 - b2 ** this.adamT)) / (1 - b1 ** this.adamT);
    for (let i = 0; i < n; i++) {
      const g = f[g0 + i]! * scale;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
      f[w0 + i]! -= (stepSize * mi) / (Math.sqrt(vi) + eps);
    }
    return loss;
  }

  private run(x: ArrayLike<number>, batch: number): void {
    if (!(batch >= 1 && batch <= this.maxBatch)) throw new RangeError(`Mlp: batch ${batch} outside 1..${this.maxBatch}`);
    const P = this.P, f = this.f, n0 = P[0]!;
    if (x.length < batch * n0) throw new RangeError(`Mlp: input holds ${x.length} values, batch ${batch} × ${n0} needed`);
    const a0 = this.oAct[0]!;
    for (let i = 0; i < batch * n0; i++) f[a0 + i] = x[i]!;
    const L = P.length - 1;
    for (let k = 0; k < L; k++) {
      const nIn = P[k]!, nOut = P[k + 1]!, y = this.oAct[k + 1]!, b = this.ob[k]!;
      this.gemm(this.oAct[k]! * 4, nIn * 4, 4, this.oW[k]! * 4, y * 4, batch, nIn, nOut, 0);
      for (let s = 0; s < batch; s++) {
        for (let j = 0, e = y + s * nOut; j < nOut; j++, e++) {
          const z = f[e]! + f[b + j]!;
          f[e] = k < L - 1 && z < 0 ? 0 : z;
        }
      }
    }
  }

  private unpadded(oW: number[], ob: number[]): Float32Array[] {
    const out: Float32Array[] = [];
    for (let k = 0; k + 1 < this.sizes.length; k++) {
      const nIn = this.sizes[k]!, nOut = this.sizes[k + 1]!, W = new Float32Array(nIn * nOut);
      for (let i = 0; i < nIn; i++) W.set(this.f.subarray(oW[k]! + i * this.P[k + 1]!, oW[k]! + i * this.P[k + 1]! + nOut), i * nOut);
      out.push(W, this.f.slice(ob[k]!, ob[k]! + nOut));
    }
    return out;
  }
}

/** C[m][n] (+)= Σ_k A(m, k)·B[k][n], A(m, k) at a + m·sar + k·sat (element offsets here). */
function gemmJs(f: Float32Array, a: number, sar: number, sat: number, b: number, c: number, M: number, K: number, N: number, acc: number): void {
  for (let m = 0; m < M; m++) {
    const co = c + m * N;
    for (let n = 0; n < N; n++) f[co + n] = acc ? f[co + n]! : 0;
    for (let k = 0, ao = a + m * sar; k < K; k++, ao += sat) {
      const av = f[ao]!;
      if (av === 0) continue;
      for (let n = 0, bo = b + k * N; n < N; n++) f[co + n]! += av * f[bo + n]!;
    }
  }
}

// --- the WebAssembly SIMD kernel --------------------------------------------------------------
// Same contract as gemmJs with byte offsets and N a multiple of 16: for each row m and each
// 16-column block, four f32x4 accumulators run down k. It does not skip zero A(m, k): measured,
// the branch costs more on irregular zeros (ReLU, infeasible slots) than the multiplies it saves.

const uleb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sleb = (n: number): number[] => { const o: number[] = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { o.push(b); return o; } o.push(b | 0x80); } };
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s)];

function gemmModule(): Uint8Array {
  // params 0 a, 1 sar, 2 sat, 3 b, 4 c, 5 M, 6 K, 7 N, 8 acc; locals 9 m, 10 n, 11 k, 12 pa,
  // 13 pb, 14 pc, 15 rowA, 16 N4 (i32), 17–20 acc0–3, 21 splat (v128)
  const get = (i: number) => [0x20, i], set = (i: number) => [0x21, i];
  const i32 = (v: number) => [0x41, ...sleb(v)];
  const add = 0x6a, mul = 0x6c, geU = 0x4f, end = 0x0b;
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const load = (off: number) => [...simd(0), 2, ...uleb(off)], store = (off: number) => [...simd(11), 2, ...uleb(off)];
  const fadd = simd(228), fmul = simd(230), splat = simd(19), zero = [...simd(12), ...new Array<number>(16).fill(0)];
  const inc = (l: number, by: number[]) => [...get(l), ...by, add, ...set(l)];
  const loopWhile = (i: number, n: number, body: number[]) => [0x02, 0x40, 0x03, 0x40, ...get(i), ...get(n), geU, 0x0d, 1, ...body, 0x0c, 0, end, end];
  const accs = [17, 18, 19, 20];
  const code = [
    ...get(7), ...i32(4), mul, ...set(16),
    ...i32(0), ...set(9),
    ...loopWhile(9, 5, [
      ...get(0), ...get(9), ...get(1), mul, add, ...set(15),
      ...i32(0), ...set(10),
      ...loopWhile(10, 7, [
        ...get(4), ...get(9), ...get(16), mul, add, ...get(10), ...i32(4), mul, add, ...set(14),
        ...get(8), 0x04, 0x40, ...accs.flatMap((v, q) => [...get(14), ...load(16 * q), ...set(v)]),
        0x05, ...accs.flatMap((v) => [...zero, ...set(v)]), end,
        ...get(15), ...set(12),
        ...get(3), ...get(10), ...i32(4), mul, add, ...set(13),
        ...i32(0), ...set(11),
        ...loopWhile(11, 6, [
          ...get(12), 0x2a, 2, 0, ...splat, ...set(21),
          ...accs.flatMap((v, q) => [...get(v), ...get(21), ...get(13), ...load(16 * q), ...fmul, ...fadd, ...set(v)]),
          ...inc(12, get(2)), ...inc(13, get(16)), ...inc(11, i32(1)),
        ]),
        ...accs.flatMap((v, q) => [...get(14), ...get(v), ...store(16 * q)]),
        ...inc(10, i32(16)),
      ]),
      ...inc(9, i32(1)),
    ]),
  ];
  const body = [...vec([[8, 0x7f], [5, 0x7b]]), ...code, end];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(new Array(9).fill([0x7f])), 0]])),
    ...section(2, vec([[...str('env'), ...str('m'), 0x02, 0x00, 1]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('gemm'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/** The slice of the WebAssembly API used here (the project's lib settings do not declare it). */
interface Wasm {
  validate(bin: Uint8Array): boolean;
  Module: new (bin: Uint8Array) => object;
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

let compiled: object | null | undefined;

/** A kernel instance over a fresh memory of at least `bytes`, or null where SIMD is missing. */
function wasmGemm(bytes: number): { f32: Float32Array; gemm: Gemm } | null {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (compiled === undefined) {
    const bin = gemmModule();
    compiled = wasm?.validate(bin) ? new wasm.Module(bin) : null;
  }
  if (!compiled || !wasm) return null;
  const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
  const inst = new wasm.Instance(compiled, { env: { m: memory } });
  return { f32: new Float32Array(memory.buffer, 0, bytes / 4), gemm: inst.exports.gemm as unknown as Gemm };
}
