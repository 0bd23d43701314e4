import test from 'ava';
import { Dqn } from '../src/rl/dqn.js';
import { ReplayBuffer } from '../src/rl/replay-buffer.js';

/**
 * A 5-state chain: start at 0, action 1 moves right, action 0 left (0 stays at 0); reaching
 * state 4 pays 1 and ends the episode, every other step pays 0. With γ < 1 the only optimal
 * policy is "right" everywhere, which needs bootstrapping through the target network to find.
 */
test('DQN learns the optimal greedy policy on a chain', (t) => {
  const N = 5;
  const dqn = new Dqn({
    inputSize: N, actions: 2, hidden: [32, 32], gamma: 0.9, lr: 1e-3, bufferSize: 5000, batchSize: 32,
    targetUpdate: 100, randomEpisodes: 30, epsilonDecay: 0.97, seed: 11,
  });
  const onehot = (s: number) => Float32Array.from({ length: N }, (_, i) => (i === s ? 1 : 0));
  for (let e = 0; e < 400; e++) {
    let s = 0;
    for (let step = 0; step < 20; step++) {
      const a = dqn.act(onehot(s));
      const s2 = a === 1 ? s + 1 : Math.max(0, s - 1);
      const done = s2 === N - 1;
      dqn.observe(onehot(s), a, done ? 1 : 0, onehot(s2), done);
      s = s2;
      if (done) break;
    }
    dqn.endEpisode();
  }
  for (let s = 0; s < N - 1; s++) t.is(dqn.greedy(onehot(s)), 1, `state ${s}`);
  // Q(s, right) ≈ γ^(distance − 1)
  for (let s = 0; s < N - 1; s++) {
    const q = dqn.qValues(onehot(s))[1]!;
    t.true(Math.abs(q - 0.9 ** (N - 2 - s)) < 0.15, `Q(${s}, right) = ${q}, expected ≈ ${0.9 ** (N - 2 - s)}`);
  }
});

test('a contextual bandit (every step done) is solved', (t) => {
  const dqn = new Dqn({ inputSize: 3, actions: 3, hidden: [16, 16], lr: 3e-3, batchSize: 16, bufferSize: 1000, randomEpisodes: 100, epsilonDecay: 0.98, seed: 5 });
  const ctx = (c: number) => Float32Array.from({ length: 3 }, (_, i) => (i === c ? 1 : 0));
  for (let e = 0; e < 600; e++) {
    const c = e % 3, a = dqn.act(ctx(c));
    dqn.observe(ctx(c), a, a === (c + 1) % 3 ? 1 : 0, ctx(0), true);
    dqn.endEpisode();
  }
  for (let c = 0; c < 3; c++) t.is(dqn.greedy(ctx(c)), (c + 1) % 3);
});

test('ε is 1 for the random episodes, then decays per episode down to its floor', (t) => {
  const dqn = new Dqn({ inputSize: 2, actions: 2, randomEpisodes: 10, epsilonDecay: 0.5, epsilonMin: 0.05 });
  for (let e = 0; e < 9; e++) dqn.endEpisode();
  t.is(dqn.epsilon, 1);
  dqn.endEpisode();
  t.is(dqn.epsilon, 0.5);
  for (let e = 0; e < 10; e++) dqn.endEpisode();
  t.is(dqn.epsilon, 0.05);
});

test('training starts once the buffer holds a batch; the target network follows every G steps', (t) => {
  const dqn = new Dqn({ inputSize: 2, actions: 2, batchSize: 4, targetUpdate: 6, lr: 0.05, seed: 2 });
  const s = Float32Array.of(1, 0);
  const losses: number[] = [];
  for (let i = 0; i < 6; i++) losses.push(dqn.observe(s, 0, 1, s, true));
  t.true(losses.slice(0, 3).every(Number.isNaN));
  t.true(losses.slice(3).every(Number.isFinite));
  t.is(dqn.updates, 3);
  t.deepEqual(dqn.target.exportTensors(), dqn.online.exportTensors(), 'copied at step 6');
  dqn.observe(s, 0, 1, s, true);
  t.notDeepEqual(dqn.target.exportTensors(), dqn.online.exportTensors(), 'held fixed between copies');
});

test('the replay buffer wraps and samples only what it holds', (t) => {
  const b = new ReplayBuffer(2, 3, 1, 8);
  for (let i = 0; i < 5; i++) b.push([i, i], i, i, [i + 1, i + 1], i === 4);
  t.is(b.size, 3);
  const batch = b.sample(8);
  for (let s = 0; s < 8; s++) {
    const a = batch.actions[s]!;
    t.true(a >= 2 && a <= 4, `transition ${a} was overwritten`);
    t.is(batch.states[2 * s], a);
    t.is(batch.rewards[s], a);
    t.is(batch.dones[s], a === 4 ? 1 : 0);
    if (a !== 4) t.is(batch.nextStates[2 * s], a + 1);
  }
  t.throws(() => b.push([1], 0, 0, [1, 1], false), { message: /length 1\/2/ });
});
