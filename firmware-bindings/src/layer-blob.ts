// The LFLY layer blob (docs/serial-protocol.md, "Layer blob"): one quantised layer as the
// firmware stores it. The int32 sections come first so they lie 4-byte aligned in the board's
// arena and the kernels read them in place.
import { activationRange, type QuantizedLayer } from '@layerfleet/models';

export const BLOB_MAGIC = 'LFLY';
export const BLOB_VERSION = 1;
export const BLOB_HEADER_BYTES = 60;

export const LayerKind = { conv2d: 1, dense: 2, maxpool: 3 } as const;

/** Every field of a blob; unused ones are 0. Sections are taken verbatim, so tests can make them inconsistent. */
export interface LayerFields {
  kind: number;
  padding: number;
  inH: number;
  inW: number;
  inC: number;
  kernel: number;
  stride: number;
  filters: number;
  poolSize: number;
  poolStride: number;
  inputs: number;
  units: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  activationMin: number;
  weights: Int8Array;
  bias: Int32Array;
  multipliers: Int32Array;
  shifts: Int32Array;
}

export function layerFields(layer: QuantizedLayer): LayerFields {
  const spec = layer.spec;
  const common = {
    inputZeroPoint: layer.inputZeroPoint, outputZeroPoint: layer.outputZeroPoint,
    activationMin: activationRange(spec.relu, layer.outputZeroPoint).min,
    weights: layer.weights, bias: layer.bias, multipliers: layer.multipliers, shifts: layer.shifts,
  };
  if (spec.kind === 'conv2d') {
    return {
      kind: LayerKind.conv2d, padding: spec.padding === 'same' ? 1 : 0, inH: spec.input[0], inW: spec.input[1], inC: spec.input[2],
      kernel: spec.kernel, stride: spec.stride, filters: spec.filters, poolSize: spec.pool?.size ?? 0, poolStride: spec.pool?.stride ?? 0,
      inputs: 0, units: 0, ...common,
    };
  }
  return {
    kind: LayerKind.dense, padding: 0, inH: 0, inW: 0, inC: 0, kernel: 0, stride: 0, filters: 0, poolSize: 0, poolStride: 0,
    inputs: spec.inputs, units: spec.units, ...common,
  };
}

/** The blob's bytes, plus `extra` trailing bytes left zero for the caller (the host job's input). */
export function encodeLayerFields(f: LayerFields, extra = 0): Uint8Array {
  const n = BLOB_HEADER_BYTES + 4 * 4 + 4 * (f.bias.length + f.multipliers.length + f.shifts.length) + f.weights.length;
  const bytes = new Uint8Array(n + extra);
  const v = new DataView(bytes.buffer);
  bytes.set(Buffer.from(BLOB_MAGIC, 'ascii'), 0);
  v.setUint16(4, BLOB_VERSION, true);
  v.setUint8(6, f.kind);
  v.setUint8(7, f.padding);
  const u32 = [f.inH, f.inW, f.inC, f.kernel, f.stride, f.filters, f.poolSize, f.poolStride, f.inputs, f.units];
  u32.forEach((x, i) => v.setUint32(8 + 4 * i, x, true));
  v.setInt32(48, f.inputZeroPoint, true);
  v.setInt32(52, f.outputZeroPoint, true);
  v.setInt32(56, f.activationMin, true);
  let o = BLOB_HEADER_BYTES;
  for (const section of [f.bias, f.multipliers, f.shifts]) {
    v.setUint32(o, section.length, true);
    o += 4;
    for (const x of section) { v.setInt32(o, x, true); o += 4; }
  }
  v.setUint32(o, f.weights.length, true);
  bytes.set(new Uint8Array(f.weights.buffer, f.weights.byteOffset, f.weights.length), o + 4);
  return bytes;
}

export function encodeLayerBlob(layer: QuantizedLayer): Uint8Array {
  return encodeLayerFields(layerFields(layer));
}
