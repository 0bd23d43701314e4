/** Split training (issue 16): public API of @layerfleet/split-training. */
export { Segment } from './segment.js';
export { cutWidth, splitPlan, trainerRange, type LabelsAt, type SplitPlan } from './split-plan.js';
export { backwardRows, forwardRows, lossRows, rows, type LossResult } from './split-step.js';
export { cloneModel } from './model-copy.js';
