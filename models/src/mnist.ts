// The 10000 MNIST digits the `mnist` package ships, split by a seeded shuffle into 8000 for
// training and 2000 held out (never seen by training or calibration).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mulberry32, shuffle } from './rng.js';

export interface MnistSample {
  /** 28×28, row-major, values in [0, 1]. */
  image: Float32Array;
  label: number;
}

export interface MnistSplit {
  /** 8000 digits for training and calibration. */
  train: MnistSample[];
  /** The 2000 held-out digits: never trained or calibrated on; accuracy is measured here. */
  test: MnistSample[];
  /** The same array as `test`, under the name the acceptance criteria use. */
  heldOut: MnistSample[];
}

const PIXELS = 784;
const TRAIN = 8000;
let digits: MnistSample[] | undefined;

/** All digits in the package's order (class 0 first), read once. */
export function loadMnistDigits(): MnistSample[] {
  if (digits) return digits;
  const require = createRequire(import.meta.url);
  const all: MnistSample[] = [];
  for (let label = 0; label < 10; label++) {
    const file = require.resolve(`mnist/src/digits/${label}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    if (!Array.isArray(data) || data.length % PIXELS !== 0) throw new Error(`mnist: ${file} does not hold whole ${PIXELS}-pixel images`);
    for (let off = 0; off < data.length; off += PIXELS) {
      all.push({ image: Float32Array.from(data.slice(off, off + PIXELS)), label });
    }
  }
  if (all.length !== 10000) throw new Error(`mnist: expected 10000 digits, found ${all.length}`);
  digits = all;
  return all;
}

export function loadMnistSplit(seed = 1): MnistSplit {
  const order = shuffle(loadMnistDigits().slice(), mulberry32(seed));
  const test = order.slice(TRAIN);
  return { train: order.slice(0, TRAIN), test, heldOut: test };
}
