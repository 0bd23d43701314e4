/**
 * One interface for every placement strategy, so the gateway, the simulator and the planner CLI
 * can swap them by name. A strategy sees one request at a time (an `Instance` carries the
 * fleet's current load and exposure); whatever it returns is checked by `violations` before use,
 * so a strategy that can break constraints (rl-pdnn, static) is measured, never trusted.
 */
import { latencySeconds, violations } from './constraints.js';
import type { Instance, Placement } from './instance.js';

export interface Strategy {
  readonly name: string;
  /** Places one request. An empty assignment means rejected; `reasons` then says why. */
  plan(inst: Instance): Placement;
}

/**
 * A model of one or two layers has no middle: both run on the source (4.e/4.f), and the only
 * question is whether the source can carry them.
 */
export function sourceOnly(inst: Instance): Placement {
  const assignment = inst.model.layers.map(() => inst.source);
  const broken = violations(inst, assignment);
  return broken.length ? rejected(broken) : { feasible: true, latencySeconds: latencySeconds(inst, assignment), assignment };
}

/** Placement of a request that no strategy could serve, with the reasons attached. */
export function rejected(reasons: string[]): Placement {
  return { feasible: false, latencySeconds: Infinity, assignment: [], reasons };
}
