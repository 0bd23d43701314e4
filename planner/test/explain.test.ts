import test from 'ava';
import { createStrategy, explainRejection, normalizeInstance, planExact, type Instance, type Rejection } from '../src/index.js';

/** A trusted source with room for everything; middle layers are the helpers' problem. */
const cam = { id: 'cam1', trusted: true, macsPerSecond: 1e9, memoryBytes: 1e9, rateBitsPerSecond: 1e8 };
const layer = (name: string, macs: number, weightBytes: number, outputBytes: number) => ({ name, macs, weightBytes, outputBytes });

function rejectedEverywhere(t: import('ava').ExecutionContext, inst: Instance): { why: Rejection; text: string } {
  const exact = planExact(inst);
  t.false(exact.feasible);
  t.true(exact.proven);
  t.is(exact.rejection?.length, 1);
  const why = exact.rejection![0]!;
  t.is(why.kind, 'together', 'every layer fits some device alone: the combination is the trouble');
  t.true(why.exhaustive);
  t.deepEqual(explainRejection(inst), exact.rejection);
  t.regex(createStrategy('neurosurgeon').plan(inst).reasons![0]!, /^neurosurgeon: no one device takes layers 2\.\.\d+ together \(one split point\): edge-a \(/);
  for (const name of ['segment-dp']) {
    const p = createStrategy(name).plan(inst);
    t.false(p.feasible, name);
    t.deepEqual(p.reasons, exact.reasons, `${name} names the same binding constraint`);
    t.deepEqual(p.rejection, exact.rejection, name);
  }
  t.is(exact.reasons!.length, 1);
  return { why, text: exact.reasons![0]! };
}

test('(a) 4.b shared budget: conv2 and fc1 each fit edge-a alone, not together', (t) => {
  const inst = normalizeInstance({
    requestRate: 20, source: 'cam1',
    model: { name: 'm', layers: [layer('conv1', 1000, 100, 1000), layer('conv2', 150_000, 1000, 500), layer('fc1', 160_000, 1000, 100), layer('fc2', 1000, 100, 10)] },
    devices: [cam, { id: 'edge-a', macsPerSecond: 5e6, memoryBytes: 1e6, rateBitsPerSecond: 1e8 }, { id: 'edge-b', macsPerSecond: 1e6, memoryBytes: 1e6, rateBitsPerSecond: 1e8 }],
  });
  const { why, text } = rejectedEverywhere(t, inst);
  t.is(why.layer, 3);
  t.deepEqual(why.after, ['cam1', 'edge-a']);
  const onA = why.refusals.filter((r) => r.device === 'edge-a');
  t.deepEqual(onA.map((r) => [r.code, r.layers, r.need, r.free]), [['4.b', [2, 3], 6.2e6, 5e6]]);
  t.deepEqual(why.refusals.filter((r) => r.device === 'edge-b').map((r) => [r.code, r.layers, r.need]), [['4.b', [3], 3.2e6]]);
  t.deepEqual(why.refusals.filter((r) => r.device === 'cam1').map((r) => r.code), ['4.e/4.f']);
  t.regex(text, /the furthest a placement gets is conv2 on edge-a; layer 3 \(fc1\) then fits no device — 4\.b compute: edge-a would need 6\.20e\+6 MAC\/s for conv2\+fc1 at 20 requests\/s, 5\.00e\+6 free, edge-b would need 3\.20e\+6 MAC\/s for fc1 at 20 requests\/s, 1\.00e\+6 free$/);
  t.log(text);
});

test('(b) 4.c link: edge-a would send conv2 to edge-b and fc2 back to the source, over its one link', (t) => {
  const inst = normalizeInstance({
    requestRate: 1, source: 'cam1',
    model: { name: 'm', layers: [layer('conv1', 1000, 100, 100), layer('conv2', 1e6, 1000, 1000), layer('fc1', 5e4, 5e4, 100), layer('fc2', 1e6, 1000, 1000), layer('out', 1000, 100, 10)] },
    devices: [cam, { id: 'edge-a', macsPerSecond: 1e7, memoryBytes: 1e4, rateBitsPerSecond: 1.2e4 }, { id: 'edge-b', macsPerSecond: 1e5, memoryBytes: 1e8, rateBitsPerSecond: 1e8 }],
  });
  const { why, text } = rejectedEverywhere(t, inst);
  t.is(why.layer, 4);
  t.deepEqual(why.after, ['cam1', 'edge-a', 'edge-b']);
  const link = why.refusals.filter((r) => r.code === '4.c');
  t.deepEqual(link.map((r) => [r.device, r.layers, r.to, r.need, r.free]), [['edge-a', [2, 4], ['edge-b', 'cam1'], 16_000, 12_000]]);
  t.deepEqual(why.refusals.filter((r) => r.device === 'edge-b').map((r) => [r.code, r.layers]), [['4.b', [3, 4]]]);
  t.regex(text, /layer 4 \(fc2\) then fits no device — 4\.b compute: edge-b would need .*; 4\.c link: edge-a would send 1\.60e\+4 b\/s \(conv2 → edge-b, fc2 → cam1\) at 1 requests\/s, 1\.20e\+4 free/);
  t.log(text);
});

test('(c) eq. 6 with maxExposedFraction: edge-a, which saw conv2 before, would see 2 of layers 2..4 before fc2', (t) => {
  const inst = normalizeInstance({
    requestRate: 1, source: 'cam1', privacy: { maxExposedFraction: 0.3, minHidden: 0 },
    model: { name: 'm', layers: [layer('conv1', 1000, 100, 100), layer('conv2', 1000, 500, 100), layer('conv3', 1000, 500, 100), layer('fc1', 1000, 5000, 100), layer('fc2', 1000, 5000, 100), layer('fc3', 1000, 100, 10)] },
    devices: [cam, { id: 'edge-a', macsPerSecond: 1e8, memoryBytes: 1e8, rateBitsPerSecond: 1e8, exposed: [2] }, { id: 'vault', trusted: true, macsPerSecond: 1e7, memoryBytes: 2000, rateBitsPerSecond: 1e8 }],
  });
  const { why, text } = rejectedEverywhere(t, inst);
  t.is(why.layer, 5);
  const privacy = why.refusals.filter((r) => r.code === 'eq6');
  t.deepEqual(privacy.map((r) => [r.device, r.privacy!.clause, r.privacy!.exposedPrior, r.privacy!.prior, r.privacy!.bound]), [['edge-a', 'fraction', 2, 3, 1.5]]);
  t.deepEqual(why.refusals.filter((r) => r.device === 'vault').map((r) => r.code), ['4.a']);
  t.regex(text, /layer 5 \(fc2\) then fits no device — 4\.a memory: vault would need .*; privacy \(eq\. 6\): edge-a would have seen 2 of layers 2\.\.4 before fc2 \(layer 5\), max 0\.3·5 = 1\.5/);
  t.log(text);
});

test('the source carrying layers 1 and L together, and a middle layer no device takes alone, need no search', (t) => {
  const both = normalizeInstance({
    requestRate: 10, source: 'cam1',
    model: { name: 'm', layers: [layer('conv1', 6e5, 100, 100), layer('mid', 10, 10, 10), layer('out', 6e5, 100, 10)] },
    devices: [{ ...cam, macsPerSecond: 1e7 }, { id: 'edge-a', macsPerSecond: 1e9, memoryBytes: 1e9, rateBitsPerSecond: 1e9 }],
  });
  const p = planExact(both);
  t.is(p.nodes, 0);
  t.deepEqual(p.rejection!.map((r) => [r.kind, r.refusals.map((x) => [x.code, x.device, x.layers])]), [['source', [['4.b', 'cam1', [1, 3]]]]]);
  t.regex(p.reasons![0]!, /layers 1 and 3 \(conv1, out\) must both run on the source cam1: 4\.b compute: cam1 would need 1\.20e\+7 MAC\/s for conv1\+out at 10 requests\/s, 1\.00e\+7 free/);
  const alone = normalizeInstance({ ...both, devices: [cam, { id: 'edge-a', macsPerSecond: 1, memoryBytes: 1e9, rateBitsPerSecond: 1e9 }] });
  t.regex(createStrategy('segment-dp').plan(alone).reasons![0]!, /layer 2 \(mid\): no device fits — cam1 \(source keeps out of middle layers \(4\.e\/4\.f\)\); edge-a \(4\.b compute: needs 100 MAC\/s of 1 free\)/);
});
