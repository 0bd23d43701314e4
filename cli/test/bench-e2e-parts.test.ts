/**
 * The parts of `bench e2e` under its figures, without a fleet: CPU read from /proc for a child
 * and its children, per-unit CPU between snapshots, percentiles and rates from latencies, and a
 * child whose awaited line never comes (or that dies first) fails the wait instead of hanging.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { cpuMs, cpuPer, descendants, snapshot } from '../src/bench-e2e-cpu.js';
import { figures, totalCpu } from '../src/bench-e2e-figures.js';
import { startChild } from '../src/bench-e2e-child.js';

const linux = process.platform === 'linux' ? test : test.skip;

linux('a spinning child and its own child are found below this process, and their CPU time grows', async (t) => {
  // the child spins for a moment, then starts a grandchild that sleeps until it is stopped
  const child = spawn(process.execPath, ['-e', "const end = Date.now() + 200; while (Date.now() < end); require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('up'); setInterval(() => {}, 1000);"], { stdio: ['ignore', 'pipe', 'ignore'] });
  const kill = (pid: number) => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ } };
  t.teardown(() => { for (const pid of descendants(child.pid).keys()) kill(pid); child.kill('SIGKILL'); });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const below = descendants();
  t.true(below.has(child.pid!), 'the child');
  const grandchildren = [...descendants(child.pid).keys()];
  t.is(grandchildren.length, 1, 'its own child');
  t.true(below.has(grandchildren[0]!), 'found from here too');
  t.true((cpuMs(child.pid!) ?? 0) > 0, 'it used CPU spinning');
  t.is(cpuMs(2 ** 22 + 12345), undefined, 'no such process');
});

test('CPU per unit between snapshots: only processes in both, with the same pid', (t) => {
  const before = new Map([['a', { pid: 1, ms: 100 }], ['b', { pid: 2, ms: 50 }], ['gone', { pid: 3, ms: 7 }]]);
  const after = new Map([['a', { pid: 1, ms: 300 }], ['b', { pid: 9, ms: 80 }]]);
  t.deepEqual(cpuPer(before, after, 100), { a: 2 });
  t.deepEqual(snapshot(new Map()), new Map());
});

test('figures: percentiles of the latencies, completions per second, total CPU', (t) => {
  const f = figures([5, 1, 4, 2, 3], 0.5, { x: 1.5, y: 0.25 }, 1, { 'conv1@cam1': 5 });
  t.is(f.p50_ms, 3);
  t.is(f.p95_ms, 5);
  t.is(f.per_s, 10);
  t.is(f.measured, 6);
  t.is(totalCpu(f), 1.75);
});

test('a child that never says the awaited line fails the wait when its time is up; one that exits first, at once', async (t) => {
  const quiet = startChild('quiet', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  t.teardown(() => quiet.stop());
  await t.throwsAsync(quiet.next('ready', 200), { message: /quiet: no "ready" within 200 ms/ });
  const dying = startChild('dying', process.execPath, ['-e', "console.error('cannot start'); process.exit(3)"]);
  await t.throwsAsync(dying.next('ready', 60_000), { message: /dying exited \(3\) before "ready": cannot start/ });
  const talking = startChild('talking', process.execPath, ['-e', "console.log('log line'); console.log(JSON.stringify({ event: 'ready', port: 5 })); setInterval(() => {}, 1000)"]);
  t.teardown(() => talking.stop());
  t.is((await talking.next('ready', 60_000)).port, 5);
});
