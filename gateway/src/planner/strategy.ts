/**
 * One interface for every placement strategy, so the gateway, the simulator and the planner CLI
 * can swap them by name. A strategy sees one request at a time (an `Instance` carries the
 * fleet's current load and exposure); whatever it returns is checked by `violations` before use,
 * so a strategy that can break constraints (rl-pdnn, static) is measured, never trusted.
 */
import type { Instance, Placement } from './instance.js';

export interface Strategy {
  readonly name: string;
  /** Places one request. An empty assignment means rejected; `reasons` then says why. */
  plan(inst: Instance): Placement;
}

/** Placement of a request that no strategy could serve, with the reasons attached. */
export function rejected(reasons: string[]): Placement {
  return { feasible: false, latencySeconds: Infinity, assignment: [], reasons };
}
