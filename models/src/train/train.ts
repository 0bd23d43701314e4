// Minibatch training with Adam and a cosine learning-rate schedule; deterministic for a seed.
import type { FloatModel } from '../float/model.js';
import type { ModelGraph } from '../graph.js';
import { mulberry32, shuffle } from '../rng.js';
import { Adam } from './adam.js';
import { randomShift } from './augment.js';
import { initFloatModel } from './init.js';
import { TrainNet, type LabelledImage } from './network.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Final learning rate at the end of the cosine schedule. */
  minLearningRate?: number;
  seed: number;
  /** Random shift augmentation in pixels (0 = none). */
  maxShift?: number;
  /** Fraction of each epoch's samples that get shifted. */
  shiftProbability?: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss over the batches of this epoch so far. */
  loss: number;
  elapsedMs: number;
}

export function trainModel(
  graph: ModelGraph, samples: LabelledImage[], opts: TrainOptions, onProgress?: (p: TrainProgress) => void,
): FloatModel {
  if (samples.length === 0) throw new Error(`trainModel ${graph.name}: no samples`);
  const model = initFloatModel(graph, opts.seed);
  const net = new TrainNet(model);
  const adam = new Adam(net.parameterArrays());
  const params = net.gradientArrays();
  const rng = mulberry32(opts.seed ^ 0x9e3779b9);
  const [h, w, c] = graph.input;
  const batches = Math.ceil(samples.length / opts.batchSize);
  const totalSteps = opts.epochs * batches;
  const minLr = opts.minLearningRate ?? opts.learningRate * 0.02;
  const maxShift = opts.maxShift ?? 0;
  const shiftP = opts.shiftProbability ?? 0.5;
  // Shifted copies are written into per-slot buffers reused every batch.
  const shifted = Array.from({ length: opts.batchSize }, () => new Float32Array(h * w * c));
  const start = Date.now();
  let step = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = shuffle(samples.slice(), rng);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const batch = order.slice(b * opts.batchSize, (b + 1) * opts.batchSize).map((s, i) =>
        maxShift > 0 && rng() < shiftP ? { image: randomShift(s.image, h, w, c, maxShift, rng, shifted[i]!), label: s.label } : s);
      lossSum += net.lossAndGradients(batch);
      const lr = minLr + 0.5 * (opts.learningRate - minLr) * (1 + Math.cos((Math.PI * step) / totalSteps));
      adam.step(params, lr);
      step++;
      onProgress?.({ epoch, epochs: opts.epochs, batch: b + 1, batches, loss: lossSum / (b + 1), elapsedMs: Date.now() - start });
    }
  }
  return model;
}
