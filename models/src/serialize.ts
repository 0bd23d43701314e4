// Wire and storage forms of layers and models: plain CBOR maps with typed arrays as
// little-endian byte strings, so that C firmware and other languages can read them.
import { Encoder } from 'cbor-x';
import type { FloatLayer, FloatModel } from './float/model.js';
import { outputChannels, outputShape, sameLayerSpec, validateGraph, weightCount, type LayerSpec } from './graph.js';
import type { QuantizedLayer, QuantizedModel } from './quantize.js';
import {
  bytes, graphFromWire, graphToWire, int, layerSpecFromWire, layerSpecToWire, positiveFinite, record, shown, str,
} from './wire-fields.js';

// Plain CBOR: maps (no cbor-x records, no tag 259), byte strings without tag 64.
const codec = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });

const INT8_FORMAT = 'layerfleet.int8';
const F32_FORMAT = 'layerfleet.f32';
const VERSION = 1;

function int32ToBytes(a: Int32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setInt32(i * 4, a[i]!, true);
  return out;
}

function float32ToBytes(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setFloat32(i * 4, a[i]!, true);
  return out;
}

/** Reads `count` little-endian 4-byte values from a byte field whose length was checked. */
function words<T extends Int32Array | Float32Array>(b: Uint8Array, make: new (n: number) => T, float: boolean): T {
  const n = b.length / 4;
  const out = new make(n);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < n; i++) out[i] = float ? dv.getFloat32(i * 4, true) : dv.getInt32(i * 4, true);
  return out;
}

function inputShapeOf(spec: LayerSpec): number[] {
  return spec.kind === 'dense' ? [spec.inputs] : spec.input;
}

function checkLength(b: Uint8Array, elements: number, elementBytes: number, field: string, where: string, type: string): void {
  if (b.length !== elements * elementBytes) {
    if (elementBytes === 1) throw new Error(`${where}: ${field} length ${b.length}, expected ${elements}`);
    throw new Error(`${where}: ${field} length ${b.length} bytes, expected ${elements * elementBytes} (${elements} ${type} little-endian)`);
  }
}

export function layerToWire(layer: QuantizedLayer): Record<string, unknown> {
  return {
    spec: layerSpecToWire(layer.spec),
    inputScale: layer.inputScale, inputZeroPoint: layer.inputZeroPoint,
    outputScale: layer.outputScale, outputZeroPoint: layer.outputZeroPoint,
    weights: new Uint8Array(layer.weights.buffer, layer.weights.byteOffset, layer.weights.byteLength).slice(),
    bias: int32ToBytes(layer.bias),
    multipliers: int32ToBytes(layer.multipliers),
    shifts: int32ToBytes(layer.shifts),
  };
}

/** Validates every field and length against the spec; errors name the layer and field. */
export function layerFromWire(obj: unknown): QuantizedLayer {
  const o = record(obj, 'quantized layer');
  const spec = layerSpecFromWire(o.spec, 'quantized layer spec');
  const where = `layer ${spec.name}`;
  // The rule validateGraph applies to whole graphs: a kernel or pool larger than its input would
  // give an empty or negative output, which the kernels would compute from out-of-range reads.
  const out = outputShape(spec);
  if (!out.every((d) => d >= 1)) throw new Error(`${where}: kernel and pool do not fit input [${inputShapeOf(spec)}]: output would be [${out}]`);
  const channels = outputChannels(spec);
  const w = bytes(o, 'weights', where);
  checkLength(w, weightCount(spec), 1, 'weights', where, 'int8');
  const fields = { bias: bytes(o, 'bias', where), multipliers: bytes(o, 'multipliers', where), shifts: bytes(o, 'shifts', where) };
  for (const [k, b] of Object.entries(fields)) checkLength(b, channels, 4, k, where, 'int32');
  const multipliers = words(fields.multipliers, Int32Array, false);
  const shifts = words(fields.shifts, Int32Array, false);
  multipliers.forEach((m, c) => { if (m < 0) throw new Error(`${where}: multipliers[${c}] ${m} is negative`); });
  shifts.forEach((s, c) => { if (s < -31 || s > 30) throw new Error(`${where}: shifts[${c}] ${s} outside [-31, 30]`); });
  return {
    spec,
    inputScale: positiveFinite(o, 'inputScale', where), inputZeroPoint: int(o, 'inputZeroPoint', where, -128, 127),
    outputScale: positiveFinite(o, 'outputScale', where), outputZeroPoint: int(o, 'outputZeroPoint', where, -128, 127),
    // A copy: decoded byte strings are views into the whole message (and Buffer#slice does not copy).
    weights: new Int8Array(w.buffer, w.byteOffset, w.byteLength).slice(),
    bias: words(fields.bias, Int32Array, false), multipliers, shifts,
  };
}

function decodeCbor(bytesIn: Uint8Array, what: string): unknown {
  if (!(bytesIn instanceof Uint8Array)) throw new Error(`${what}: expected bytes`);
  try {
    return codec.decode(bytesIn);
  } catch (err) {
    throw new Error(`${what}: not well-formed CBOR (${err instanceof Error ? err.message : String(err)})`);
  }
}

function checkHeader(o: Record<string, unknown>, format: string, what: string): void {
  if (o.format !== format) throw new Error(`${what}: format ${shown(o.format)}, expected ${format}`);
  if (o.version !== VERSION) throw new Error(`${what}: version ${shown(o.version)}, expected ${VERSION}`);
}

export function encodeQuantizedModel(model: QuantizedModel): Uint8Array {
  return codec.encode({
    format: INT8_FORMAT, version: VERSION, graph: graphToWire(model.graph),
    inputScale: model.inputScale, inputZeroPoint: model.inputZeroPoint, layers: model.layers.map(layerToWire),
  });
}

export function decodeQuantizedModel(data: Uint8Array): QuantizedModel {
  const what = 'quantized model';
  const o = record(decodeCbor(data, what), what);
  checkHeader(o, INT8_FORMAT, what);
  const graph = graphFromWire(o.graph, `${what} graph`);
  validateGraph(graph);
  const raw = o.layers;
  if (!Array.isArray(raw) || raw.length !== graph.layers.length) throw new Error(`${what} ${graph.name}: layers must be an array of ${graph.layers.length}`);
  const layers = raw.map(layerFromWire);
  const model: QuantizedModel = {
    graph, inputScale: positiveFinite(o, 'inputScale', what), inputZeroPoint: int(o, 'inputZeroPoint', what, -128, 127), layers,
  };
  // Each layer must read what its predecessor writes.
  let scale = model.inputScale;
  let zp = model.inputZeroPoint;
  layers.forEach((l, i) => {
    if (!sameLayerSpec(l.spec, graph.layers[i]!)) throw new Error(`${what} ${graph.name}: layer ${l.spec.name} differs from graph layer #${i} (${graph.layers[i]!.name})`);
    if (l.inputScale !== scale || l.inputZeroPoint !== zp) throw new Error(`layer ${l.spec.name}: input quantisation (${l.inputScale}, ${l.inputZeroPoint}) does not match the previous output (${scale}, ${zp})`);
    scale = l.outputScale;
    zp = l.outputZeroPoint;
  });
  return model;
}

function floatLayerFromWire(v: unknown, spec: FloatLayer['spec']): FloatLayer {
  const where = `layer ${spec.name}`;
  const o = record(v, where);
  if (str(o, 'name', where) !== spec.name) throw new Error(`${where}: name ${shown(o.name)} does not match the graph`);
  const w = bytes(o, 'weights', where);
  const b = bytes(o, 'bias', where);
  checkLength(w, weightCount(spec), 4, 'weights', where, 'float32');
  checkLength(b, outputChannels(spec), 4, 'bias', where, 'float32');
  return { spec, weights: words(w, Float32Array, true), bias: words(b, Float32Array, true) };
}

export function encodeFloatModel(model: FloatModel): Uint8Array {
  return codec.encode({
    format: F32_FORMAT, version: VERSION, graph: graphToWire(model.graph),
    layers: model.layers.map((l) => ({ name: l.spec.name, weights: float32ToBytes(l.weights), bias: float32ToBytes(l.bias) })),
  });
}

export function decodeFloatModel(data: Uint8Array): FloatModel {
  const what = 'float model';
  const o = record(decodeCbor(data, what), what);
  checkHeader(o, F32_FORMAT, what);
  const graph = graphFromWire(o.graph, `${what} graph`);
  validateGraph(graph);
  const raw = o.layers;
  if (!Array.isArray(raw) || raw.length !== graph.layers.length) throw new Error(`${what} ${graph.name}: layers must be an array of ${graph.layers.length}`);
  return { graph, layers: raw.map((l, i) => floatLayerFromWire(l, graph.layers[i]!)) };
}
