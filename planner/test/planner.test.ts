import { mulberry32 } from '@layerfleet/models';
import { middleAssignments } from './middle-assignments.js';
import test, { type ExecutionContext } from 'ava';
import { normalizeInstance, planExact, planSegmentDp, planNeurosurgeon, StaticStrategy, violations, latencySeconds, type Instance, PRIVACY_LEVELS } from '../src/index.js';

const rng = mulberry32;

function randomInstance(r: () => number): Instance {
  const L = 3 + Math.floor(r() * 4);
  const D = 2 + Math.floor(r() * 4);
  const levels = Object.values(PRIVACY_LEVELS);
  return normalizeInstance({
    requestRate: 1 + Math.floor(r() * 5),
    privacy: levels[Math.floor(r() * levels.length)],
    source: 'd0',
    model: { name: 'm', layers: Array.from({ length: L }, (_, i) => ({ name: `l${i + 1}`, macs: Math.floor(1e5 + r() * 1e6), weightBytes: Math.floor(r() * 5000), outputBytes: Math.floor(100 + r() * 5000) })) },
    devices: Array.from({ length: D }, (_, i) => ({
      id: `d${i}`, trusted: i === 0 || r() < 0.2, macsPerSecond: 1e6 + r() * 2e7, loadMacsPerSecond: r() * 1e6,
      memoryBytes: 2000 + r() * 20000, rateBitsPerSecond: 1e5 + r() * 5e6,
      exposed: Array.from({ length: L }, (_, k) => k + 1).filter(() => r() < 0.2),
    })),
  });
}

function bruteForce(inst: Instance): { latency: number; feasible: boolean } {
  let best = Infinity;
  for (const a of middleAssignments(inst.model.layers.length, inst.source, inst.devices.map((d) => d.id))) {
    if (violations(inst, a).length === 0) best = Math.min(best, latencySeconds(inst, a));
  }
  return { latency: best, feasible: best < Infinity };
}

/** Runs exact against brute force on `count` instances from `make`; returns how many were feasible. */
function exactMatchesBruteForce(t: ExecutionContext, make: (r: () => number) => Instance, seed: number, count: number): number {
  const r = rng(seed);
  let feasible = 0;
  for (let n = 0; n < count; n++) {
    const inst = make(r);
    const got = planExact(inst);
    const want = bruteForce(inst);
    t.true(got.proven);
    t.is(got.feasible, want.feasible, `instance ${n}`);
    if (!want.feasible) { t.true((got.reasons ?? []).length > 0, `instance ${n} gives a reason`); continue; }
    feasible++;
    t.deepEqual(violations(inst, got.assignment), [], `instance ${n}`);
    t.true(Math.abs(got.latencySeconds - want.latency) <= 1e-12 * want.latency, `instance ${n}: ${got.latencySeconds} vs ${want.latency}`);
  }
  return feasible;
}

test('exact equals brute force on 300 random small instances', (t) => {
  const feasible = exactMatchesBruteForce(t, randomInstance, 42, 300);
  t.true(feasible > 50 && feasible < 290, `a mix of feasible and infeasible cases (${feasible})`);
});

test("DESIGN.md's LeNet conv1 example parses with defaults", (t) => {
  const inst = normalizeInstance({ source: 'cam1', model: { name: 'lenet', layers: [{ name: 'conv1', macs: 117600, weightBytes: 156, outputBytes: 1176 }, { macs: 10 }] }, devices: [{ id: 'cam1', trusted: true, macsPerSecond: 5.6e8, memoryBytes: 1e9, rateBitsPerSecond: 7.22e7 }] });
  t.is(inst.requestRate, 1);
  t.deepEqual(inst.privacy, { maxExposedFraction: 1, minHidden: 0 });
  t.deepEqual(planExact(inst).assignment, ['cam1', 'cam1']);
});

test('an infeasible request names the constraint and devices', (t) => {
  const inst = normalizeInstance({
    requestRate: 10, source: 'cam', model: { name: 'm', layers: [{ macs: 1 }, { macs: 1e6, weightBytes: 10 }, { macs: 1 }] },
    devices: [{ id: 'cam', trusted: true, macsPerSecond: 1e9, memoryBytes: 1e9, rateBitsPerSecond: 1e9 }, { id: 'slow', macsPerSecond: 1e6, memoryBytes: 1e9, rateBitsPerSecond: 1e9 }, { id: 'tiny', macsPerSecond: 1e9, memoryBytes: 5, rateBitsPerSecond: 1e9 }],
  });
  const p = planExact(inst);
  t.false(p.feasible);
  const text = p.reasons!.join('\n');
  t.regex(text, /layer 2 .*slow \(4\.b compute/);
  t.regex(text, /layer 2 .*tiny \(4\.a memory/);
});

test('privacy "two hidden" keeps a device that saw layer 2 off layer 3', (t) => {
  const layers = [1, 2, 3, 4, 5].map((i) => ({ name: `l${i}`, macs: 1000, weightBytes: 1, outputBytes: 1 }));
  const dev = (id: string, exposed: number[] = []) => ({ id, macsPerSecond: 1e9, memoryBytes: 1e9, rateBitsPerSecond: 1e9, exposed });
  const inst = normalizeInstance({ source: 'cam', privacy: PRIVACY_LEVELS['two-hidden'], model: { name: 'm', layers }, devices: [{ ...dev('cam'), trusted: true }, dev('a', [2]), dev('b', [3])] });
  const p = planExact(inst);
  // a has seen layer 2 so may take neither 3 nor 4; b has seen 3 so may not take 4 either.
  t.false(p.feasible);
  const ok = normalizeInstance({ ...inst, devices: [...inst.devices, dev('c')] });
  const q = planExact(ok);
  t.true(q.feasible);
  t.deepEqual(violations(ok, q.assignment), []);
});

/** Random instances whose devices come from a few classes, so identical devices are common. */
function classedInstance(r: () => number): Instance {
  const L = 3 + Math.floor(r() * 5);
  const D = 3 + Math.floor(r() * 6);
  const levels = Object.values(PRIVACY_LEVELS);
  const classes = Array.from({ length: 3 }, () => ({ macsPerSecond: 1e6 + r() * 2e7, rateBitsPerSecond: 1e5 + r() * 5e6, memoryBytes: 2000 + r() * 20000 }));
  return normalizeInstance({
    requestRate: 1 + Math.floor(r() * 5),
    privacy: levels[Math.floor(r() * levels.length)],
    source: 'd0',
    model: { name: 'm', layers: Array.from({ length: L }, (_, i) => ({ name: `l${i + 1}`, macs: Math.floor(1e5 + r() * 1e6), weightBytes: Math.floor(r() * 5000), outputBytes: Math.floor(100 + r() * 5000) })) },
    devices: Array.from({ length: D }, (_, i) => ({
      id: `d${i}`, trusted: i === 0 || r() < 0.2, ...classes[Math.floor(r() * 3)],
      loadMacsPerSecond: r() < 0.6 ? 0 : r() * 1e6,
      exposed: r() < 0.6 ? [] : Array.from({ length: L }, (_, k) => k + 1).filter(() => r() < 0.2),
    })),
  });
}

test('exact equals brute force on 250 instances full of interchangeable devices (symmetry breaking is sound)', (t) => {
  const feasible = exactMatchesBruteForce(t, classedInstance, 2026, 250);
  t.true(feasible > 60, `enough feasible cases (${feasible})`);
});

test('segment-dp never breaks a constraint, rejects only what exact rejects, and is within 2 % of exact on ≥ 95 % of instances', (t) => {
  const r = rng(99);
  let feasible = 0, within = 0;
  for (let n = 0; n < 600; n++) {
    const inst = n % 2 ? classedInstance(r) : randomInstance(r);
    const opt = planExact(inst);
    const got = planSegmentDp(inst);
    if (got.assignment.length) t.deepEqual(violations(inst, got.assignment), [], `instance ${n}`);
    t.is(got.feasible, opt.feasible, `instance ${n}`);
    if (!opt.feasible) { t.true((got.reasons ?? []).length > 0); continue; }
    feasible++;
    t.true(got.latencySeconds >= opt.latencySeconds * (1 - 1e-12), `instance ${n} cannot beat the optimum`);
    if (got.latencySeconds <= opt.latencySeconds * 1.02) within++;
  }
  t.true(within >= 0.95 * feasible, `${within} of ${feasible} within 2 %`);
});

test('static ignores load: on a busy fleet it breaks 4.b where segment-dp finds room', (t) => {
  const layers = [1, 2, 3, 4].map((i) => ({ name: `l${i}`, macs: 1e6, weightBytes: 10, outputBytes: 100 }));
  const dev = (id: string, mps: number, load = 0) => ({ id, macsPerSecond: mps, loadMacsPerSecond: load, memoryBytes: 1e9, rateBitsPerSecond: 1e8 });
  const inst = normalizeInstance({ source: 'cam', model: { name: 'm', layers }, devices: [{ ...dev('cam', 1e9), trusted: true }, dev('big', 1e8, 9.9e7), dev('small', 1e7)] });
  const s = new StaticStrategy().plan(inst);
  t.deepEqual(s.assignment, ['cam', 'big', 'big', 'cam']);
  t.false(s.feasible);
  t.regex(s.reasons!.join(' '), /4\.b compute: big/);
  const ours = planSegmentDp(inst);
  t.true(ours.feasible);
  t.deepEqual(violations(inst, ours.assignment), []);
  t.true(ours.assignment.includes('small'));
});

test('neurosurgeon splits once: every middle layer on one device', (t) => {
  const r = rng(5);
  let placed = 0;
  for (let n = 0; n < 100; n++) {
    const inst = randomInstance(r);
    const p = planNeurosurgeon(inst);
    if (!p.feasible) continue;
    placed++;
    t.deepEqual(violations(inst, p.assignment), []);
    t.is(new Set(p.assignment.slice(1, -1)).size, 1);
    const opt = planExact(inst);
    t.true(p.latencySeconds >= opt.latencySeconds * (1 - 1e-12));
  }
  t.true(placed > 10);
});
