import test from 'ava';
import { InboxRateLimit } from '../src/inbox-rate-limit.js';

test('a client gets its burst, then its rate; clients do not share a budget; the table stays bounded', (t) => {
  const limit = new InboxRateLimit(100, 10, 3);
  let now = 0;
  const taken = (id: string, n: number) => Array.from({ length: n }, () => limit.take(id, now)).filter(Boolean).length;
  t.is(taken('spy', 50), 10, 'the burst, then nothing at the same instant');
  t.is(taken('w1', 5), 5, 'another client is not held back by the spy');
  now += 100; // 100 ms at 100/s: ten more
  t.is(taken('spy', 50), 10);
  now += 60_000; // a long pause refills to the burst, not beyond
  t.is(taken('spy', 50), 10);
  taken('a', 1); taken('b', 1); // past 3 clients the oldest bucket goes
  t.is(taken('w1', 10), 10, 'an evicted client starts again with a full burst');
});
