import test from 'ava';
import { mulberry32 } from '@layerfleet/models';
import { Mlp } from '../src/rl/mlp.js';

function problem(seed: number, nIn: number, nOut: number, batch: number) {
  const r = mulberry32(seed);
  // Some exact zeros, as in real states (empty slots) — they must not break anything.
  const x = Float64Array.from({ length: batch * nIn }, () => (r() < 0.2 ? 0 : 2 * r() - 1));
  const actions = Int32Array.from({ length: batch }, () => Math.floor(r() * nOut));
  const targets = Float64Array.from({ length: batch }, () => 2 * r() - 1);
  return { x, actions, targets };
}

test('backward matches central finite differences on every parameter of a tiny net', (t) => {
  // Widths 7 and 6 are padded to 16 inside: the check also covers the padding.
  const net = new Mlp({ sizes: [5, 7, 6, 4], seed: 3, backend: 'js' });
  const { x, actions, targets } = problem(4, 5, 4, 6);
  net.gradients(x, actions, targets, 6);
  const grads = net.exportGradients();
  const ws = net.exportTensors();
  let checked = 0, worst = 0;
  for (let k = 0; k < ws.length; k++) {
    for (let i = 0; i < ws[k]!.length; i++) {
      const w = ws[k]![i]!;
      ws[k]![i] = w + 1e-3; const up = ws[k]![i]!; net.importTensors(ws); const lUp = net.loss(x, actions, targets, 6);
      ws[k]![i] = w - 1e-3; const down = ws[k]![i]!; net.importTensors(ws); const lDown = net.loss(x, actions, targets, 6);
      ws[k]![i] = w;
      // the float32 steps actually taken, not the nominal ±1e-3
      const fd = (lUp - lDown) / (up - down), g = grads[k]![i]!;
      const err = Math.abs(fd - g) / (1e-3 + Math.abs(fd) + Math.abs(g));
      worst = Math.max(worst, err);
      t.true(err < 2e-2, `tensor ${k} entry ${i}: finite difference ${fd}, backward ${g}`);
      checked++;
    }
  }
  net.importTensors(ws);
  t.is(checked, 5 * 7 + 7 + 7 * 6 + 6 + 6 * 4 + 4);
  t.log(`worst relative error ${worst.toExponential(2)} over ${checked} parameters`);
});

test('the WebAssembly kernel agrees with the JS fallback', (t) => {
  const a = new Mlp({ sizes: [37, 20, 33, 7], seed: 5 });
  const b = new Mlp({ sizes: [37, 20, 33, 7], seed: 5, backend: 'js' });
  if (a.backend !== 'wasm-simd') { t.log('no WebAssembly SIMD here: fallback only'); t.pass(); return; }
  const { x, actions, targets } = problem(1, 37, 7, 9);
  const qa = Array.from(a.forward(x, 9)), qb = Array.from(b.forward(x, 9));
  qa.forEach((q, i) => t.true(Math.abs(q - qb[i]!) < 1e-5, `output ${i}: ${q} vs ${qb[i]}`));
  a.gradients(x, actions, targets, 9);
  b.gradients(x, actions, targets, 9);
  const ga = a.exportGradients(), gb = b.exportGradients();
  for (let k = 0; k < ga.length; k++) for (let i = 0; i < ga[k]!.length; i++) t.true(Math.abs(ga[k]![i]! - gb[k]![i]!) < 1e-5, `gradient ${k}/${i}`);
});

test('Adam fits a fixed regression on the chosen outputs', (t) => {
  const net = new Mlp({ sizes: [6, 64, 64, 3], seed: 9, lr: 3e-3, maxBatch: 32 });
  const r = mulberry32(2);
  const x = Float64Array.from({ length: 32 * 6 }, () => r());
  const actions = Int32Array.from({ length: 32 }, (_, s) => s % 3);
  // a smooth target per (input, action)
  const targets = Float64Array.from({ length: 32 }, (_, s) => Math.sin(3 * x[s * 6]!) + x[s * 6 + 1]! * (actions[s]! - 1));
  const before = net.loss(x, actions, targets, 32);
  let after = before;
  for (let i = 0; i < 400; i++) after = net.train(x, actions, targets, 32);
  after = net.loss(x, actions, targets, 32);
  t.true(after < before / 50, `loss ${before} → ${after}`);
});

test('a gradient-norm clip changes the steps taken and training still converges', (t) => {
  const opts = { sizes: [4, 8, 2], seed: 1, lr: 1e-2, maxBatch: 8 };
  const clipped = new Mlp({ ...opts, clipNorm: 1e-3 }), free = new Mlp(opts);
  const { x, actions, targets } = problem(7, 4, 2, 8);
  for (let i = 0; i < 5; i++) targets[i] = 100; // a huge error: raw gradients far above the clip
  const before = clipped.loss(x, actions, targets, 8);
  for (let i = 0; i < 50; i++) {
    // Adam is scale-invariant for a constant gradient scale, so vary the batch to vary the norm.
    clipped.train(x, actions, targets, 4 + (i % 5));
    free.train(x, actions, targets, 4 + (i % 5));
  }
  t.notDeepEqual(clipped.exportTensors(), free.exportTensors());
  for (let i = 0; i < 2000; i++) clipped.train(x, actions, targets, 8);
  t.true(clipped.loss(x, actions, targets, 8) < before / 2);
});

test('seeded init is deterministic, copyFrom and import/export round-trip exactly', (t) => {
  const a = new Mlp({ sizes: [10, 64, 64, 5], seed: 42 });
  const b = new Mlp({ sizes: [10, 64, 64, 5], seed: 42 });
  const c = new Mlp({ sizes: [10, 64, 64, 5], seed: 43 });
  t.deepEqual(a.exportTensors(), b.exportTensors());
  t.notDeepEqual(a.exportTensors(), c.exportTensors());
  const { x } = problem(3, 10, 5, 4);
  c.copyFrom(a);
  t.deepEqual(Array.from(c.forward(x, 4)), Array.from(a.forward(x, 4)));
  const d = new Mlp({ sizes: [10, 64, 64, 5], seed: 1 });
  d.importTensors(a.exportTensors());
  t.deepEqual(Array.from(d.forward(x, 4)), Array.from(a.forward(x, 4)));
  t.deepEqual(a.tensorShapes, [[10, 64], [64], [64, 64], [64], [64, 5], [5]]);
  t.throws(() => d.importTensors(a.exportTensors().slice(1)), { message: /5 tensors, expected 6/ });
  t.throws(() => a.forward(x, 65), { message: /batch 65/ });
});
