import test from 'ava';
import { StreamRates } from '../src/stream-rate.js';

test('a stream within its declared rate (a burst included) is planned at it; one above it at the measured rate, reported once', (t) => {
  let now = 0;
  const rates = new StreamRates({ windowMs: 10_000, margin: 0.2, slack: 5, now: () => now });
  const over: number[] = [];
  const plan = () => rates.planningRate('cam', 'lenet5', 18, (m) => over.push(m));
  // 18/s after a burst of 4: within the margin
  for (let i = 0; i < 4; i++) rates.arrival('cam', 'lenet5');
  for (let i = 0; i < 180; i++) { now += 1000 / 18; rates.arrival('cam', 'lenet5'); }
  t.is(plan(), 18);
  t.deepEqual(over, []);
  t.is(rates.snapshot()['cam/lenet5']?.overDeclared, false);
  // then 38/s for ten seconds
  for (let i = 0; i < 380; i++) { now += 1000 / 38; rates.arrival('cam', 'lenet5'); }
  t.is(Math.round(plan()), 38);
  t.is(Math.round(plan()), 38);
  t.is(over.length, 1, 'reported once');
  t.like(rates.snapshot()['cam/lenet5'], { declared: 18, overDeclared: true, planned: 38 });
  // quiet again: the window empties, and the declared rate is what it is planned at
  now += 20_000;
  t.is(rates.measured('cam', 'lenet5'), 0);
  t.is(plan(), 18);
  t.is(rates.planningRate('other', 'lenet5', 3), 3, 'a stream never seen is planned at its declared rate');
});

test('streams are per source and model, and the table stays bounded', (t) => {
  let now = 0;
  const rates = new StreamRates({ windowMs: 1000, now: () => now, maxStreams: 2 });
  rates.arrival('a', 'm'); rates.arrival('b', 'm'); rates.arrival('a', 'm');
  t.is(rates.measured('a', 'm'), 2);
  t.is(rates.measured('a', 'x'), 0);
  rates.arrival('c', 'm'); // b is the longest quiet
  t.deepEqual(Object.keys(rates.snapshot()).sort(), ['a/m', 'c/m']);
  now += 1001;
  t.is(rates.measured('a', 'm'), 0);
});
