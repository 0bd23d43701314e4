// The trainer's hand-written backward pass against tfjs-backend-cpu's autodiff, same weights, same samples.
import test from 'ava';
import type { FloatModel } from '../src/float/model.js';
import { loadMnistSplit } from '../src/mnist.js';
import { initFloatModel } from '../src/train/init.js';
import { TrainNet } from '../src/train/network.js';
import { lenet5 } from '../src/zoo.js';
import { tfjsCpuWithGradients } from './tfjs-cpu.js';

test('LeNet-5 gradients match tfjs-backend-cpu within 1e-4 relative', async (t) => {
  const tf = await tfjsCpuWithGradients();

  const model: FloatModel = initFloatModel(lenet5, 12);
  // Non-zero biases so that their gradients and the relu boundaries are exercised.
  model.layers.forEach((l, i) => l.bias.forEach((_, c) => { l.bias[c] = 0.01 * (((c * 7 + i) % 5) - 2); }));
  const batch = loadMnistSplit(1).train.slice(0, 4);
  const net = new TrainNet(model);
  const ourLoss = net.lossAndGradients(batch);

  // tfjs wants conv filters HWIO and dense weights [in][out]; ours are OHWI and [out][in].
  const vars = model.layers.map((l) => {
    let w: ReturnType<typeof tf.tensor>;
    if (l.spec.kind === 'conv2d') {
      const { kernel: k, filters: o } = l.spec;
      w = tf.transpose(tf.tensor4d(l.weights, [o, k, k, l.spec.input[2]]), [1, 2, 3, 0]);
    } else {
      w = tf.transpose(tf.tensor2d(l.weights, [l.spec.units, l.spec.inputs]));
    }
    return { w: tf.variable(w), b: tf.variable(tf.tensor1d(l.bias)) };
  });
  const x = tf.tensor4d(Float32Array.from(batch.flatMap((s) => Array.from(s.image))), [batch.length, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(batch.map((s) => s.label), 'int32'), 10);
  const { value, grads } = tf.variableGrads(() => {
    let h: ReturnType<typeof tf.tensor> = x;
    model.layers.forEach((l, i) => {
      const v = vars[i]!;
      if (l.spec.kind === 'conv2d') {
        h = tf.add(tf.conv2d(h as ReturnType<typeof tf.tensor4d>, v.w as ReturnType<typeof tf.tensor4d>, l.spec.stride, l.spec.padding), v.b);
        if (l.spec.relu) h = tf.relu(h);
        if (l.spec.pool) h = tf.maxPool(h as ReturnType<typeof tf.tensor4d>, l.spec.pool.size, l.spec.pool.stride, 'valid');
      } else {
        h = tf.add(tf.matMul(tf.reshape(h, [batch.length, l.spec.inputs]), v.w as ReturnType<typeof tf.tensor2d>), v.b);
        if (l.spec.relu) h = tf.relu(h);
      }
    });
    // Mean over the batch of −log softmax[label].
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(h)), 1))) as ReturnType<typeof tf.scalar>;
  });
  t.true(Math.abs(ourLoss - (await value.data())[0]!) < 1e-5 * Math.abs(ourLoss), `loss ${ourLoss} vs tfjs`);

  for (let i = 0; i < model.layers.length; i++) {
    const l = model.layers[i]!;
    const ours = net.gradients[i]!;
    let tfW = grads[vars[i]!.w.name]!;
    tfW = l.spec.kind === 'conv2d' ? tf.transpose(tfW, [3, 0, 1, 2]) : tf.transpose(tfW);
    for (const [field, mine, theirs] of [['weights', ours.weights, await tfW.data()], ['bias', ours.bias, await grads[vars[i]!.b.name]!.data()]] as const) {
      t.is(mine.length, theirs.length);
      let maxAbs = 0;
      let maxDiff = 0;
      for (let k = 0; k < mine.length; k++) {
        maxAbs = Math.max(maxAbs, Math.abs(theirs[k]!));
        maxDiff = Math.max(maxDiff, Math.abs(mine[k]! - theirs[k]!));
      }
      t.true(maxAbs > 0, `${l.spec.name} ${field}: tfjs gradient is all zero`);
      t.true(maxDiff <= 1e-4 * maxAbs, `${l.spec.name} ${field}: max |diff| ${maxDiff} vs max |grad| ${maxAbs}`);
    }
  }
  tf.disposeVariables();
});
