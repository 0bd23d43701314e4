/**
 * A generic Deep Q-Network (Mnih et al. 2015, as rl-pdnn's Algorithm 1 uses it): ε-greedy
 * acting, experience replay, a minibatch step on eq. 11 at every environment step once the
 * buffer holds a batch, and a target network θ' hard-copied from θ every G steps.
 */
import { mulberry32 } from '@layerfleet/models';
import { Mlp } from './mlp.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface DqnOptions {
  inputSize: number;
  actions: number;
  /** hidden widths; Table 1: 2 × 64 */
  hidden?: number[];
  /** Table 1: γ 0.95 */
  gamma?: number;
  /** Table 1: α 0.0005 */
  lr?: number;
  /** Table 1: 100000 */
  bufferSize?: number;
  /** Table 1: M 64 */
  batchSize?: number;
  /** Table 1: G 1000 environment steps */
  targetUpdate?: number;
  /** Table 1: ε 1 */
  epsilonStart?: number;
  /** Table 1: 0.99 per episode */
  epsilonDecay?: number;
  /** The paper gives no floor; 0.01 keeps some exploration, as its text asks ("without losing
   *  the ability to behave randomly"). */
  epsilonMin?: number;
  /** episodes at ε = 1 before decay starts (Section IV.B.1: the first 1000) */
  randomEpisodes?: number;
  /** global gradient-norm clip; the paper uses none, so 0 (off) by default */
  clipNorm?: number;
  seed?: number;
}

export type ResolvedDqnOptions = Required<DqnOptions>;

export function resolveDqnOptions(o: DqnOptions): ResolvedDqnOptions {
  return {
    inputSize: o.inputSize,
    actions: o.actions,
    hidden: o.hidden ?? [64, 64],
    gamma: o.gamma ?? 0.95,
    lr: o.lr ?? 0.0005,
    bufferSize: o.bufferSize ?? 100000,
    batchSize: o.batchSize ?? 64,
    targetUpdate: o.targetUpdate ?? 1000,
    epsilonStart: o.epsilonStart ?? 1,
    epsilonDecay: o.epsilonDecay ?? 0.99,
    epsilonMin: o.epsilonMin ?? 0.01,
    randomEpisodes: o.randomEpisodes ?? 1000,
    clipNorm: o.clipNorm ?? 0,
    seed: o.seed ?? 1,
  };
}

export class Dqn {
  readonly options: ResolvedDqnOptions;
  readonly online: Mlp;
  readonly target: Mlp;
  readonly buffer: ReplayBuffer;
  epsilon: number;
  /**
   * Gradient steps happen every this many environment steps. Algorithm 1 trains at every step
   * (1, used for training); a policy that keeps learning while it serves can afford less.
   */
  trainEvery = 1;
  /** environment steps observed */
  steps = 0;
  episodes = 0;
  /** gradient steps taken */
  updates = 0;
  private readonly rnd: () => number;
  private readonly nextScratch: Float32Array;
  private readonly targets: Float64Array;
  private readonly live: Int32Array;

  constructor(opts: DqnOptions) {
    const o = (this.options = resolveDqnOptions(opts));
    for (const k of ['inputSize', 'actions', 'batchSize', 'bufferSize', 'targetUpdate'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new RangeError(`Dqn ${k}: expected a positive integer, got ${o[k]}`);
    }
    if (!(o.gamma >= 0 && o.gamma <= 1)) throw new RangeError(`Dqn gamma: expected 0..1, got ${o.gamma}`);
    const sizes = [o.inputSize, ...o.hidden, o.actions];
    this.online = new Mlp({ sizes, seed: o.seed, lr: o.lr, clipNorm: o.clipNorm, maxBatch: o.batchSize });
    this.target = new Mlp({ sizes, seed: o.seed, maxBatch: o.batchSize });
    this.target.copyFrom(this.online);
    this.buffer = new ReplayBuffer(o.inputSize, o.bufferSize, o.seed ^ 0x5bd1e995, o.batchSize);
    this.rnd = mulberry32(o.seed ^ 0x27d4eb2f);
    this.epsilon = o.epsilonStart;
    this.nextScratch = new Float32Array(o.batchSize * o.inputSize);
    this.targets = new Float64Array(o.batchSize);
    this.live = new Int32Array(o.batchSize);
  }

  /** Q(s, ·; θ) for one state (a scratch view). */
  qValues(state: ArrayLike<number>): Float64Array {
    return this.online.forward(state, 1);
  }

  greedy(state: ArrayLike<number>): number {
    return argmax(this.qValues(state), 0, this.options.actions);
  }

  /** ε-greedy over all actions: exploring picks uniformly, as the agent knows no better. */
  act(state: ArrayLike<number>): number {
    if (this.rnd() < this.epsilon) return Math.floor(this.rnd() * this.options.actions);
    return this.greedy(state);
  }

  /**
   * Stores a transition and, once the buffer holds a batch, takes one gradient step; every
   * `targetUpdate` steps θ' ← θ. Returns the step's loss, or NaN when no step was taken.
   */
  observe(state: ArrayLike<number>, action: number, reward: number, next: ArrayLike<number>, done: boolean): number {
    if (!(Number.isInteger(action) && action >= 0 && action < this.options.actions)) throw new RangeError(`Dqn.observe: action ${action} outside 0..${this.options.actions - 1}`);
    if (!Number.isFinite(reward)) throw new RangeError(`Dqn.observe: reward ${reward} is not finite`);
    this.buffer.push(state, action, reward, next, done);
    this.steps++;
    const loss = this.buffer.size >= this.options.batchSize && this.steps % this.trainEvery === 0 ? this.trainStep() : NaN;
    if (this.steps % this.options.targetUpdate === 0) this.target.copyFrom(this.online);
    return loss;
  }

  /** ε stays at its start for `randomEpisodes` episodes, then decays once per episode. */
  endEpisode(): void {
    this.episodes++;
    const o = this.options;
    if (this.episodes >= o.randomEpisodes) this.epsilon = Math.max(o.epsilonMin, this.epsilon * o.epsilonDecay);
  }

  private trainStep(): number {
    const o = this.options, B = o.batchSize, n = o.inputSize, A = o.actions;
    const b = this.buffer.sample(B);
    // Only transitions that bootstrap need Q(s', ·; θ'); `done` ones keep the bare reward.
    let live = 0;
    for (let s = 0; s < B; s++) {
      this.targets[s] = b.rewards[s]!;
      if (b.dones[s]) continue;
      this.nextScratch.set(b.nextStates.subarray(s * n, (s + 1) * n), live * n);
      this.live[live++] = s;
    }
    if (live > 0) {
      const q = this.target.forward(this.nextScratch, live);
      for (let r = 0; r < live; r++) {
        let best = q[r * A]!;
        for (let a = 1; a < A; a++) if (q[r * A + a]! > best) best = q[r * A + a]!;
        this.targets[this.live[r]!]! += o.gamma * best;
      }
    }
    this.updates++;
    return this.online.train(b.states, b.actions, this.targets, B);
  }
}

/** Index of the largest of q[from..from+n), the first on ties. */
export function argmax(q: ArrayLike<number>, from: number, n: number): number {
  let best = 0, bv = q[from]!;
  for (let a = 1; a < n; a++) if (q[from + a]! > bv) { bv = q[from + a]!; best = a; }
  return best;
}
