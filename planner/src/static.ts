/**
 * `static`: the offline baseline rl-pdnn compares with (its ref. [25]). Layers go to the most
 * capable devices first, judged by their nominal capacity alone — blind to the load other
 * requests put on them, to exposure and to privacy — and the split is computed once per fleet
 * membership and reused until a device joins or leaves. Its placements are checked by the caller
 * like any other; under load they break the compute budget, which is the point of the baseline.
 */
import { latencySeconds, violations } from './constraints.js';
import type { Instance, Placement } from './instance.js';
import { rejected, type Strategy } from './strategy.js';

export function planStatic(inst: Instance): Placement {
  const layers = inst.model.layers;
  const L = layers.length;
  const ranked = inst.devices
    .filter((d) => d.id !== inst.source || inst.sourceMayComputeMiddle)
    .sort((a, b) => b.macsPerSecond - a.macsPerSecond || (a.id < b.id ? -1 : 1));
  const assignment = new Array<string>(L).fill(inst.source);
  let at = 0, macs = 0, mem = 0;
  for (let i = 1; i < L - 1; i++) {
    const layer = layers[i]!;
    // move down the ranking when the current device cannot hold this layer even with no other load
    while (at < ranked.length && (inst.requestRate * (macs + layer.macs) > ranked[at]!.macsPerSecond || mem + layer.weightBytes > ranked[at]!.memoryBytes)) {
      at++; macs = 0; mem = 0;
    }
    if (at >= ranked.length) return rejected([`static: layer ${i + 1} (${layer.name}) fits none of the fleet's devices even unloaded`]);
    assignment[i] = ranked[at]!.id;
    macs += layer.macs; mem += layer.weightBytes;
  }
  const broken = violations(inst, assignment);
  return { feasible: broken.length === 0, latencySeconds: latencySeconds(inst, assignment), assignment, ...(broken.length ? { reasons: broken } : {}) };
}

export class StaticStrategy implements Strategy {
  readonly name = 'static';
  private readonly cache = new Map<string, string[]>();

  plan(inst: Instance): Placement {
    const key = `${inst.model.name}|${inst.source}|${inst.devices.map((d) => d.id).join(',')}`;
    const cached = this.cache.get(key);
    if (cached) {
      const broken = violations(inst, cached);
      return { feasible: broken.length === 0, latencySeconds: latencySeconds(inst, cached), assignment: cached, ...(broken.length ? { reasons: broken } : {}) };
    }
    // computed against an unloaded fleet: that is what "offline" means here
    const unloaded: Instance = { ...inst, devices: inst.devices.map((d) => ({ ...d, loadMacsPerSecond: 0, loadBitsPerSecond: 0 })) };
    const placed = planStatic(unloaded);
    if (placed.assignment.length === 0) return placed;
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, placed.assignment);
    return this.plan(inst);
  }
}
