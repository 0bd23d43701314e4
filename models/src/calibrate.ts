// Post-training calibration: run the float model on sample images and record the range of the
// input and of every layer's output (after relu and pool, i.e. what the next layer receives).
import { runModelFloat, type FloatModel } from './float/model.js';

export interface Range {
  min: number;
  max: number;
}

export interface Calibration {
  input: Range;
  layers: Range[];
}

function widen(r: Range, x: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < r.min) r.min = v;
    if (v > r.max) r.max = v;
  }
}

export function calibrate(model: FloatModel, images: Float32Array[]): Calibration {
  if (images.length === 0) throw new Error(`calibrate ${model.graph.name}: no calibration images`);
  const input: Range = { min: Infinity, max: -Infinity };
  const layers: Range[] = model.layers.map(() => ({ min: Infinity, max: -Infinity }));
  for (const image of images) {
    widen(input, image);
    const trace: Float32Array[] = [];
    runModelFloat(model, image, trace);
    trace.forEach((out, i) => widen(layers[i]!, out));
  }
  return { input, layers };
}
