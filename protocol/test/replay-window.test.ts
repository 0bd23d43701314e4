import test from 'ava';
import { ReplayWindow } from '../src/replay-window.js';

const NOW = 1_760_000_000_000;

function accept(w: ReplayWindow, sender: string, seq: number, ts = NOW): ReturnType<ReplayWindow['check']> {
  const v = w.check(sender, seq, ts, NOW);
  if (v === null) w.accept(sender, seq, ts);
  return v;
}

test('in-order sequence numbers are accepted once each', (t) => {
  const w = new ReplayWindow();
  for (let s = 0; s < 3000; s++) t.is(accept(w, 'a', s), null);
  t.is(accept(w, 'a', 2999), 'replay');
});

test('out-of-order within the window is accepted once; repeats are replay', (t) => {
  const w = new ReplayWindow({ windowSize: 64 });
  t.is(accept(w, 'a', 100), null);
  t.is(accept(w, 'a', 90), null);
  t.is(accept(w, 'a', 37), null); // 100 - 63: oldest still in the window
  t.is(accept(w, 'a', 90), 'replay');
  t.is(accept(w, 'a', 100), 'replay');
  t.is(accept(w, 'a', 105), null);
  t.is(accept(w, 'a', 101), null);
  t.is(accept(w, 'a', 101), 'replay');
  t.is(accept(w, 'a', 90), 'replay');
});

test('older than the window is stale, not replay', (t) => {
  const w = new ReplayWindow({ windowSize: 64 });
  t.is(accept(w, 'a', 100), null);
  t.is(accept(w, 'a', 36), 'stale');
  t.is(accept(w, 'a', 1000), null); // jump far ahead clears the bitmap
  t.is(accept(w, 'a', 999), null);
  t.is(accept(w, 'a', 100), 'stale');
});

test('bits from an earlier pass around the ring do not leak into new sequence numbers', (t) => {
  const w = new ReplayWindow({ windowSize: 32 });
  t.is(accept(w, 'a', 5), null);
  t.is(accept(w, 'a', 30), null);
  // 37 maps to the same bit as 5; sliding forward must have cleared it
  t.is(accept(w, 'a', 40), null);
  t.is(accept(w, 'a', 37), null);
});

test('senders are independent', (t) => {
  const w = new ReplayWindow();
  t.is(accept(w, 'a', 1), null);
  t.is(accept(w, 'b', 1), null);
  t.is(accept(w, 'a', 1), 'replay');
});

test('timestamps outside ±maxSkew are stale or future; check alone changes nothing', (t) => {
  const w = new ReplayWindow({ maxSkewMs: 1000 });
  t.is(w.check('a', 1, NOW - 1001, NOW), 'stale');
  t.is(w.check('a', 1, NOW + 1001, NOW), 'future');
  t.is(w.check('a', 1, NOW + 1000, NOW), null);
  t.is(w.check('a', 1, NOW - 1000, NOW), null);
  t.is(w.check('a', 1, NOW, NOW), null); // not yet accepted
  w.accept('a', 1, NOW);
  t.is(w.check('a', 1, NOW, NOW), 'replay');
});

test('memory stays bounded, and an evicted sender cannot be replayed', (t) => {
  const w = new ReplayWindow({ maxSenders: 3 });
  t.is(accept(w, 'old', 1, NOW - 10), null);
  for (const s of ['b', 'c', 'd']) t.is(accept(w, s, 1, NOW), null);
  t.is(w.trackedSenders, 3);
  // 'old' was evicted: its state is gone, but its message is not newer than what it was evicted with
  t.is(accept(w, 'old', 1, NOW - 10), 'stale');
  // a fresh message from an untracked sender is still accepted
  t.is(accept(w, 'new', 1, NOW - 5), null);
  t.is(w.trackedSenders, 3);
});

test('invalid arguments are named', (t) => {
  const w = new ReplayWindow();
  t.throws(() => w.check('a', -1, NOW, NOW), { message: /^seq:/ });
  t.throws(() => w.check('a', 1.5, NOW, NOW), { message: /^seq:/ });
  t.throws(() => w.check('a', 1, Number.NaN, NOW), { message: /^ts:/ });
  t.throws(() => new ReplayWindow({ windowSize: 0 }), { message: /windowSize/ });
});
