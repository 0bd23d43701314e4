import test from 'ava';
import { cifarCnn, layerCosts, lenet5, vgg16 } from '@layerfleet/models';
import { createStrategy, planFrameExact, planFrameSequential, PRIVACY_LEVELS } from '@layerfleet/planner';
import * as sim from '../src/index.js';

const quiet = (r: sim.SimReport) => ({ ...r, decision_ms_p50: 0, decision_ms_p99: 0 });

test("the paper's granularity: LeNet 9 layers, CIFAR CNN 15, VGG16 31; activations cost no MACs and the totals match the fused models", (t) => {
  for (const [graph, count] of [[lenet5, 9], [cifarCnn, 15], [vgg16, 31]] as const) {
    const paper = sim.plannerLayers(graph, 'paper', 4);
    t.is(paper.length, count, graph.name);
    t.is(paper.reduce((a, l) => a + l.macs, 0), layerCosts(graph).reduce((a, l) => a + l.macs, 0));
    t.true(paper.filter((l) => l.name.includes('relu')).every((l) => l.macs === 0 && l.weightBytes === 0));
  }
  // LeNet conv1 sends its pre-pooling 28×28×6 output in float32
  t.is(sim.plannerLayers(lenet5, 'paper', 4)[0]!.outputBytes, 28 * 28 * 6 * 4);
});

test('a run is reproducible from its seed', (t) => {
  const opts = sim.paperScenario({ workload: 'mixed', privacyName: 'half', requests: 300, seed: 42 });
  const a = sim.simulate(createStrategy('segment-dp'), opts);
  const b = sim.simulate(createStrategy('segment-dp'), opts);
  t.deepEqual(quiet(a), quiet(b));
  const c = sim.simulate(createStrategy('segment-dp'), { ...opts, seed: 43 });
  t.notDeepEqual(quiet(a), quiet(c));
});

test('segment-dp breaks no constraint in any workload × privacy cell', (t) => {
  for (const workload of sim.WORKLOAD_NAMES) {
    for (const privacyName of Object.keys(PRIVACY_LEVELS)) {
      const r = sim.simulate(createStrategy('segment-dp'), sim.paperScenario({ workload, privacyName, requests: 150, seed: 5 }));
      t.is(r.violations, 0, `${workload}/${privacyName}`);
      t.is(r.accepted + r.rejected, r.requests);
      t.true(r.accepted > 0, `${workload}/${privacyName} places something`);
    }
  }
});

test('static is blind to load: on VGG it breaks the compute budget where segment-dp rejects instead', (t) => {
  const opts = sim.paperScenario({ workload: 'vgg', requests: 200, seed: 9 });
  const s = sim.simulate(createStrategy('static'), opts);
  t.true(s.violations > 0);
  t.true((s.violations_by_constraint['4.b'] ?? 0) > 0);
  const ours = sim.simulate(createStrategy('segment-dp'), opts);
  t.is(ours.violations, 0);
  t.true(ours.accepted >= s.accepted);
});

test('reported latency includes queueing: under heavy load it exceeds the cost model', (t) => {
  const light = sim.simulate(createStrategy('segment-dp'), sim.paperScenario({ workload: 'cifar', requests: 300, seed: 2 }));
  t.true(light.latency_per_inference_s.mean >= light.planned_latency_s * (1 - 1e-9));
  const heavy = sim.simulate(createStrategy('segment-dp'), sim.paperScenario({ workload: 'cifar', requests: 600, lambda: 60, seed: 2 }));
  t.true(heavy.latency_per_inference_s.mean > heavy.planned_latency_s * 1.02, `${heavy.latency_per_inference_s.mean} vs ${heavy.planned_latency_s}`);
});

test('churn replaces participants: newcomers appear in the fleet and start with nothing exposed', (t) => {
  const ids = new Set<string>();
  let newcomerExposure = 0;
  sim.simulate(createStrategy('segment-dp'), sim.paperScenario({ workload: 'lenet', requests: 400, churnSeconds: 20, seed: 3 }), {
    onDecision: ({ instance }) => {
      for (const d of instance.devices) {
        if (!ids.has(d.id) && /^p\d+$/.test(d.id) && Number(d.id.slice(1)) >= 51) newcomerExposure += d.exposed.length;
        ids.add(d.id);
      }
    },
  });
  const newcomers = [...ids].filter((id) => /^p\d+$/.test(id) && Number(id.slice(1)) >= 51);
  t.true(newcomers.length >= 10, `${newcomers.length} newcomers`);
  t.is(newcomerExposure, 0);
});

test('frames from the scenario: the joint optimum is never worse than placing one request at a time', (t) => {
  const frames = sim.collectFrames(sim.paperScenario({ workload: 'lenet', devices: 30, seed: 4 }), createStrategy('segment-dp'), 1, 6);
  t.true(frames.length >= 4);
  for (const f of frames) {
    const exact = planFrameExact(f);
    const seq = planFrameSequential(f, createStrategy('segment-dp'));
    t.true(exact.proven);
    t.true(exact.placed >= seq.placed);
    if (exact.placed === seq.placed) t.true(exact.totalLatencySeconds <= seq.totalLatencySeconds * (1 + 1e-12));
  }
});

test('with a queue, requests nothing could place right away wait for capacity instead of being rejected', (t) => {
  const opts = sim.paperScenario({ workload: 'vgg', requests: 300, seed: 11 });
  const now = sim.simulate(createStrategy('segment-dp'), opts);
  const queued = sim.simulate(createStrategy('segment-dp'), { ...opts, queueSeconds: 3 });
  t.is(now.queued, 0);
  t.true(queued.queued > 0);
  t.is(queued.violations, 0);
  t.true(queued.accepted > now.accepted, `${queued.accepted} vs ${now.accepted}`);
  t.is(queued.accepted + queued.rejected, queued.requests);
});
