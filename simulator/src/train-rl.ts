/**
 * Trains rl-pdnn the way the paper does: in the simulated environment, one request per episode,
 * the fleet's load, churn and exposure evolving with the placements the learner makes (an
 * episode that met every constraint is committed and runs; one that did not is not). The result
 * is a policy file the gateway and the simulator load.
 */
import { paperHyperParameters, RlPdnn } from '@layerfleet/planner';
import type { Instance, Placement, Strategy } from '@layerfleet/planner';
import type { SimOptions } from './scenario.js';
import { simulate, type SimReport } from './simulator.js';
import { plannerLayers, type WorkloadName } from './workloads.js';
import { cifarCnn, lenet5, vgg16 } from '@layerfleet/models';

/** The one-hot n_i covers every model of the paper, so one policy format serves every workload. */
export const RL_MODELS = ['lenet5', 'cifarCnn', 'vgg16'];
export const RL_MAX_LAYERS = Math.max(...[lenet5, cifarCnn, vgg16].map((g) => plannerLayers(g, 'paper', 1).length));

const tableName: Record<WorkloadName, string> = { lenet: 'lenet5', cifar: 'cifarCnn', vgg: 'vgg16', mixed: 'mixed' };

export function newRlAgent(opts: SimOptions, seed: number): RlPdnn {
  return new RlPdnn({
    ...paperHyperParameters(tableName[opts.workload], opts.privacyName),
    slots: opts.devices, models: RL_MODELS, maxLayers: RL_MAX_LAYERS, seed,
  });
}

/**
 * Strategy view of a learning agent: each plan is one ε-greedy training episode. Used to train,
 * and to run a trained policy the way the paper means it to run — learning online (ε at its
 * floor), so it adapts as the fleet changes.
 */
export class LearningRlPdnn implements Strategy {
  /** `trainEvery`: gradient steps every so many decisions (1 while training, as Algorithm 1) */
  constructor(private readonly agent: RlPdnn, readonly name = 'rl-pdnn (learning)', trainEvery = 1) {
    agent.dqn.trainEvery = trainEvery;
  }
  plan(inst: Instance): Placement {
    const ep = this.agent.train(inst);
    return { feasible: ep.valid, latencySeconds: ep.penalty, assignment: ep.assignment };
  }
}

export function trainRlPdnn(opts: SimOptions, hooks: { onProgress?: (done: number, total: number) => void } = {}): { agent: RlPdnn; report: SimReport } {
  const agent = newRlAgent(opts, opts.seed);
  const report = simulate(new LearningRlPdnn(agent), opts, hooks);
  return { agent, report };
}
