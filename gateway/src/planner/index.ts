export * from './instance.js';
export * from './constraints.js';
export * from './branch-and-bound.js';
