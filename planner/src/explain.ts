/**
 * Why a request cannot be placed, in words a user can act on: for every middle layer that no
 * device can take even on its own, which constraint ruled out which devices. Shared by every
 * strategy so a rejection reads the same whichever planner produced it.
 */
import { fmt, privacyViolation } from './constraints.js';
import type { Instance, PlanDevice } from './instance.js';

/** Why `dev` cannot take layer index `i` (0-based) as the only layer it computes, or null. */
export function soloRefusal(inst: Instance, dev: PlanDevice, i: number): string | null {
  const layer = inst.model.layers[i]!;
  const L = inst.model.layers.length;
  if (dev.id === inst.source && !inst.sourceMayComputeMiddle && i > 0 && i < L - 1) return 'source keeps out of middle layers (4.e/4.f)';
  const need = inst.requestRate * layer.macs;
  const free = dev.macsPerSecond - dev.loadMacsPerSecond;
  if (need > free) return `4.b compute: needs ${fmt(need)} MAC/s of ${fmt(Math.max(0, free))} free`;
  if (layer.weightBytes > dev.memoryBytes) return `4.a memory: needs ${fmt(layer.weightBytes)} B of ${fmt(dev.memoryBytes)}`;
  if (i < L - 1) {
    const bits = inst.requestRate * 8 * layer.outputBytes;
    const freeBits = dev.rateBitsPerSecond - dev.loadBitsPerSecond;
    if (bits > freeBits) return `4.c link: needs ${fmt(bits)} b/s of ${fmt(Math.max(0, freeBits))} free`;
  }
  return privacyViolation(inst, dev, i + 1, new Set(dev.exposed));
}

const MAX_NAMED = 6;

/** Groups devices by the kind of refusal so a 1000-device fleet gives a readable line per layer. */
function summarise(refusals: Array<[string, string]>): string {
  const byKind = new Map<string, string[]>();
  for (const [id, why] of refusals) {
    const kind = why.split(':')[0]!;
    const list = byKind.get(kind) ?? [];
    list.push(list.length < MAX_NAMED ? `${id} (${why})` : id);
    byKind.set(kind, list);
  }
  return [...byKind].map(([kind, list]) => {
    const named = list.slice(0, MAX_NAMED).join(', ');
    return list.length > MAX_NAMED ? `${kind}: ${named} and ${list.length - MAX_NAMED} more` : named;
  }).join('; ');
}

/**
 * Reasons a request is infeasible. When every layer has some device on its own, the trouble is
 * the combination (shared budgets, the return link, privacy across consecutive layers).
 */
export function explainInfeasible(inst: Instance): string[] {
  const L = inst.model.layers.length;
  const reasons: string[] = [];
  const src = inst.devices.find((d) => d.id === inst.source)!;
  for (const i of L > 1 ? [0, L - 1] : [0]) {
    const why = soloRefusal(inst, src, i);
    if (why) reasons.push(`layer ${i + 1} (${inst.model.layers[i]!.name}) must run on the source ${src.id}: ${why}`);
  }
  for (let i = 1; i < L - 1; i++) {
    const refusals: Array<[string, string]> = [];
    let anyFits = false;
    for (const dev of inst.devices) {
      const why = soloRefusal(inst, dev, i);
      if (why) refusals.push([dev.id, why]); else anyFits = true;
    }
    if (!anyFits) reasons.push(`layer ${i + 1} (${inst.model.layers[i]!.name}): no device fits — ${summarise(refusals) || 'no devices'}`);
  }
  if (reasons.length === 0) reasons.push('every layer fits some device on its own, but no combination meets the constraints together (shared budgets, links or privacy across layers)');
  return reasons;
}
