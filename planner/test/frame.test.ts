import { mulberry32 } from '@layerfleet/models';
import { middleAssignments } from './middle-assignments.js';
import test from 'ava';
import { applyPlacement, frameViolations, latencySeconds, normalizeInstance, planFrameExact, planFrameSequential, SegmentDpStrategy, PRIVACY_LEVELS, frameInstance, type Frame } from '../src/index.js';

const rng = mulberry32;

function randomFrame(r: () => number): Frame {
  const levels = Object.values(PRIVACY_LEVELS);
  const model = (name: string, L: number) => ({ name, layers: Array.from({ length: L }, (_, i) => ({ name: `${name}${i + 1}`, macs: Math.floor(1e5 + r() * 1e6), weightBytes: Math.floor(r() * 4000), outputBytes: Math.floor(100 + r() * 4000) })) });
  const models = [model('a', 3 + Math.floor(r() * 2)), model('b', 3 + Math.floor(r() * 2))];
  const D = 2 + Math.floor(r() * 3);
  const devices = [
    { id: 's1', trusted: true, macsPerSecond: 2e7, loadMacsPerSecond: 0, memoryBytes: 1e6, rateBitsPerSecond: 1e7, loadBitsPerSecond: 0, exposedByModel: {} },
    ...Array.from({ length: D }, (_, i) => ({
      id: `d${i}`, trusted: r() < 0.2, macsPerSecond: 1e6 + r() * 1e7, loadMacsPerSecond: r() * 1e6, memoryBytes: 2000 + r() * 12000,
      rateBitsPerSecond: 1e5 + r() * 3e6, loadBitsPerSecond: 0, exposedByModel: { a: [2, 3].filter(() => r() < 0.2) },
    })),
  ];
  const R = 2 + Math.floor(r() * 2);
  return { requestRate: 1 + Math.floor(r() * 3), privacy: levels[Math.floor(r() * 3)]!, devices, requests: Array.from({ length: R }, () => ({ source: 's1', model: models[Math.floor(r() * 2)]! })) };
}

/** Every combination of "rejected or any middle assignment" per request, judged by frameViolations. */
function bruteForce(frame: Frame): { placed: number; latency: number } {
  const ids = frame.devices.map((d) => d.id);
  let best = { placed: -1, latency: Infinity };
  const choices = frame.requests.map((req) => {
    const out: string[][] = [[], ...middleAssignments(req.model.layers.length, req.source, ids)];
    return out;
  });
  const pick: string[][] = [];
  const rec = (k: number) => {
    if (k === frame.requests.length) {
      if (frameViolations(frame, pick).length) return;
      let devices = frame.devices, placed = 0, latency = 0;
      pick.forEach((a, j) => {
        if (!a.length) return;
        latency += latencySeconds(frameInstance(frame, devices, j), a);
        placed++;
        devices = applyPlacement(devices, frame.requestRate, frame.requests[j]!, a);
      });
      if (placed > best.placed || (placed === best.placed && latency < best.latency)) best = { placed, latency };
      return;
    }
    for (const c of choices[k]!) { pick[k] = c; rec(k + 1); }
  };
  rec(0);
  return best;
}

test('frame exact equals brute force over whole frames (placed first, then total latency) on 120 random frames', (t) => {
  const r = rng(12);
  let contested = 0;
  for (let n = 0; n < 120; n++) {
    const frame = randomFrame(r);
    const got = planFrameExact(frame);
    const want = bruteForce(frame);
    t.true(got.proven);
    t.deepEqual(frameViolations(frame, got.assignments), [], `frame ${n}`);
    t.is(got.placed, want.placed, `frame ${n} placed`);
    if (want.placed > 0) t.true(Math.abs(got.totalLatencySeconds - want.latency) <= 1e-9 * want.latency, `frame ${n}: ${got.totalLatencySeconds} vs ${want.latency}`);
    const seq = planFrameSequential(frame, new SegmentDpStrategy());
    t.true(seq.placed < got.placed || seq.totalLatencySeconds >= got.totalLatencySeconds * (1 - 1e-9), `frame ${n}: sequential cannot beat the joint optimum`);
    if (seq.placed < got.placed || seq.totalLatencySeconds > got.totalLatencySeconds * (1 + 1e-9)) contested++;
  }
  t.log(`${contested} of 120 frames where placing requests one at a time is worse than the joint optimum`);
});

test('a frame request that can never be placed is rejected without blocking the others', (t) => {
  const frame: Frame = {
    requestRate: 1, privacy: PRIVACY_LEVELS.none!,
    devices: [
      { id: 'cam', trusted: true, macsPerSecond: 1e9, loadMacsPerSecond: 0, memoryBytes: 1e9, rateBitsPerSecond: 1e9, loadBitsPerSecond: 0, exposedByModel: {} },
      { id: 'w', trusted: false, macsPerSecond: 1e7, loadMacsPerSecond: 0, memoryBytes: 1e9, rateBitsPerSecond: 1e9, loadBitsPerSecond: 0, exposedByModel: {} },
    ],
    requests: [
      { source: 'cam', model: { name: 'huge', layers: [{ name: 'a', macs: 1, weightBytes: 0, outputBytes: 1 }, { name: 'b', macs: 1e8, weightBytes: 0, outputBytes: 1 }, { name: 'c', macs: 1, weightBytes: 0, outputBytes: 1 }] } },
      { source: 'cam', model: { name: 'small', layers: [{ name: 'a', macs: 1, weightBytes: 0, outputBytes: 1 }, { name: 'b', macs: 1e6, weightBytes: 0, outputBytes: 1 }, { name: 'c', macs: 1, weightBytes: 0, outputBytes: 1 }] } },
    ],
  };
  const got = planFrameExact(frame);
  t.is(got.placed, 1);
  t.deepEqual(got.assignments, [[], ['cam', 'w', 'cam']]);
  void normalizeInstance;
});
