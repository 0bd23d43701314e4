import test from 'ava';
import { TokenBucket } from '../src/token-bucket.js';
import { MacsBudget } from '../src/macs-budget.js';

test('a token bucket gives its burst, then its rate; reservations are spaced in order; refill never exceeds the rate', (t) => {
  let now = 0;
  const b = new TokenBucket(18, 4, () => now);
  t.deepEqual(Array.from({ length: 6 }, () => Math.round(b.reserve(1))), [0, 0, 0, 0, 56, 111], 'four at once, then 1/18 s apart');
  now += 1000; // 18 tokens refill: the two in debt are paid, 4 is the cap
  t.is(b.available(), 4);
  t.false(b.tryTake(5));
  t.true(b.tryTake(4));
  t.is(Math.round(b.waitMs(1)), 56);
  b.cancel(2);
  t.is(b.available(), 2);
  now += 60_000;
  t.is(b.available(), 4, 'a long pause refills to the burst, not beyond');
  // spent refill: what the sustained rate paid for, at most rate × time
  const before = b.spentTotal();
  now += 500;
  t.true(b.spentTotal() - before <= 18 * 0.5);
});

test('sending one request per reservation at the time it says keeps any window within burst + rate × window', (t) => {
  let now = 0;
  const b = new TokenBucket(18, 4, () => now);
  const sends: number[] = [];
  for (let i = 0; i < 200; i++) sends.push(now + b.reserve(1)); // a caller that reserves all at once
  for (const start of sends) {
    const inSecond = sends.filter((s) => s >= start && s < start + 1000).length;
    t.true(inSecond <= 4 + 18, `${inSecond} sends in the second from ${start}`);
  }
  const rate = (sends.length - 1) / ((sends.at(-1)! - sends[0]!) / 1000);
  t.true(rate <= 18.5, `overall ${rate}/s`);
});

test('the MAC budget delays a job until the budget allows, and refuses beyond the longest wait or the queue bound', async (t) => {
  let now = 0;
  const slept: number[] = [];
  const budget = new MacsBudget(1e6, { now: () => now, maxWaitMs: 500, maxQueued: 2, sleep: async (ms) => { slept.push(ms); } });
  t.is(budget.burst, 1e5, '0.1 s of budget to start with');
  t.deepEqual(budget.admit(240_000), { ok: true, waitMs: 140 }, 'a job larger than the burst grows it and waits for the rest');
  t.is(budget.burst, 240_000);
  const second = budget.admit(240_000);
  t.true(second.ok && second.waitMs === 380, JSON.stringify(second));
  const third = budget.admit(240_000);
  t.false(third.ok, 'two queued already');
  t.regex(!third.ok ? third.reason : '', /2 jobs already wait/);
  t.is(await budget.acquire(240_000) !== null, true, 'refused, counted');
  t.is(budget.refused, 1);
  now += 10_000;
  // a fresh limiter for the wait bound: 600 ms of work at once is refused, 400 ms waits
  const b2 = new MacsBudget(1e6, { now: () => now, maxWaitMs: 500, sleep: async (ms) => { slept.push(ms); } });
  b2.admit(100_000);
  t.false(b2.admit(600_000).ok);
  t.is(await b2.acquire(400_000), null);
  t.is(slept.at(-1), 400);
});

test('the budget drawn in any window stays within the budget even when a burst computes more', (t) => {
  let now = 0;
  const budget = new MacsBudget(1e6, { now: () => now, sleep: async () => {} });
  const reports: Array<{ used: number; computed: number }> = [];
  let last = budget.totals();
  // a job of 0.3 s of budget every 250 ms for 4 s: work arrives faster than the budget, so jobs queue
  for (let step = 0; step < 160; step++) {
    if (step % 10 === 0) { const a = budget.admit(300_000); if (a.ok) budget.done(300_000); }
    now += 25;
    if (step % 40 === 39) {
      const cur = budget.totals();
      const s = (cur.at - last.at) / 1000;
      reports.push({ used: (cur.spent - last.spent) / s, computed: (cur.computed - last.computed) / s });
      last = cur;
    }
  }
  t.true(reports.every((r) => r.used <= 1e6), JSON.stringify(reports));
  t.true(reports.some((r) => r.used > 0.5e6), 'it is measuring something');
});
