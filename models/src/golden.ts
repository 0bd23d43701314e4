// Golden vectors: int8 inputs and every layer's int8 output for a few held-out digits, with each
// layer's quantisation parameters, so the C kernels can be checked bit for bit.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inputLength, outputShape, type Shape3 } from './graph.js';
import { activationRange } from './int8/activation.js';
import { argmax, quantizeInput, runModelInt8, type QuantizedModel } from './quantize.js';
import { goldenPath, LENET_GOLDEN_FILE } from './weights.js';

export interface GoldenLayer {
  name: string;
  kind: 'conv2d' | 'dense';
  inputLength: number;
  outputShape: Shape3;
  inputScale: number;
  inputZeroPoint: number;
  outputScale: number;
  outputZeroPoint: number;
  activationMin: number;
  activationMax: number;
  multipliers: number[];
  shifts: number[];
}

export interface GoldenTensor {
  layer: string;
  shape: Shape3;
  data: number[];
}

export interface GoldenVector {
  /** Index into loadMnistSplit(seed).heldOut. */
  heldOutIndex: number;
  label: number;
  predicted: number;
  /** The quantised input image, HWC. */
  input: GoldenTensor;
  /** Each layer's int8 output in layer order. */
  outputs: GoldenTensor[];
}

export interface GoldenFile {
  format: 'layerfleet.golden';
  version: 1;
  model: string;
  /** The weights these vectors were computed with, and their SHA-256 (hex). */
  weightsFile: string;
  weightsSha256: string;
  splitSeed: number;
  inputScale: number;
  inputZeroPoint: number;
  layers: GoldenLayer[];
  vectors: GoldenVector[];
}

export interface GoldenSample {
  heldOutIndex: number;
  image: Float32Array;
  label: number;
}

export function makeGolden(model: QuantizedModel, samples: GoldenSample[], weights: { file: string; bytes: Uint8Array }, splitSeed: number): GoldenFile {
  const layers = model.layers.map((l): GoldenLayer => {
    const act = activationRange(l.spec.relu, l.outputZeroPoint);
    return {
      name: l.spec.name, kind: l.spec.kind, inputLength: inputLength(l.spec), outputShape: outputShape(l.spec),
      inputScale: l.inputScale, inputZeroPoint: l.inputZeroPoint, outputScale: l.outputScale, outputZeroPoint: l.outputZeroPoint,
      activationMin: act.min, activationMax: act.max, multipliers: Array.from(l.multipliers), shifts: Array.from(l.shifts),
    };
  });
  const vectors = samples.map((s): GoldenVector => {
    const input = quantizeInput(model, s.image);
    const trace: Int8Array[] = [];
    const logits = runModelInt8(model, input, trace);
    return {
      heldOutIndex: s.heldOutIndex, label: s.label, predicted: argmax(logits),
      input: { layer: 'input', shape: model.graph.input, data: Array.from(input) },
      outputs: trace.map((t, i) => ({ layer: model.layers[i]!.spec.name, shape: outputShape(model.layers[i]!.spec), data: Array.from(t) })),
    };
  });
  return {
    format: 'layerfleet.golden', version: 1, model: model.graph.name,
    weightsFile: weights.file, weightsSha256: createHash('sha256').update(weights.bytes).digest('hex'), splitSeed,
    inputScale: model.inputScale, inputZeroPoint: model.inputZeroPoint, layers, vectors,
  };
}

export function loadLenetGolden(): GoldenFile {
  const path = goldenPath(LENET_GOLDEN_FILE);
  const g = JSON.parse(readFileSync(path, 'utf8')) as GoldenFile;
  if (g.format !== 'layerfleet.golden' || g.version !== 1) throw new Error(`${path}: not a layerfleet golden file (version 1)`);
  return g;
}

/** Compact JSON: one line per tensor, so diffs stay readable and the file small. */
export function goldenToJson(g: GoldenFile): string {
  return JSON.stringify(g, (_k, v: unknown) => v, 1).replace(/\[\s+([-\d,\s.e]+?)\s+\]/g, (_m, inner: string) => `[${inner.replace(/\s+/g, '')}]`) + '\n';
}
