/**
 * rl-pdnn (Baccour et al., "RL-PDNN: Reinforcement Learning for Privacy-Aware Distributed
 * Neural Networks in IoT Systems") as a placement strategy: a DQN picks, layer by layer, the
 * device that computes each middle layer of one request.
 *
 * Reward (Algorithm 1, lines 10–20; eqs. 7–8), for the middle layer l placed at step t:
 *  - an action slot that names no device breaks C1: reward 0, nothing placed, and the next
 *    transfer still leaves from the last placed layer's device;
 *  - otherwise −(8·O_{l−1}/ρ_prev·1[prev ≠ j] + c_l/e(j)), plus 1 when C2·C3 hold (resources,
 *    counting what this episode already put on each device, and privacy, eq. 6).
 * The transfer is charged at the sender's rate ρ_prev, as in eq. 5 and `latencySeconds`
 * (Algorithm 1 line 17 writes ρ_j). The forced first layer's −c_1/e(src) is part of the
 * episode's reward but of no transition (it is not an action). The forced last layer's cost —
 * the transfer back from the last middle device and c_L/e(src) — is folded into the last
 * middle step's reward (also after an empty slot): it depends on that step's choice, and
 * leaving it out would hide the cost of ending far from the source. So a valid episode's
 * penalty is exactly `latencySeconds` of its placement. An invalid step does not end the
 * episode, as in the paper; resources are used whether or not they suffice.
 */
import { type Instance, type Placement } from '../instance.js';
import { latencySeconds, violations } from '../constraints.js';
import { rejected, type Strategy } from '../strategy.js';
import { canonicalModelName } from '../model-names.js';
import { argmax, Dqn, type DqnOptions } from './dqn.js';
import { PlacementEpisode, StateEncoder } from './state-encoding.js';

/** The hyper-parameters a policy is trained with (Table 1 by default). */
export interface RlPdnnHyper {
  gamma: number;
  epsilonStart: number;
  bufferSize: number;
  targetUpdate: number;
  lr: number;
  epsilonDecay: number;
  epsilonMin: number;
  hidden: number[];
  batchSize: number;
  randomEpisodes: number;
  clipNorm: number;
  seed: number;
}

export interface RlPdnnOptions extends Partial<RlPdnnHyper> {
  /** action count D: devices past it are never chosen, slots past the instance's devices are empty */
  slots: number;
  /** the request types n_i the state's one-hot covers */
  models: string[];
  /** normalises the layer index and L̄; longer models are refused */
  maxLayers: number;
}

export interface EpisodeResult {
  reward: number;
  /** total latency charged, seconds */
  penalty: number;
  /** steps where C1·C2·C3 held */
  constraintsMet: number;
  steps: number;
  valid: boolean;
  /** ε the episode was run with */
  epsilon: number;
  /** the placement the episode made (device ids; a layer whose action named no device keeps the source) */
  assignment: string[];
}

/** One entry per training episode, column-wise to stay compact in a policy file. */
export interface TrainingLog {
  reward: number[];
  penalty: number[];
  constraintsMet: number[];
  steps: number[];
  epsilon: number[];
}

export const PAPER_MODELS = ['lenet5', 'cifarCnn', 'vgg16', 'mixed'] as const;
export const PAPER_PRIVACY = ['none', 'two-hidden', 'half'] as const;

/**
 * Table 1: γ 0.95, ε 1, buffer 100000, G 1000, α 0.0005, decay 0.99, MLP 2 × 64, batch 64 —
 * except α 0.0001 and decay 0.995 for VGG at every privacy level and for the CIFAR CNN at
 * SI = 50 % ('half'). 1000 random episodes first (Section IV.B.1).
 */
export function paperHyperParameters(name: string, privacyName: string): Omit<RlPdnnHyper, 'seed' | 'clipNorm' | 'epsilonMin'> {
  const modelName = canonicalModelName(name);
  if (!(PAPER_MODELS as readonly string[]).includes(modelName)) throw new RangeError(`paperHyperParameters model: ${modelName} is none of ${PAPER_MODELS.join(', ')}`);
  if (!(PAPER_PRIVACY as readonly string[]).includes(privacyName)) throw new RangeError(`paperHyperParameters privacy: ${privacyName} is none of ${PAPER_PRIVACY.join(', ')}`);
  const slow = modelName === 'vgg16' || (modelName === 'cifarCnn' && privacyName === 'half');
  return {
    gamma: 0.95, epsilonStart: 1, bufferSize: 100000, targetUpdate: 1000,
    lr: slow ? 0.0001 : 0.0005, epsilonDecay: slow ? 0.995 : 0.99,
    hidden: [64, 64], batchSize: 64, randomEpisodes: 1000,
  };
}

export interface TraceStep { layer: number; slot: number; device: string | null; q: number[] }

export class RlPdnn implements Strategy {
  readonly name = 'rl-pdnn';
  readonly slots: number;
  readonly models: readonly string[];
  readonly maxLayers: number;
  readonly hyper: RlPdnnHyper;
  readonly encoder: StateEncoder;
  readonly dqn: Dqn;
  readonly log: TrainingLog = { reward: [], penalty: [], constraintsMet: [], steps: [], epsilon: [] };
  private state: Float32Array;
  private next: Float32Array;

  constructor(o: RlPdnnOptions) {
    this.encoder = new StateEncoder(o.models, o.slots, o.maxLayers);
    this.slots = o.slots;
    this.models = this.encoder.models;
    this.maxLayers = o.maxLayers;
    const h: RlPdnnHyper = (this.hyper = {
      gamma: o.gamma ?? 0.95, epsilonStart: o.epsilonStart ?? 1, bufferSize: o.bufferSize ?? 100000,
      targetUpdate: o.targetUpdate ?? 1000, lr: o.lr ?? 0.0005, epsilonDecay: o.epsilonDecay ?? 0.99,
      epsilonMin: o.epsilonMin ?? 0.01, hidden: [...(o.hidden ?? [64, 64])], batchSize: o.batchSize ?? 64,
      randomEpisodes: o.randomEpisodes ?? 1000, clipNorm: o.clipNorm ?? 0, seed: o.seed ?? 1,
    });
    const d: DqnOptions = { ...h, hidden: [...h.hidden], inputSize: this.encoder.inputSize, actions: o.slots };
    this.dqn = new Dqn(d);
    this.state = new Float32Array(this.encoder.inputSize);
    this.next = new Float32Array(this.encoder.inputSize);
  }

  get episodes(): number { return this.dqn.episodes; }
  get epsilon(): number { return this.dqn.epsilon; }

  /** One request = one episode, learning as it goes (Algorithm 1, lines 5–30). */
  train(inst: Instance): EpisodeResult {
    const unfit = this.encoder.unfit(inst);
    if (unfit) throw new RangeError(`rl-pdnn train: ${unfit}`);
    const ep = new PlacementEpisode(inst, this.slots), L = ep.L, epsilon = this.dqn.epsilon;
    let penalty = ep.firstLatency(), reward = -penalty, met = 0;
    if (L > 2) this.encoder.encode(ep, 2, this.state);
    for (let l = 2; l <= L - 1; l++) {
      const a = this.dqn.act(this.state);
      let r = 0, lat = 0;
      if (a < ep.slots.length) {
        const d = ep.slots[a]!, ok = ep.reason(d, l) === null;
        lat = ep.stepLatency(d, l);
        ep.place(d, l);
        if (ok) { r += 1; met++; }
      }
      const done = l === L - 1;
      if (done) lat += ep.finishLatency();
      else this.encoder.encode(ep, l + 1, this.next);
      if (!Number.isFinite(lat)) throw new RangeError(`rl-pdnn train: layer ${l}: latency ${lat} — a device on the path has macsPerSecond or rateBitsPerSecond 0`);
      r -= lat;
      penalty += lat;
      reward += r;
      this.dqn.observe(this.state, a, r, this.next, done);
      const s = this.state;
      this.state = this.next;
      this.next = s;
    }
    if (L <= 2) { const fin = ep.finishLatency(); penalty += fin; reward -= fin; }
    this.dqn.endEpisode();
    const steps = Math.max(0, L - 2);
    const assignment = Array.from(ep.assignment, (d) => (d < 0 ? inst.source : inst.devices[d]!.id));
    const res = { reward, penalty, constraintsMet: met, steps, valid: met === steps, epsilon, assignment };
    this.log.reward.push(reward);
    this.log.penalty.push(penalty);
    this.log.constraintsMet.push(met);
    this.log.steps.push(steps);
    this.log.epsilon.push(epsilon);
    return res;
  }

  /**
   * The learned policy as is: argmax Q at each layer, no exploration, no learning, and no
   * masking of actions that break constraints — the paper measures how often the policy itself
   * meets them, so its mistakes must show in `feasible` and `reasons`. The one mask: the argmax
   * runs over the slots that name a device (`ep.slots`, the first ones), so a fleet smaller than
   * the policy's slot count is still served. An empty slot is no placement at all, not a
   * constraint the policy could break; training (`train`, ε-greedy over every slot) keeps the
   * paper's reward-0 empty slots, and a fleet that fills every slot is unaffected.
   */
  plan(inst: Instance): Placement {
    const unfit = this.encoder.unfit(inst);
    if (unfit) return rejected([`rl-pdnn: ${unfit}`]);
    const ep = new PlacementEpisode(inst, this.slots);
    if (ep.L > 2 && ep.slots.length === 0) return rejected([`rl-pdnn: no device but the source ${inst.source}, which may not compute middle layers`]);
    for (let l = 2; l <= ep.L - 1; l++) {
      this.encoder.encode(ep, l, this.state);
      ep.place(ep.slots[argmax(this.dqn.qValues(this.state), 0, ep.slots.length)]!, l);
    }
    const assignment = Array.from(ep.assignment, (d) => inst.devices[d]!.id);
    const v = violations(inst, assignment);
    return { feasible: v.length === 0, latencySeconds: latencySeconds(inst, assignment), assignment, ...(v.length ? { reasons: v } : {}) };
  }

  /** The greedy decisions with their Q-values, layer by layer (for inspection and tests); masked as `plan`. */
  trace(inst: Instance): TraceStep[] {
    const unfit = this.encoder.unfit(inst);
    if (unfit) throw new RangeError(`rl-pdnn trace: ${unfit}`);
    const ep = new PlacementEpisode(inst, this.slots), out: TraceStep[] = [];
    for (let l = 2; l <= ep.L - 1; l++) {
      this.encoder.encode(ep, l, this.state);
      const q = Array.from(this.dqn.qValues(this.state));
      const a = argmax(q, 0, ep.slots.length), d = ep.slots[a];
      out.push({ layer: l, slot: a, device: d === undefined ? null : inst.devices[d]!.id, q });
      if (d === undefined) break; // only when no slot names a device
      ep.place(d, l);
    }
    return out;
  }
}
