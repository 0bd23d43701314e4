import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@layerfleet/models';
import {
  latencySeconds, normalizeInstance, paperHyperParameters, PlacementEpisode, policyToJson, PRIVACY_LEVELS, RlPdnn, StateEncoder, violations, type Instance,
} from '@layerfleet/planner';
import { loadPolicy, savePolicy } from '../src/policy-file.js';

// A fixed 6-layer model (the state names the model, not its sizes) on six workers of three
// speeds and varied memory and links, with random background load, exposure and privacy level.
const LAYERS = [[2e5, 1e3, 2e4], [4e6, 2e5, 1.5e4], [8e6, 6e5, 1e4], [6e6, 4e5, 8e3], [3e6, 2e5, 4e3], [1e5, 1e3, 40]]
  .map(([macs, weightBytes, outputBytes], i) => ({ name: `l${i + 1}`, macs: macs!, weightBytes: weightBytes!, outputBytes: outputBytes! }));
const WORKERS = [[4e7, 1e6, 2e7], [4e7, 5e5, 2e7], [2e7, 2e6, 1e7], [2e7, 8e5, 1e7], [5e6, 3e6, 5e6], [5e6, 1e6, 5e6]];
const LEVELS = [PRIVACY_LEVELS.none!, PRIVACY_LEVELS['two-hidden']!, PRIVACY_LEVELS.half!];

function fleet(r: () => number): Instance {
  return normalizeInstance({
    requestRate: 1, privacy: LEVELS[Math.floor(r() * 3)], source: 'cam', model: { name: 'm6', layers: LAYERS },
    devices: [
      { id: 'cam', trusted: true, macsPerSecond: 5e7, memoryBytes: 1e7, rateBitsPerSecond: 2e7 },
      ...WORKERS.map(([mps, mem, rate], i) => ({
        id: `w${i}`, macsPerSecond: mps, loadMacsPerSecond: r() * 0.8 * mps!, memoryBytes: mem,
        rateBitsPerSecond: rate, loadBitsPerSecond: r() * 0.8 * rate!, exposed: [2, 3, 4, 5].filter(() => r() < 0.25),
      })),
    ],
  });
}

// One empty action slot (7 slots, 6 workers): the policy must also learn to avoid it.
const newAgent = (seed = 7) => new RlPdnn({ slots: 7, models: ['other', 'm6'], maxLayers: 8, seed, randomEpisodes: 200, targetUpdate: 250 });

let trained: RlPdnn | undefined;
function trainedAgent(): RlPdnn {
  if (!trained) {
    trained = newAgent();
    const r = mulberry32(11);
    for (let e = 0; e < 2500; e++) trained.train(fleet(r));
  }
  return trained;
}

test('after training, the greedy policy beats a uniformly random one on fresh fleets', (t) => {
  const agent = trainedAgent();
  const log = agent.log;
  t.is(log.reward.length, 2500);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(mean(log.constraintsMet.slice(-300)) > mean(log.constraintsMet.slice(0, 200)) + 1, 'constraints met per episode rose during training');
  t.true(mean(log.reward.slice(-300)) > mean(log.reward.slice(0, 200)) + 1, 'reward rose during training');

  const r = mulberry32(99), pick = mulberry32(5);
  const N = 400;
  let agentOk = 0, agentLat = 0, randomOk = 0, randomLat = 0;
  for (let n = 0; n < N; n++) {
    const inst = fleet(r);
    const p = agent.plan(inst);
    if (p.feasible) { agentOk++; agentLat += p.latencySeconds; t.deepEqual(violations(inst, p.assignment), []); }
    else t.true((p.reasons ?? []).length > 0, 'an infeasible plan says why');
    const a = ['cam', ...[2, 3, 4, 5].map(() => `w${Math.floor(pick() * 6)}`), 'cam'];
    if (violations(inst, a).length === 0) { randomOk++; randomLat += latencySeconds(inst, a); }
  }
  t.log(`feasible: policy ${agentOk}/${N}, random ${randomOk}/${N}; mean latency on feasible: policy ${(agentLat / agentOk).toFixed(3)} s, random ${(randomLat / randomOk).toFixed(3)} s`);
  t.true(agentOk >= randomOk + 0.3 * N, 'clearly more requests meet all constraints');
  t.true(randomOk > 0 && agentLat / agentOk < randomLat / randomOk, 'and those are faster on average');
});

test('a saved policy reloads with identical Q-values and placements', (t) => {
  const agent = trainedAgent();
  const path = join(mkdtempSync(join(tmpdir(), 'rl-pdnn-')), 'policy.json');
  savePolicy(agent, path);
  const back = loadPolicy(path);
  t.is(back.episodes, agent.episodes);
  t.is(back.epsilon, agent.epsilon);
  t.deepEqual(back.hyper, agent.hyper);
  t.is(back.log.reward.length, agent.log.reward.length);
  const r = mulberry32(123);
  for (let n = 0; n < 30; n++) {
    const inst = fleet(r);
    t.deepEqual(back.trace(inst), agent.trace(inst));
    t.deepEqual(back.plan(inst), agent.plan(inst));
  }
});

test('a corrupted or mis-shaped policy file is refused, naming the file and the field', (t) => {
  const agent = newAgent(3);
  const dir = mkdtempSync(join(tmpdir(), 'rl-pdnn-bad-'));
  const good = policyToJson(agent);
  const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  const variant = (name: string, edit: (j: ReturnType<typeof policyToJson>) => void) => {
    const j = structuredClone(good);
    edit(j);
    return write(name, JSON.stringify(j));
  };
  const nanWeights = Buffer.from(good.weights[2]!.data, 'base64');
  nanWeights.writeFloatLE(NaN, 8);
  const cases: [string, RegExp][] = [
    [write('truncated.json', JSON.stringify(good).slice(0, 100)), /truncated\.json: not JSON/],
    [variant('format.json', (j) => { (j as { format: string }).format = 'something/2'; }), /format\.json: format: expected 'layerfleet-rl-pdnn\/1'/],
    [variant('input.json', (j) => { j.inputSize += 1; }), /input\.json: inputSize: /],
    [variant('shape.json', (j) => { j.weights[2]!.shape = [64, 63]; }), /shape\.json: weights\[2\]\.shape: expected \[64, 64\]/],
    [variant('short.json', (j) => { j.weights[0]!.data = j.weights[0]!.data.slice(0, 40); }), /short\.json: weights\[0\]\.data: holds 30 bytes/],
    [variant('nan.json', (j) => { j.weights[2]!.data = nanWeights.toString('base64'); }), /nan\.json: weights\[2\]\.data: value 2 is NaN/],
    [variant('count.json', (j) => { j.weights.pop(); }), /count\.json: weights: expected 6 tensors/],
    [variant('hyper.json', (j) => { j.hyper.gamma = 3; }), /hyper\.json: hyper\.gamma: /],
    [variant('log.json', (j) => { j.log.reward = ['x' as unknown as number]; }), /log\.json: log\.reward: /],
  ];
  for (const [path, message] of cases) t.throws(() => loadPolicy(path), { message }, path);
  t.throws(() => loadPolicy(join(dir, 'missing.json')), { message: /missing\.json: cannot read/ });
  t.notThrows(() => loadPolicy(write('good.json', JSON.stringify(good))));
  t.is(JSON.parse(readFileSync(join(dir, 'good.json'), 'utf8')).format, 'layerfleet-rl-pdnn/1');
});

test("paperHyperParameters returns Table 1's values and exceptions", (t) => {
  const base = { gamma: 0.95, epsilonStart: 1, bufferSize: 100000, targetUpdate: 1000, hidden: [64, 64], batchSize: 64, randomEpisodes: 1000 };
  for (const privacy of ['none', 'two-hidden', 'half']) {
    t.deepEqual(paperHyperParameters('vgg16', privacy), { ...base, lr: 0.0001, epsilonDecay: 0.995 });
    t.deepEqual(paperHyperParameters('lenet5', privacy), { ...base, lr: 0.0005, epsilonDecay: 0.99 });
    t.deepEqual(paperHyperParameters('mixed', privacy), { ...base, lr: 0.0005, epsilonDecay: 0.99 });
  }
  t.deepEqual(paperHyperParameters('cifarCnn', 'half'), { ...base, lr: 0.0001, epsilonDecay: 0.995 });
  t.deepEqual(paperHyperParameters('cifarCnn', 'two-hidden'), { ...base, lr: 0.0005, epsilonDecay: 0.99 });
  t.throws(() => paperHyperParameters('resnet', 'none'), { message: /model: resnet/ });
  t.throws(() => paperHyperParameters('lenet5', 'quarter'), { message: /privacy: quarter/ });
});

test('episode reward is constraints met minus the latency charged, which is the placement latency', (t) => {
  // One worker: every non-empty action is w0, so the assignment is known.
  const inst = normalizeInstance({
    source: 'cam', model: { name: 'm6', layers: LAYERS },
    devices: [{ id: 'cam', trusted: true, macsPerSecond: 5e7, memoryBytes: 1e7, rateBitsPerSecond: 2e7 }, { id: 'w0', macsPerSecond: 5e7, memoryBytes: 1e7, rateBitsPerSecond: 1e7 }],
  });
  const one = new RlPdnn({ slots: 1, models: ['m6'], maxLayers: 8, batchSize: 4 });
  const lat = latencySeconds(inst, ['cam', 'w0', 'w0', 'w0', 'w0', 'cam']);
  for (let e = 0; e < 5; e++) {
    const res = one.train(inst);
    t.is(res.steps, 4);
    t.is(res.constraintsMet, 4);
    t.true(res.valid);
    t.true(Math.abs(res.penalty - lat) < 1e-12, `penalty ${res.penalty} vs latency ${lat}`);
    t.true(Math.abs(res.reward - (4 - lat)) < 1e-12);
  }
  // With empty slots in play the identity still holds, whatever the agent picks.
  const two = new RlPdnn({ slots: 3, models: ['m6'], maxLayers: 8, batchSize: 4, seed: 5 });
  for (let e = 0; e < 20; e++) {
    const res = two.train(inst);
    t.true(Math.abs(res.reward - (res.constraintsMet - res.penalty)) < 1e-12);
    t.is(res.valid, res.constraintsMet === 4);
  }
});

test('plan shows the policy as is: empty slots are masked (a device is chosen), a broken constraint is reported', (t) => {
  const inst = normalizeInstance({
    source: 'cam', model: { name: 'm6', layers: LAYERS },
    devices: [{ id: 'cam', trusted: true, macsPerSecond: 5e7, memoryBytes: 1e7, rateBitsPerSecond: 2e7 }, { id: 'tiny', macsPerSecond: 2e7, memoryBytes: 10, rateBitsPerSecond: 1e7 }, { id: 'big', macsPerSecond: 5e7, memoryBytes: 1e7, rateBitsPerSecond: 1e7 }],
  });
  const agent = new RlPdnn({ slots: 3, models: ['m6'], maxLayers: 8 });
  const favour = (slot: number, runnerUp?: number) => {
    const ws = agent.dqn.online.exportTensors();
    ws[ws.length - 1]!.set([0, 0, 0]);
    if (runnerUp !== undefined) ws[ws.length - 1]![runnerUp] = 5e2;
    ws[ws.length - 1]![slot] = 1e3;
    agent.dqn.online.importTensors(ws);
  };
  favour(2, 1); // slot 2 is empty (the fleet has two workers): the argmax runs over slots 0–1 only
  t.true(agent.dqn.greedy(new Float32Array(agent.encoder.inputSize)) === 2, 'unmasked, the network prefers the empty slot');
  const masked = agent.plan(inst);
  t.deepEqual(masked.assignment, ['cam', 'big', 'big', 'big', 'big', 'cam'], 'a device is chosen: the best slot that names one');
  t.true(masked.feasible);
  t.deepEqual(agent.trace(inst).map((s) => [s.slot, s.device]), [[1, 'big'], [1, 'big'], [1, 'big'], [1, 'big']]);
  favour(2, 0); // masked to 'tiny', which breaks 4.a: the mask hides empty slots, not mistakes
  t.deepEqual(agent.plan(inst).assignment, ['cam', 'tiny', 'tiny', 'tiny', 'tiny', 'cam']);
  t.false(agent.plan(inst).feasible);
  const alone = normalizeInstance({ source: 'cam', model: { name: 'm6', layers: LAYERS }, devices: [inst.devices[0]!] });
  t.regex(agent.plan(alone).reasons![0]!, /no device but the source cam/);
  favour(0); // 'tiny' cannot hold any middle layer, and the policy is not stopped from choosing it
  const bad = agent.plan(inst);
  t.deepEqual(bad.assignment, ['cam', 'tiny', 'tiny', 'tiny', 'tiny', 'cam']);
  t.false(bad.feasible);
  t.regex(bad.reasons!.join('\n'), /4\.a memory: tiny/);
  favour(1);
  const good = agent.plan(inst);
  t.true(good.feasible);
  t.is(good.latencySeconds, latencySeconds(inst, good.assignment));
  t.regex(agent.plan({ ...inst, model: { ...inst.model, name: 'vgg' } }).reasons![0]!, /model vgg is not among the trained models/);
});

test('the state: one-hot model, layer, and per slot the binary times normalised capacities', (t) => {
  const inst = normalizeInstance({
    requestRate: 2, privacy: PRIVACY_LEVELS['two-hidden'], source: 'cam', model: { name: 'm6', layers: LAYERS },
    devices: [
      { id: 'a', macsPerSecond: 2e7, loadMacsPerSecond: 1e7, memoryBytes: 4e6, rateBitsPerSecond: 1e7, loadBitsPerSecond: 5e6, exposed: [2] },
      { id: 'cam', trusted: true, macsPerSecond: 4e7, memoryBytes: 1e7, rateBitsPerSecond: 2e7 },
      { id: 'slow', macsPerSecond: 1e6, memoryBytes: 1e7, rateBitsPerSecond: 2e7 },
    ],
  });
  const enc = new StateEncoder(['x', 'm6'], 4, 10);
  t.is(enc.inputSize, 2 + 1 + 4 * 6);
  const ep = new PlacementEpisode(inst, 4);
  t.deepEqual(ep.slots, [0, 2], 'non-sources in instance order; the source only if it may compute middle layers');
  const s = new Float32Array(enc.inputSize), ok = new Uint8Array(4);
  enc.encode(ep, 3, s, ok);
  t.deepEqual(Array.from(s.subarray(0, 3)), [0, 1, Math.fround(0.3)]);
  // at layer 3, 'a' has seen layer 2 — none of 2..2 hidden breaks "two hidden" — and lacks compute
  t.deepEqual(Array.from(ok), [0, 0, 0, 0], "'a' privacy and 4.b, 'slow' 4.b, slots 2–3 empty");
  t.true(s.subarray(3).every((v) => v === 0), 'infeasible and empty slots are all zeros');
  enc.encode(ep, 2, s, ok);
  t.deepEqual(Array.from(ok), [1, 0, 0, 0]);
  const a = Array.from(s.subarray(3, 9));
  t.deepEqual(a, [1, 4e6 / 1e7, (1e7 - 5e6) / 2e7, (2e7 - 1e7) / 4e7, 1e7 / 2e7, 0].map(Math.fround));
  t.true(s.every((v) => v >= 0 && v <= 1));
});
