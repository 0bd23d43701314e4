import test from 'ava';
import { loadMnistSplit } from '../src/mnist.js';
import { TrainNet } from '../src/train/network.js';
import { trainModel } from '../src/train/train.js';
import { lenet5 } from '../src/zoo.js';

test('training is deterministic for a seed and lowers the loss', (t) => {
  const samples = loadMnistSplit(1).train.slice(0, 192);
  const opts = { epochs: 2, batchSize: 32, learningRate: 0.002, seed: 9, maxShift: 2 };
  const losses: number[] = [];
  const a = trainModel(lenet5, samples, opts, (p) => { if (p.batch === p.batches) losses.push(p.loss); });
  const b = trainModel(lenet5, samples, opts);
  a.layers.forEach((l, i) => t.deepEqual(l.weights, b.layers[i]!.weights, l.spec.name));
  const c = trainModel(lenet5, samples, { ...opts, seed: 10 });
  t.notDeepEqual(a.layers[0]!.weights, c.layers[0]!.weights);
  t.is(losses.length, 2);
  t.true(losses[1]! < losses[0]!, `epoch losses ${losses}`);
  // The trained model fits its own data better than chance by a wide margin.
  const net = new TrainNet(a);
  t.true(net.lossAndGradients(samples) < Math.log(10) * 0.7);
});
