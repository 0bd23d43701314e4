// Faults (issue 16, item 5), on the in-memory fleet: wrongly shaped or malformed activations and
// gradients are refused with a reason and counted, and training goes on; a slow or silent edge
// holds the others up by a bounded wait only, and a returning edge rejoins.
import test from 'ava';
import { decodeTrainMessage, encodeTrainMessage, TrainWireError } from '../src/wire.js';
import { harness } from './harness.js';

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

test('a run on the in-memory fleet completes every step with every edge contributing', async (t) => {
  const h = harness();
  for (const e of h.edges.values()) e.join();
  const r = await within(h.trainer.done, 30_000, 'training');
  t.is(r.steps, r.totalSteps);
  t.is(r.totalSteps, 4); // 16 digits per edge, 4 per step
  for (const id of h.config.edges) t.is(r.edges[id]!.batchesUsed, r.totalSteps);
  t.deepEqual(r.refused, {});
  // the `stop`s are on their way
  for (let i = 0; i < 200 && ![...h.edges.values()].every((e) => e.stopped); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.true([...h.edges.values()].every((e) => e.stopped && e.stats.gradientsApplied === r.totalSteps), JSON.stringify([...h.edges.values()].map((e) => [e.stopped, e.stats])));
});

test('activations of the wrong width are refused with a reason, counted, and the edge is told to go on', async (t) => {
  const h = harness({ samplesPerEdge: 24 });
  let once = false;
  h.tamper = (from, _to, m) => {
    if (from === 'edge-2' && m.t === 'acts' && !once) { once = true; return { ...m, x: m.x.subarray(0, m.x.length - 3) }; }
    return m;
  };
  for (const e of h.edges.values()) e.join();
  const r = await within(h.trainer.done, 30_000, 'training');
  t.is(r.steps, r.totalSteps);
  t.true((r.refused['bad-shape'] ?? 0) >= 1, JSON.stringify(r.refused));
  t.is(h.trainer.rejections.toJSON()['bad-shape'], 1, JSON.stringify([...h.trainer.rejections.lastDetail]));
  t.true(h.log.some((l) => l.to === 'edge-2' && l.m.t === 'skip' && /acts\.x/.test(l.m.reason)));
  t.true(r.edges['edge-2']!.batchesUsed >= 1, 'edge-2 contributes again after the refusal');
});

test('a gradient of the wrong shape is refused by the edge, counted, not applied, and training goes on', async (t) => {
  const h = harness({ samplesPerEdge: 24 });
  let once = false;
  h.tamper = (_from, to, m) => {
    if (to === 'edge-1' && m.t === 'grad' && !once) { once = true; return { ...m, g: new Float32Array(m.g.length + 1176) }; }
    return m;
  };
  for (const e of h.edges.values()) e.join();
  const r = await within(h.trainer.done, 30_000, 'training');
  const e1 = h.edges.get('edge-1')!;
  t.is(r.steps, r.totalSteps);
  t.is(e1.stats.refused['bad-shape'], 1);
  t.is(e1.stats.gradientsApplied, r.totalSteps - 1);
  t.is(h.edges.get('edge-2')!.stats.gradientsApplied, r.totalSteps);
});

test('malformed bytes, non-finite values and unknown types are refused by the decoder with a reason', (t) => {
  const reason = (bytes: Uint8Array) => { try { decodeTrainMessage(bytes); return 'accepted'; } catch (err) { return err instanceof TrainWireError ? err.reason : `threw ${String(err)}`; } };
  t.is(reason(new Uint8Array([0xff, 0x00, 0x13])), 'bad-cbor');
  t.is(reason(encodeTrainMessage({ t: 'grad', step: 1, g: Float32Array.of(1, Number.NaN), front: false })), 'not-finite');
  const odd = encodeTrainMessage({ t: 'grad', step: 1, g: Float32Array.of(1, 2), front: false });
  t.is(reason(encodeTrainMessage({ t: 'skip', step: -1, reason: 'x' })), 'bad-field');
  t.is(reason(encodeTrainMessage({ t: 'nope' } as never)), 'unknown-type');
  t.is(reason(encodeTrainMessage({ t: 'acts', step: 0, n: 3, x: new Float32Array(10), claim: new Uint8Array(1) })), 'bad-shape');
  t.is(reason(odd), 'accepted');
});

test('a silent edge holds the others up by one bounded wait, its batches are skipped and counted; back, it rejoins', async (t) => {
  // enough steps that edge-2's silence timer fires, and it rejoins, before the run is over (on a loaded machine too)
  const h = harness({ samplesPerEdge: 1600, waitMs: 100, silenceMs: 300 });
  for (const e of h.edges.values()) e.join();
  // edge-2 goes silent from its second batch on, and comes back (joins again) later
  let seen = 0;
  h.tamper = (from, _to, m) => {
    if (from === 'edge-2' && m.t === 'acts') { seen++; if (seen >= 2 && seen <= 3) return null; }
    return m;
  };
  const started = Date.now();
  const r = await within(h.trainer.done, 30_000, 'training');
  t.is(r.steps, r.totalSteps);
  t.true(r.edges['edge-2']!.stepsSkipped >= 1, JSON.stringify(r.edges));
  t.true(r.edges['edge-2']!.batchesUsed >= 2, 'edge-2 contributed again after its silence');
  t.is(r.edges['edge-1']!.batchesUsed, r.totalSteps);
  t.true((h.trainer.rejections.toJSON()['edge-absent'] ?? 0) >= 1);
  t.log(`${r.totalSteps} steps in ${Date.now() - started} ms with ${r.edges['edge-2']!.stepsSkipped} of edge-2's skipped`);
});

test('a slow edge (every message late by more than the wait) does not stall the others: they finish every step', async (t) => {
  const h = harness({ samplesPerEdge: 24, waitMs: 150 });
  h.delay.set('edge-2', 400);
  for (const e of h.edges.values()) e.join();
  const r = await within(h.trainer.done, 30_000, 'training');
  t.is(r.steps, r.totalSteps);
  t.is(r.edges['edge-1']!.batchesUsed, r.totalSteps);
  t.true(r.edges['edge-2']!.stepsSkipped >= 1);
});
