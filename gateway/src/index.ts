export * from './gateway.js';
export * from './planner/index.js';
export * from './registry.js';
export type { Outcome } from './orchestrator.js';
export { catalogEntry, defaultCatalog, type ModelEntry } from './model-catalog.js';
export * as sim from './sim/index.js';
export * from './trust/index.js';
export * from './ledger/index.js';
