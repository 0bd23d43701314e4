/** Split training (issue 16): public API of @layerfleet/split-training. */
export { Segment } from './segment.js';
export { cutWidth, splitPlan, trainerRange, type LabelsAt, type SplitPlan } from './split-plan.js';
export { backwardRows, forwardRows, lossRows, rows, type LossResult } from './split-step.js';
export { cloneModel } from './model-copy.js';
export { defaultConfig, learningRateAt, perEdgeBatch, shards, shardSizes, stepsPerEpoch, type SplitConfig } from './config.js';
export { runSplitTraining, runStepsPerEpoch, type KillPlan, type RunOptions, type RunResult } from './run.js';
export { runEdge, runTrainer, type RoleOptions } from './roles.js';
export { decodeTrainMessage, encodeTrainMessage, TrainWireError, type TrainMessage } from './wire.js';
export { Channel, GATEWAY_ID, inboxOf } from './channel.js';
export { KeyDirectory, deviceKeysIn, publicKeyPath } from './key-directory.js';
export { EdgeWorker, type EdgeStats } from './edge.js';
export { TrainerCore, type CurvePoint, type TrainerReport } from './trainer.js';
export { trainCentral, type CentralResult } from './central.js';
export { quantizeWithRanges } from './quantize-ranges.js';
/** The script that runs one party as a process (party-main.ts). */
export const PARTY_MAIN = new URL('./party-main.js', import.meta.url).pathname;
export { census, openCapture, tensorValues, type OpenedEnvelope, type TypeCensus } from './wire-census.js';
export { fig5Markdown, measureFig5, PAPER_FIG5, type Fig5Row } from './fig5.js';
