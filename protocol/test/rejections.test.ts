import test from 'ava';
import { Rejections, LOG_BURST, LOG_WINDOW_MS } from '../src/index.js';

test('every rejection is counted; the log takes a burst per reason per window and then one summary line', (t) => {
  let now = 1_000_000;
  const lines: string[] = [];
  const r = new Rejections((l) => lines.push(l), () => now);
  for (let i = 0; i < 1000; i++) r.count('auth', `client c${i} refused`);
  r.count('replay', 'seq 5 again');
  t.is(r.byReason.get('auth'), 1000);
  t.is(r.lastDetail.get('auth'), 'client c999 refused');
  t.is(lines.filter((l) => l.startsWith('rejected (auth)')).length, LOG_BURST);
  t.true(lines.includes('rejected (replay): seq 5 again'), 'another reason has its own burst');
  now += LOG_WINDOW_MS;
  r.count('auth', 'client late refused');
  t.regex(lines.at(-2)!, new RegExp(`^rejected \\(auth\\): ${1000 - LOG_BURST} more not logged between `));
  t.is(lines.at(-1), 'rejected (auth): client late refused');
  t.deepEqual(r.toJSON(), { auth: 1001, replay: 1 });
});
