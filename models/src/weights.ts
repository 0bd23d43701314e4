// The committed LeNet-5 weights, found relative to this module: dist/src/ → models/weights/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloatModel } from './float/model.js';
import type { QuantizedModel } from './quantize.js';
import { decodeFloatModel, decodeQuantizedModel } from './serialize.js';

const WEIGHTS_DIR = new URL('../../weights/', import.meta.url);
const GOLDEN_DIR = new URL('../../golden/', import.meta.url);

export const LENET_INT8_FILE = 'lenet5.int8.cbor';
export const LENET_FLOAT_FILE = 'lenet5.f32.cbor';
export const LENET_GOLDEN_FILE = 'lenet5-golden.json';

export function weightsPath(file: string): string {
  return fileURLToPath(new URL(file, WEIGHTS_DIR));
}

export function goldenPath(file: string): string {
  return fileURLToPath(new URL(file, GOLDEN_DIR));
}

function read(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); \`npm run train:lenet\` writes it`);
  }
}

/**
 * Where the served LeNet-5 comes from: the directory in LAYERFLEET_MODEL_DIR when set (`npm start
 * -- --model DIR` sets it for the whole fleet; `train-split --out DIR` writes one), else the
 * committed weights. Golden vectors always belong to the committed weights.
 */
function servedWeightsPath(file: string): string {
  const dir = process.env.LAYERFLEET_MODEL_DIR;
  return dir ? join(dir, file) : weightsPath(file);
}

export function loadLenetInt8(): QuantizedModel {
  return decodeQuantizedModel(read(servedWeightsPath(LENET_INT8_FILE)));
}

export function loadLenetFloat(): FloatModel {
  return decodeFloatModel(read(servedWeightsPath(LENET_FLOAT_FILE)));
}
