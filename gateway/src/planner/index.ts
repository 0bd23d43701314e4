export * from './instance.js';
export * from './constraints.js';
export * from './strategy.js';
export * from './explain.js';
export * from './exact.js';
export * from './segment-dp.js';
export * from './static.js';
export * from './neurosurgeon.js';
