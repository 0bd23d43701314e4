// The attack suite against a running, enrolled-only gateway: each attack refused and counted as
// it should be, and the legitimate source served in full while a connection flood goes on.
import test from 'ava';
import { runAttackSuite, formatAttackReport, DEFAULT_SUITE, ATTACKS } from '../src/attack/index.js';

test('every attack is refused and counted; legitimate inferences complete during a connection flood', async (t) => {
  t.timeout(240_000);
  const report = await runAttackSuite({ ...DEFAULT_SUITE });
  // The figures go to the CI log (and the closing note): print them whether or not the checks pass.
  console.log(`\n${formatAttackReport(report)}\n`);
  t.is(report.attacks.length, ATTACKS.length);
  for (const a of report.attacks) t.true(a.refused, `${a.name}: expected ${JSON.stringify(a.expected)}, counted ${JSON.stringify(a.observed)}${a.error ? `, ${a.error}` : ''}`);

  const { flood, legitimate } = report;
  t.is(flood.accepted, 0, 'no flood connection got in');
  t.true(flood.connects >= DEFAULT_SUITE.floodConnects);
  t.true(flood.countedAll, `every flood connection is counted: ${flood.connects + flood.idleSockets} made, counted ${JSON.stringify(flood.counted)}`);
  t.true((flood.counted['connection-limit'] ?? 0) > 0, 'the pending-connection bound closed some on arrival');
  t.true((flood.counted['connection'] ?? 0) > 0, 'idle sockets were closed when their CONNECT did not come');
  t.true((flood.counted['auth'] ?? 0) > 0, 'false credentials were refused');
  t.is(legitimate.before.completed, legitimate.before.requested);
  t.is(legitimate.duringFlood.completed, legitimate.duringFlood.requested, 'every legitimate inference completes during the flood');
  t.true(legitimate.duringFlood.correct >= legitimate.duringFlood.requested * 0.9, 'and the answers are the model\'s');
});
