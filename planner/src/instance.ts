/**
 * The single-request placement problem of DESIGN.md ("The placement problem"), with its
 * defaults applied. Layers are numbered 1..L in the problem statement; arrays here are
 * 0-based, so layer l lives at index l-1.
 */
import type { Rejection } from './explain.js';

export interface PlanLayer { name: string; macs: number; weightBytes: number; outputBytes: number }

export interface PlanDevice {
  id: string;
  trusted: boolean;
  macsPerSecond: number;
  loadMacsPerSecond: number;
  memoryBytes: number;
  rateBitsPerSecond: number;
  loadBitsPerSecond: number;
  /** 1-based layer numbers of this model the device has already seen (eq. 6) */
  exposed: number[];
}

export interface Privacy { maxExposedFraction: number; minHidden: number }

export interface Instance {
  requestRate: number;
  privacy: Privacy;
  source: string;
  sourceMayComputeMiddle: boolean;
  model: { name: string; layers: PlanLayer[] };
  devices: PlanDevice[];
}

export interface Placement {
  feasible: boolean;
  latencySeconds: number;
  assignment: string[];
  /** when infeasible: which constraint ruled out which devices for which layer, as text */
  reasons?: string[];
  /** the same, typed (explain.ts), when the strategy derived its reasons from the constraints */
  rejection?: Rejection[];
}

/** The paper's three privacy levels (Section V), by the names the CLI accepts. */
export const PRIVACY_LEVELS: Record<string, Privacy> = {
  none: { maxExposedFraction: 1, minHidden: 0 },
  'two-hidden': { maxExposedFraction: 1, minHidden: 2 },
  half: { maxExposedFraction: 0.5, minHidden: 0 },
};

/** The name of the paper's level `p` is (PRIVACY_LEVELS), if it is one of them. */
export function privacyLevelName(p: Privacy): string | undefined {
  return Object.keys(PRIVACY_LEVELS).find((k) => PRIVACY_LEVELS[k]!.maxExposedFraction === p.maxExposedFraction && PRIVACY_LEVELS[k]!.minHidden === p.minHidden);
}

export function privacyOn(p: Privacy): boolean {
  return p.maxExposedFraction < 1 || p.minHidden > 0;
}

type Json = Record<string, unknown>;
const num = (o: Json, k: string, dflt: number | undefined, at: string): number => {
  const v = o[k] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`${at}.${k}: expected a non-negative number, got ${JSON.stringify(o[k])}`);
  return v;
};

/** Reads a JSON instance, applying DESIGN.md's defaults; errors name the field at fault. */
export function normalizeInstance(json: unknown): Instance {
  if (typeof json !== 'object' || json === null) throw new TypeError('instance: expected an object');
  const o = json as Json;
  const model = o.model as Json | undefined;
  if (!model || !Array.isArray(model.layers) || model.layers.length < 2) throw new TypeError('instance.model.layers: expected at least 2 layers');
  if (!Array.isArray(o.devices) || o.devices.length === 0) throw new TypeError('instance.devices: expected a non-empty array');
  if (typeof o.source !== 'string') throw new TypeError('instance.source: expected a device id');
  const privacy = (o.privacy ?? {}) as Json;
  const layers = (model.layers as Json[]).map((l, i) => ({
    name: typeof l.name === 'string' ? l.name : `layer${i + 1}`,
    macs: num(l, 'macs', undefined, `model.layers[${i}]`),
    weightBytes: num(l, 'weightBytes', 0, `model.layers[${i}]`),
    outputBytes: num(l, 'outputBytes', 0, `model.layers[${i}]`),
  }));
  const devices = (o.devices as Json[]).map((d, i) => {
    const at = `devices[${i}]`;
    if (typeof d.id !== 'string') throw new TypeError(`${at}.id: expected a string`);
    const exposed = (d.exposed ?? []) as unknown;
    if (!Array.isArray(exposed) || !exposed.every((x) => Number.isInteger(x))) throw new TypeError(`${at}.exposed: expected layer numbers`);
    return {
      id: d.id,
      trusted: d.trusted === true,
      macsPerSecond: num(d, 'macsPerSecond', undefined, at),
      loadMacsPerSecond: num(d, 'loadMacsPerSecond', 0, at),
      memoryBytes: num(d, 'memoryBytes', undefined, at),
      rateBitsPerSecond: num(d, 'rateBitsPerSecond', undefined, at),
      loadBitsPerSecond: num(d, 'loadBitsPerSecond', 0, at),
      exposed: exposed as number[],
    };
  });
  if (!devices.some((d) => d.id === o.source)) throw new TypeError(`instance.source: ${o.source} is not among the devices`);
  return {
    requestRate: num(o, 'requestRate', 1, 'instance'),
    privacy: { maxExposedFraction: num(privacy, 'maxExposedFraction', 1, 'privacy'), minHidden: num(privacy, 'minHidden', 0, 'privacy') },
    source: o.source,
    sourceMayComputeMiddle: o.sourceMayComputeMiddle === true,
    model: { name: typeof model.name === 'string' ? model.name : 'model', layers },
    devices,
  };
}
