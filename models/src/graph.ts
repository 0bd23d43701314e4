// Model graphs as plain data: a chain of conv2d / dense layers over HWC tensors (batch 1).
// The planner only needs per-layer costs, the kernels need shapes; both come from here.

/** [height, width, channels]; tensors are stored HWC row-major. */
export type Shape3 = [number, number, number];

export interface PoolSpec {
  size: number;
  stride: number;
}

export type LayerSpec =
  | {
      kind: 'conv2d';
      name: string;
      input: Shape3;
      filters: number;
      kernel: number;
      stride: number;
      padding: 'same' | 'valid';
      relu: boolean;
      /** Max pool fused after the (optional) relu. */
      pool?: PoolSpec;
    }
  | {
      kind: 'dense';
      name: string;
      /** A dense layer after a conv takes the HWC tensor flattened. */
      inputs: number;
      units: number;
      relu: boolean;
    };

export type ConvSpec = Extract<LayerSpec, { kind: 'conv2d' }>;
export type DenseSpec = Extract<LayerSpec, { kind: 'dense' }>;

export interface ModelGraph {
  name: string;
  input: Shape3;
  classes: number;
  layers: LayerSpec[];
}

export interface LayerCost {
  name: string;
  /** Multiply-accumulates of the conv / dense part (pool and relu are neglected, as in rl-pdnn). */
  macs: number;
  /** Parameters (weights + biases), one byte each as in int8. */
  weightBytes: number;
  /** int8 output elements, after pooling. */
  outputBytes: number;
}

/** Padding before the first row/column, TensorFlow's rule (the extra pixel of an odd total goes after). */
export interface ConvGeometry {
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
}

/** Output size and padding of the convolution itself (before any pool), as TensorFlow computes them. */
export function convGeometry(spec: ConvSpec): ConvGeometry {
  const [inH, inW] = spec.input;
  const { kernel: k, stride: s } = spec;
  if (spec.padding === 'same') {
    const outH = Math.ceil(inH / s);
    const outW = Math.ceil(inW / s);
    const padH = Math.max((outH - 1) * s + k - inH, 0);
    const padW = Math.max((outW - 1) * s + k - inW, 0);
    return { outH, outW, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2) };
  }
  return { outH: Math.floor((inH - k) / s) + 1, outW: Math.floor((inW - k) / s) + 1, padTop: 0, padLeft: 0 };
}

/** Output size of a 'valid' max pool over an H×W map. */
export function poolOutput(h: number, w: number, pool: PoolSpec): [number, number] {
  return [Math.floor((h - pool.size) / pool.stride) + 1, Math.floor((w - pool.size) / pool.stride) + 1];
}

/** Shape of a layer's output; a dense layer's output is [1, 1, units]. */
export function outputShape(spec: LayerSpec): Shape3 {
  if (spec.kind === 'dense') return [1, 1, spec.units];
  const g = convGeometry(spec);
  if (!spec.pool) return [g.outH, g.outW, spec.filters];
  const [h, w] = poolOutput(g.outH, g.outW, spec.pool);
  return [h, w, spec.filters];
}

export function outputLength(spec: LayerSpec): number {
  const [h, w, c] = outputShape(spec);
  return h * w * c;
}

export function inputLength(spec: LayerSpec): number {
  return spec.kind === 'dense' ? spec.inputs : spec.input[0] * spec.input[1] * spec.input[2];
}

/** Number of weights (without biases), laid out OHWI for conv and [units][inputs] for dense. */
export function weightCount(spec: LayerSpec): number {
  return spec.kind === 'dense' ? spec.inputs * spec.units : spec.filters * spec.kernel * spec.kernel * spec.input[2];
}

/** Output channels: one bias, one weight scale and one requantisation multiplier each. */
export function outputChannels(spec: LayerSpec): number {
  return spec.kind === 'dense' ? spec.units : spec.filters;
}

export function layerMacs(spec: LayerSpec): number {
  if (spec.kind === 'dense') return spec.inputs * spec.units;
  const g = convGeometry(spec);
  return g.outH * g.outW * spec.filters * spec.kernel * spec.kernel * spec.input[2];
}

export function layerCosts(graph: ModelGraph): LayerCost[] {
  return graph.layers.map((spec) => ({
    name: spec.name,
    macs: layerMacs(spec),
    weightBytes: weightCount(spec) + outputChannels(spec),
    outputBytes: outputLength(spec),
  }));
}

/** Field-by-field equality of two layer specs (key order and absent optional fields do not matter). */
export function sameLayerSpec(a: LayerSpec, b: LayerSpec): boolean {
  if (a.kind === 'dense' || b.kind === 'dense') {
    return a.kind === b.kind && a.name === b.name && a.relu === b.relu
      && (a as DenseSpec).inputs === (b as DenseSpec).inputs && (a as DenseSpec).units === (b as DenseSpec).units;
  }
  return a.name === b.name && a.input.join() === b.input.join() && a.filters === b.filters && a.kernel === b.kernel
    && a.stride === b.stride && a.padding === b.padding && a.relu === b.relu
    && a.pool?.size === b.pool?.size && a.pool?.stride === b.pool?.stride;
}

function positiveInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Throws, naming the graph and layer, unless every layer's input matches its predecessor's output. */
export function validateGraph(graph: ModelGraph): void {
  const where = (i: number) => `graph ${graph.name}: layer ${graph.layers[i]?.name ?? `#${i}`}`;
  if (!graph.input.every(positiveInt)) throw new Error(`graph ${graph.name}: input shape ${JSON.stringify(graph.input)} is not three positive integers`);
  if (graph.layers.length === 0) throw new Error(`graph ${graph.name}: no layers`);
  const names = new Set<string>();
  let prev: Shape3 = graph.input;
  graph.layers.forEach((spec, i) => {
    if (!spec.name) throw new Error(`graph ${graph.name}: layer #${i} has no name`);
    if (names.has(spec.name)) throw new Error(`${where(i)}: duplicate name`);
    names.add(spec.name);
    if (spec.kind === 'conv2d') {
      for (const f of ['filters', 'kernel', 'stride'] as const) {
        if (!positiveInt(spec[f])) throw new Error(`${where(i)}: ${f} ${spec[f]} is not a positive integer`);
      }
      if (!spec.input.every(positiveInt)) throw new Error(`${where(i)}: input shape ${JSON.stringify(spec.input)} is not three positive integers`);
      if (spec.input.join() !== prev.join()) {
        throw new Error(`${where(i)}: input [${spec.input}] does not match the previous output [${prev}]`);
      }
      const g = convGeometry(spec);
      if (g.outH < 1 || g.outW < 1) throw new Error(`${where(i)}: kernel ${spec.kernel} does not fit input [${spec.input}]`);
      if (spec.pool) {
        if (!positiveInt(spec.pool.size) || !positiveInt(spec.pool.stride)) throw new Error(`${where(i)}: pool size/stride must be positive integers`);
        const [ph, pw] = poolOutput(g.outH, g.outW, spec.pool);
        if (ph < 1 || pw < 1) throw new Error(`${where(i)}: pool ${spec.pool.size} does not fit ${g.outH}×${g.outW}`);
      }
    } else if (spec.kind === 'dense') {
      if (!positiveInt(spec.inputs) || !positiveInt(spec.units)) throw new Error(`${where(i)}: inputs/units must be positive integers`);
      const flat = prev[0] * prev[1] * prev[2];
      if (spec.inputs !== flat) throw new Error(`${where(i)}: inputs ${spec.inputs} does not match the previous output [${prev}] (${flat} values)`);
    } else {
      throw new Error(`${where(i)}: unknown kind ${(spec as { kind: unknown }).kind}`);
    }
    prev = outputShape(spec);
  });
  const outLen = prev[0] * prev[1] * prev[2];
  if (outLen !== graph.classes) throw new Error(`graph ${graph.name}: last layer gives ${outLen} values, expected ${graph.classes} classes`);
}
