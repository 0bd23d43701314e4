export * from './run-cli.js';
export * from './hil-main.js';
export * from './rig.js';
export * from './junit.js';

export * from './until.js';
export * from './enrolled-agents.js';
