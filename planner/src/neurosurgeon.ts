/**
 * `neurosurgeon`: one split point (Kang et al., the paper's ref. [19]). The source computes the
 * head, one device computes the whole tail but the last layer, the source finishes. Load-aware:
 * it picks the feasible (split, device) pair of least latency. With sources kept out of the
 * middle layers (4.e/4.f) the only split left is after layer 1, so it reduces to "the best single
 * helper device".
 */
import { latencySeconds, violations } from './constraints.js';
import { rejectionsAlone, renderRejection } from './explain.js';
import type { Instance, Placement } from './instance.js';
import { rejected, type Strategy } from './strategy.js';

export function planNeurosurgeon(inst: Instance): Placement {
  const L = inst.model.layers.length;
  let best: Placement | null = null;
  const lastSplit = inst.sourceMayComputeMiddle ? L - 2 : 1;
  for (let split = 1; split <= lastSplit; split++) {
    for (const dev of inst.devices) {
      if (dev.id === inst.source && split < L - 1) continue;
      const assignment = Array.from({ length: L }, (_, i) => (i < split || i === L - 1 ? inst.source : dev.id));
      const lat = latencySeconds(inst, assignment);
      if (best && lat >= best.latencySeconds) continue;
      if (violations(inst, assignment).length === 0) best = { feasible: true, latencySeconds: lat, assignment };
    }
  }
  if (inst.sourceMayComputeMiddle) {
    const local = new Array<string>(L).fill(inst.source);
    const lat = latencySeconds(inst, local);
    if ((!best || lat < best.latencySeconds) && violations(inst, local).length === 0) best = { feasible: true, latencySeconds: lat, assignment: local };
  }
  if (best) return best;
  // Why: what rules the request out for every strategy (named as they all name it), or else
  // what each single helper breaks — its own search space, cheap enough for every rejection.
  const alone = rejectionsAlone(inst);
  if (alone.length) return { ...rejected(alone.map((r) => renderRejection(inst, r))), rejection: alone };
  const helpers = inst.devices.filter((d) => d.id !== inst.source).slice(0, 6).map((d) => {
    const v = violations(inst, Array.from({ length: L }, (_, i) => (i === 0 || i === L - 1 ? inst.source : d.id)));
    return `${d.id} (${v.join('; ')})`;
  });
  const more = inst.devices.length - 1 - helpers.length;
  return rejected([`neurosurgeon: no one device takes layers 2..${L - 1} together (one split point): ${helpers.join(', ')}${more > 0 ? ` and ${more} more` : ''}`]);
}

export class NeurosurgeonStrategy implements Strategy {
  readonly name = 'neurosurgeon';
  plan(inst: Instance): Placement { return planNeurosurgeon(inst); }
}
