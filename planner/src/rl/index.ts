export { Mlp, type MlpOptions } from './mlp.js';
export { ReplayBuffer, type Batch } from './replay-buffer.js';
export { Dqn, argmax, resolveDqnOptions, type DqnOptions, type ResolvedDqnOptions } from './dqn.js';
export { PlacementEpisode, StateEncoder, SLOT_FEATURES, slotDevices } from './state-encoding.js';
export {
  RlPdnn, paperHyperParameters, PAPER_MODELS, PAPER_PRIVACY,
  type RlPdnnOptions, type RlPdnnHyper, type EpisodeResult, type TrainingLog, type TraceStep,
} from './rl-pdnn.js';
export { policyToJson, policyFromJson, POLICY_FORMAT, type PolicyJson } from './policy-json.js';
