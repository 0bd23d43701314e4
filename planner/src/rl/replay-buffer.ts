/**
 * Experience replay (Algorithm 1, lines 21–25): a ring of (s, a, r, s', done) in typed arrays
 * allocated once. States are stored as float32 — the encoder's inputs are in [0, 1] and the
 * network computes in float32 anyway. At the paper's capacity (100000) and ~300 inputs this is
 * ~240 MB of address space, but the pages are only touched as the ring fills.
 */
import { mulberry32 } from '@layerfleet/models';

export interface Batch {
  states: Float32Array;
  actions: Int32Array;
  rewards: Float64Array;
  nextStates: Float32Array;
  dones: Uint8Array;
  size: number;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly stateSize: number;
  private readonly states: Float32Array;
  private readonly nextStates: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float64Array;
  private readonly dones: Uint8Array;
  private next = 0;
  private count = 0;
  private readonly rnd: () => number;
  private readonly batch: Batch;

  constructor(stateSize: number, capacity = 100000, seed = 1, maxBatch = 64) {
    if (!Number.isInteger(stateSize) || stateSize < 1) throw new RangeError(`ReplayBuffer stateSize: expected a positive integer, got ${stateSize}`);
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ReplayBuffer capacity: expected a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.stateSize = stateSize;
    this.states = new Float32Array(capacity * stateSize);
    this.nextStates = new Float32Array(capacity * stateSize);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float64Array(capacity);
    this.dones = new Uint8Array(capacity);
    this.rnd = mulberry32(seed);
    this.batch = {
      states: new Float32Array(maxBatch * stateSize),
      actions: new Int32Array(maxBatch),
      rewards: new Float64Array(maxBatch),
      nextStates: new Float32Array(maxBatch * stateSize),
      dones: new Uint8Array(maxBatch),
      size: 0,
    };
  }

  get size(): number { return this.count; }

  /** `next` is ignored (may be anything of the right length) when `done`. */
  push(state: ArrayLike<number>, action: number, reward: number, next: ArrayLike<number>, done: boolean): void {
    const n = this.stateSize;
    if (state.length !== n || next.length !== n) throw new RangeError(`ReplayBuffer.push: states of length ${state.length}/${next.length}, expected ${n}`);
    const at = this.next, o = at * n;
    for (let i = 0; i < n; i++) this.states[o + i] = state[i]!;
    if (done) this.nextStates.fill(0, o, o + n);
    else for (let i = 0; i < n; i++) this.nextStates[o + i] = next[i]!;
    this.actions[at] = action;
    this.rewards[at] = reward;
    this.dones[at] = done ? 1 : 0;
    this.next = (at + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** `size` transitions drawn uniformly with replacement, into scratch reused by the next call. */
  sample(size: number): Batch {
    const b = this.batch, n = this.stateSize;
    if (this.count === 0) throw new RangeError('ReplayBuffer.sample: the buffer is empty');
    if (size > b.actions.length) throw new RangeError(`ReplayBuffer.sample: ${size} exceeds the batch capacity ${b.actions.length}`);
    for (let s = 0; s < size; s++) {
      const k = Math.floor(this.rnd() * this.count);
      b.states.set(this.states.subarray(k * n, (k + 1) * n), s * n);
      b.nextStates.set(this.nextStates.subarray(k * n, (k + 1) * n), s * n);
      b.actions[s] = this.actions[k]!;
      b.rewards[s] = this.rewards[k]!;
      b.dones[s] = this.dones[k]!;
    }
    b.size = size;
    return b;
  }
}
