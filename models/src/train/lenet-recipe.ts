// How the committed LeNet-5 is trained and quantised; the CLI and its tests share these numbers.
import type { TrainOptions } from './train.js';

export const LENET_RECIPE: TrainOptions = {
  epochs: 20,
  batchSize: 32,
  learningRate: 0.002,
  minLearningRate: 0.00004,
  seed: 1,
  // ±2 px shifts on half the samples: 8000 digits are few, and shifted digits are still digits.
  maxShift: 2,
  shiftProbability: 0.5,
};

/** Training images used for activation-range calibration (never held-out ones). */
export const LENET_CALIBRATION_IMAGES = 1000;
/** The split seed for loadMnistSplit. */
export const LENET_SPLIT_SEED = 1;
/** The demo's acceptance bar on the 2000 held-out digits. */
export const LENET_MIN_INT8_ACCURACY = 0.97;
