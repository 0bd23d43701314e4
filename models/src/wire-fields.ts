// Field readers for decoding untrusted wire objects: each names the field at fault.
import type { LayerSpec, ModelGraph, Shape3 } from './graph.js';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** An untrusted value for an error message. Never throws, unlike String(), which does for a map
 * with a "toString" or "valueOf" key (it calls the map's own, non-callable, member). */
export function shown(v: unknown): string {
  if (typeof v !== 'object' || v === null) return String(v);
  return Array.isArray(v) ? `an array of ${v.length}` : v instanceof Uint8Array ? `${v.length} bytes` : 'a map';
}

export function record(v: unknown, where: string): Record<string, unknown> {
  if (!isRecord(v)) throw new Error(`${where}: expected a map`);
  return v;
}

export function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw new Error(`${where}: ${key} must be a non-empty string`);
  return v;
}

export function bool(o: Record<string, unknown>, key: string, where: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new Error(`${where}: ${key} must be a boolean`);
  return v;
}

export function int(o: Record<string, unknown>, key: string, where: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${where}: ${key} must be an integer in [${min}, ${max}], got ${shown(v)}`);
  return v;
}

export function positiveFinite(o: Record<string, unknown>, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${where}: ${key} must be a positive finite number, got ${shown(v)}`);
  return v;
}

export function bytes(o: Record<string, unknown>, key: string, where: string): Uint8Array {
  const v = o[key];
  if (!(v instanceof Uint8Array)) throw new Error(`${where}: ${key} must be a byte string`);
  return v;
}

const MAX_DIM = 1 << 16;

function shape3(o: Record<string, unknown>, key: string, where: string): Shape3 {
  const v = o[key];
  if (!Array.isArray(v) || v.length !== 3 || !v.every((d) => Number.isInteger(d) && d > 0 && d <= MAX_DIM)) {
    throw new Error(`${where}: ${key} must be [height, width, channels] of positive integers`);
  }
  return [v[0], v[1], v[2]];
}

/** Rebuilds a LayerSpec from its wire map, keeping only known fields. */
export function layerSpecFromWire(v: unknown, where: string): LayerSpec {
  const o = record(v, where);
  const name = str(o, 'name', where);
  const at = `${where} ${name}`;
  const kind = o.kind;
  if (kind === 'dense') {
    return { kind, name, inputs: int(o, 'inputs', at, 1, 1 << 28), units: int(o, 'units', at, 1, 1 << 20), relu: bool(o, 'relu', at) };
  }
  if (kind !== 'conv2d') throw new Error(`${at}: kind must be 'conv2d' or 'dense', got ${shown(kind)}`);
  const padding = o.padding;
  if (padding !== 'same' && padding !== 'valid') throw new Error(`${at}: padding must be 'same' or 'valid', got ${shown(padding)}`);
  const spec: LayerSpec = {
    kind, name, input: shape3(o, 'input', at), filters: int(o, 'filters', at, 1, MAX_DIM),
    kernel: int(o, 'kernel', at, 1, 64), stride: int(o, 'stride', at, 1, 64), padding, relu: bool(o, 'relu', at),
  };
  if (o.pool !== undefined && o.pool !== null) {
    const p = record(o.pool, `${at}: pool`);
    spec.pool = { size: int(p, 'size', `${at}: pool`, 1, 64), stride: int(p, 'stride', `${at}: pool`, 1, 64) };
  }
  return spec;
}

/** A plain copy of a spec (no undefined fields, which CBOR encoders treat differently). */
export function layerSpecToWire(spec: LayerSpec): Record<string, unknown> {
  if (spec.kind === 'dense') return { kind: spec.kind, name: spec.name, inputs: spec.inputs, units: spec.units, relu: spec.relu };
  const o: Record<string, unknown> = {
    kind: spec.kind, name: spec.name, input: [...spec.input], filters: spec.filters, kernel: spec.kernel,
    stride: spec.stride, padding: spec.padding, relu: spec.relu,
  };
  if (spec.pool) o.pool = { size: spec.pool.size, stride: spec.pool.stride };
  return o;
}

export function graphToWire(g: ModelGraph): Record<string, unknown> {
  return { name: g.name, input: [...g.input], classes: g.classes, layers: g.layers.map(layerSpecToWire) };
}

export function graphFromWire(v: unknown, where: string): ModelGraph {
  const o = record(v, where);
  const layers = o.layers;
  if (!Array.isArray(layers)) throw new Error(`${where}: layers must be an array`);
  return {
    name: str(o, 'name', where), input: shape3(o, 'input', where), classes: int(o, 'classes', where, 1, 1 << 20),
    layers: layers.map((l, i) => layerSpecFromWire(l, `${where}: layers[${i}]`)),
  };
}
