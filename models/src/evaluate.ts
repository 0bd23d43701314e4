// Held-out accuracy of float and int8 models.
import { runModelFloat, type FloatModel } from './float/model.js';
import { argmax, quantizeInput, runModelInt8, type QuantizedModel } from './quantize.js';

export interface Labelled {
  image: Float32Array;
  label: number;
}

export function accuracyFloat(model: FloatModel, samples: Labelled[]): number {
  if (samples.length === 0) throw new Error('accuracyFloat: no samples');
  let correct = 0;
  for (const s of samples) if (argmax(runModelFloat(model, s.image)) === s.label) correct++;
  return correct / samples.length;
}

export function accuracyInt8(model: QuantizedModel, samples: Labelled[]): number {
  if (samples.length === 0) throw new Error('accuracyInt8: no samples');
  let correct = 0;
  for (const s of samples) if (argmax(runModelInt8(model, quantizeInput(model, s.image))) === s.label) correct++;
  return correct / samples.length;
}
