/**
 * The yardstick: the same recipe trained in one process on the union of the edges' shards, with
 * the same steps, batch, schedule, augmentation and evaluation points, through the same code
 * (one Segment holding every layer). `central_accuracy` in the run's JSON is this network's.
 */
import { accuracyFloat, accuracyInt8, Adam, initFloatModel, lenet5, mulberry32, quantizeModel, randomShift, shuffle, type FloatModel, type MnistSample } from '@layerfleet/models';
import { learningRateAt, type SplitConfig } from './config.js';
import { Segment } from './segment.js';
import { lossRows } from './split-step.js';
import type { CurvePoint } from './trainer.js';

export interface CentralResult { model: FloatModel; float: number; int8: number; curve: CurvePoint[] }

export function trainCentral(config: SplitConfig, union: MnistSample[], heldOut: MnistSample[], stepsPerEpoch: number, onStep?: (step: number, total: number) => void): CentralResult {
  const model = initFloatModel(lenet5, config.seed);
  const all = new Segment(model, 0, model.layers.length);
  const adam = new Adam(all.params());
  const rng = mulberry32(config.seed ^ 0x9e3779b9);
  const [h, w, c] = lenet5.input;
  const total = stepsPerEpoch * config.epochs;
  const curve: CurvePoint[] = [];
  let lossSum = 0, lossCount = 0;
  let order: MnistSample[] = [];
  for (let step = 0; step < total; step++) {
    const pos = step % stepsPerEpoch;
    if (pos === 0) order = shuffle(union.slice(), rng);
    const batch = Array.from({ length: config.batch }, (_, k) => order[(pos * config.batch + k) % order.length]!);
    const images = batch.map((s) => (config.maxShift > 0 && rng() < config.shiftProbability ? randomShift(s.image, h, w, c, config.maxShift, rng, new Float32Array(h * w * c)) : s.image));
    const r = lossRows(all, images, batch.map((s) => s.label), 1 / batch.length);
    adam.step(all.gradients(), learningRateAt(config, step, total));
    lossSum += r.loss; lossCount++;
    const next = step + 1;
    if (next % config.evalEvery === 0 || next % stepsPerEpoch === 0 || next === total) {
      curve.push({ step: next, epoch: Math.ceil(next / stepsPerEpoch), loss: lossSum / lossCount, accuracy: accuracyFloat(model, heldOut.slice(0, config.evalSamples)) });
      lossSum = 0; lossCount = 0;
    }
    onStep?.(next, total);
  }
  const quantized = quantizeModel(model, union.slice(0, 1000).map((s) => s.image));
  return { model, float: accuracyFloat(model, heldOut), int8: accuracyInt8(quantized, heldOut), curve };
}
