import test from 'ava';
import { loadMnistSplit } from '../src/mnist.js';
import { mulberry32 } from '../src/rng.js';

test('loadMnistSplit gives 8000 / 2000 disjoint samples, deterministic per seed', (t) => {
  const a = loadMnistSplit(1);
  const b = loadMnistSplit(1);
  const c = loadMnistSplit(2);
  t.is(a.train.length, 8000);
  t.is(a.heldOut.length, 2000);
  t.is(a.test, a.heldOut);
  t.is(new Set([...a.train, ...a.heldOut]).size, 10000);
  t.true(a.heldOut.every((s, i) => s === b.heldOut[i]));
  t.false(a.heldOut.every((s, i) => s === c.heldOut[i]));
  const s = a.train[0]!;
  t.is(s.image.length, 784);
  t.true(s.image.every((v) => v >= 0 && v <= 1));
  t.true(Number.isInteger(s.label) && s.label >= 0 && s.label <= 9);
  // Every class is present in the held-out part.
  t.is(new Set(a.heldOut.map((x) => x.label)).size, 10);
});

test('mulberry32 is deterministic and roughly uniform', (t) => {
  const r1 = mulberry32(42);
  const r2 = mulberry32(42);
  const xs = Array.from({ length: 10000 }, () => r1());
  t.true(xs.every((x) => x === r2()));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.true(Math.abs(mean - 0.5) < 0.02);
  t.true(xs.every((x) => x >= 0 && x < 1));
});
