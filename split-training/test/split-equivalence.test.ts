// Step (1) of issue 16: the split forward/backward, run in one process, equals unsplit training on
// the same batch — same loss, same gradient for every parameter — for each cut and both label
// placements, with the batch spread over several edges.
import test from 'ava';
import { initFloatModel, lenet5, loadMnistSplit, TrainNet } from '@layerfleet/models';
import { cloneModel } from '../src/model-copy.js';
import { Segment } from '../src/segment.js';
import { splitPlan, trainerRange, type LabelsAt } from '../src/split-plan.js';
import { backwardRows, forwardRows, lossRows, rows } from '../src/split-step.js';

const { train } = loadMnistSplit(1);
const batch = train.slice(0, 12);
const edges = [batch.slice(0, 5), batch.slice(5, 9), batch.slice(9)];

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d / scale;
}

for (const [cutAfter, labelsAt] of [['conv1', 'trainer'], ['conv2', 'trainer'], ['conv1', 'edge'], ['conv2', 'edge']] as Array<[string, LabelsAt]>) {
  test(`split at ${cutAfter}, labels at the ${labelsAt}: loss and every gradient equal unsplit training on the same batch`, (t) => {
    const model = initFloatModel(lenet5, 7);
    const whole = new TrainNet(cloneModel(model));
    const wholeLoss = whole.lossAndGradients(batch);

    const plan = splitPlan(lenet5, cutAfter, labelsAt);
    const [from, to] = trainerRange(plan);
    const split = cloneModel(model);
    const front = new Segment(split, 0, plan.cut);
    const trainer = new Segment(split, from, to);
    const tail = labelsAt === 'edge' ? new Segment(split, to, plan.layers) : null;
    const N = batch.length;
    const sum = (into: Float32Array[], add: Float32Array[]) => into.forEach((g, j) => { for (let i = 0; i < g.length; i++) g[i]! += add[j]![i]!; });
    const frontGrads = front.gradients().map((g) => new Float32Array(g.length));
    const tailGrads = tail ? tail.gradients().map((g) => new Float32Array(g.length)) : [];

    // up: each edge's activations; the trainer sees their concatenation
    const acts = edges.map((e) => forwardRows(front, e.map((s) => s.image)));
    const all = new Float32Array(acts.reduce((n, a) => n + a.length, 0));
    let off = 0;
    for (const a of acts) { all.set(a, off); off += a.length; }
    const width = front.outputSize;
    let loss = 0;
    let dAll: Float32Array;
    if (!tail) {
      const r = lossRows(trainer, rows(all, width), batch.map((s) => s.label), 1 / N);
      loss = r.loss;
      dAll = r.dInput;
    } else {
      // U-shaped: the middle's output goes down, each edge's tail computes its loss (scaled by the combined batch), its gradient comes up
      const mids = forwardRows(trainer, rows(all, width));
      const dMids = new Float32Array(mids.length);
      let row = 0;
      for (const e of edges) {
        const mine = mids.subarray(row * trainer.outputSize, (row + e.length) * trainer.outputSize);
        const r = lossRows(tail, rows(mine, trainer.outputSize), e.map((s) => s.label), 1 / N);
        loss += r.loss;
        dMids.set(r.dInput, row * trainer.outputSize);
        sum(tailGrads, tail.gradients());
        row += e.length;
      }
      dAll = backwardRows(trainer, rows(all, width), dMids, true)!;
    }
    let row = 0;
    for (const e of edges) {
      backwardRows(front, e.map((s) => s.image), dAll.subarray(row * width, (row + e.length) * width), false);
      sum(frontGrads, front.gradients());
      row += e.length;
    }

    t.true(Math.abs(loss - wholeLoss) < 1e-5 * Math.abs(wholeLoss), `loss ${loss} vs ${wholeLoss}`);
    const splitGrads = [...frontGrads, ...trainer.gradients(), ...tailGrads];
    const wholeGrads = whole.gradientArrays();
    t.is(splitGrads.length, wholeGrads.length);
    splitGrads.forEach((g, j) => {
      t.is(g.length, wholeGrads[j]!.length);
      const d = maxRelDiff(wholeGrads[j]!, g);
      t.true(d < 1e-5, `parameter array ${j}: max difference ${d} of its largest gradient`);
    });
    // a real gradient, not two zero arrays agreeing
    t.true(wholeGrads.every((g) => g.some((v) => v !== 0)));
  });
}

test('a cut that leaves the trainer no layer is refused with the layer names', (t) => {
  t.throws(() => splitPlan(lenet5, 'fc3', 'trainer'), { message: /trainer would hold no layer/ });
  t.throws(() => splitPlan(lenet5, 'fc2', 'edge'), { message: /trainer would hold no layer/ });
  t.throws(() => splitPlan(lenet5, 'conv9', 'trainer'), { message: /conv1, conv2, fc1, fc2, fc3/ });
});
