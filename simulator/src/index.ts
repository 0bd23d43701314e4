export * from './scenario.js';
export * from './workloads.js';
export * from './simulator.js';
export * from './stats.js';
export * from './train-rl.js';
export * from './frames.js';
export * from './policy-file.js';
export * from './block-means.js';
