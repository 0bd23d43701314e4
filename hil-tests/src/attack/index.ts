export * from './enrolled-fleet.js';
export * from './attacks.js';
export * from './connection-flood.js';
export * from './suite.js';
export * from './report.js';
