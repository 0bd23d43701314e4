/**
 * First planner: depth-first branch and bound over the middle layers. Each partial assignment is
 * checked incrementally against 4.a–4.c and eq. 6, pruned by latency; a complete one is checked
 * again by `violations`, so nothing it returns breaks a constraint. With a node budget it stays
 * fast on fleets where exhaustive search is not; past the budget it returns the best found so far.
 * (The planner issue replaces this with the strategies of rl-pdnn and our own.)
 */
import { latencySeconds, privacyViolation, violations, fmt } from './constraints.js';
import type { Instance, Placement } from './instance.js';

export interface SearchOptions { maxNodes?: number }

export function planBranchAndBound(inst: Instance, opts: SearchOptions = {}): Placement {
  const maxNodes = opts.maxNodes ?? 200_000;
  const layers = inst.model.layers;
  const L = layers.length;
  const devices = inst.devices;
  const src = devices.findIndex((d) => d.id === inst.source);
  const idx = new Map(devices.map((d, i) => [d.id, i]));
  const macs = new Float64Array(devices.length);
  const mem = new Float64Array(devices.length);
  const bits = new Float64Array(devices.length);
  const seen = devices.map((d) => new Set(d.exposed));
  const chosen = new Int32Array(L).fill(-1);
  chosen[0] = src;
  chosen[L - 1] = src;
  macs[src]! += layers[0]!.macs + (L > 1 ? layers[L - 1]!.macs : 0);
  mem[src]! += layers[0]!.weightBytes + (L > 1 ? layers[L - 1]!.weightBytes : 0);
  seen[src]!.add(1);

  // Why each device was refused for each layer; a device accepted in any branch is cleared.
  const refused: Array<Map<string, string>> = layers.map(() => new Map());
  const accepted: Array<Set<string>> = layers.map(() => new Set());
  const refuse = (i: number, id: string, why: string) => { if (!accepted[i]!.has(id)) refused[i]!.set(id, why); };

  let best: string[] | null = null;
  let bestLatency = Infinity;
  let nodes = 0;
  let leafRejects = 0;
  const fastest = Math.max(...devices.map((d) => d.macsPerSecond));

  const sendBits = (i: number) => 8 * layers[i]!.outputBytes;
  const linkOk = (d: number, extraBits: number) => devices[d]!.loadBitsPerSecond + inst.requestRate * (bits[d]! + extraBits) <= devices[d]!.rateBitsPerSecond;

  function visit(i: number, latencySoFar: number): void {
    if (++nodes > maxNodes) return;
    // lower bound: the rest computed at the fastest device's speed, no transfers
    let rest = 0;
    for (let k = i; k < L; k++) rest += layers[k]!.macs / fastest;
    if (latencySoFar + rest >= bestLatency) return;
    if (i === L - 1) {
      const assignment = Array.from(chosen, (c) => devices[c]!.id);
      if (violations(inst, assignment).length > 0) { leafRejects++; return; }
      const lat = latencySeconds(inst, assignment);
      if (lat < bestLatency) { bestLatency = lat; best = assignment.slice(); }
      return;
    }
    const prev = chosen[i - 1]!;
    const order = devices.map((_, d) => d).sort((a, b) => devices[b]!.macsPerSecond - devices[a]!.macsPerSecond);
    for (const d of order) {
      const dev = devices[d]!;
      const layer = layers[i]!;
      if (d === src && !inst.sourceMayComputeMiddle) { refuse(i, dev.id, 'source keeps out of middle layers (4.e/4.f)'); continue; }
      if (dev.loadMacsPerSecond + inst.requestRate * (macs[d]! + layer.macs) > dev.macsPerSecond) {
        refuse(i, dev.id, `4.b compute: needs ${fmt(inst.requestRate * (macs[d]! + layer.macs))} MAC/s of ${fmt(dev.macsPerSecond - dev.loadMacsPerSecond)} free`);
        continue;
      }
      if (mem[d]! + layer.weightBytes > dev.memoryBytes) { refuse(i, dev.id, `4.a memory: needs ${fmt(mem[d]! + layer.weightBytes)} B of ${fmt(dev.memoryBytes)}`); continue; }
      const p = privacyViolation(inst, dev, i + 1, seen[d]!);
      if (p) { refuse(i, dev.id, p); continue; }
      const hop = prev !== d;
      if (hop && !linkOk(prev, sendBits(i - 1))) { refuse(i, dev.id, `4.c link: ${devices[prev]!.id} cannot send layer ${i}'s output`); continue; }
      accepted[i]!.add(dev.id);
      refused[i]!.delete(dev.id);
      const hadSeen = seen[d]!.has(i + 1);
      macs[d]! += layer.macs; mem[d]! += layer.weightBytes; seen[d]!.add(i + 1);
      if (hop) bits[prev]! += sendBits(i - 1);
      chosen[i] = d;
      const step = layer.macs / dev.macsPerSecond + (hop ? sendBits(i - 1) / devices[prev]!.rateBitsPerSecond : 0);
      visit(i + 1, latencySoFar + step);
      chosen[i] = -1;
      if (hop) bits[prev]! -= sendBits(i - 1);
      macs[d]! -= layer.macs; mem[d]! -= layer.weightBytes;
      if (!hadSeen) seen[d]!.delete(i + 1);
    }
  }

  const firstMiddle = L > 2 ? 1 : L - 1;
  const start = layers[0]!.macs / devices[src]!.macsPerSecond;
  if (L <= 2) {
    const assignment = Array.from({ length: L }, () => inst.source);
    const v = violations(inst, assignment);
    return v.length ? { feasible: false, latencySeconds: Infinity, assignment: [], reasons: v } : { feasible: true, latencySeconds: latencySeconds(inst, assignment), assignment };
  }
  visit(firstMiddle, start);
  if (best) return { feasible: true, latencySeconds: bestLatency, assignment: best };

  const reasons: string[] = [];
  for (let i = 1; i < L - 1; i++) {
    if (accepted[i]!.size > 0) continue;
    const why = [...refused[i]!].map(([id, r]) => `${id} (${r})`).join('; ');
    reasons.push(`layer ${i + 1} (${layers[i]!.name}): no device fits — ${why || 'no devices'}`);
  }
  if (reasons.length === 0) {
    reasons.push(leafRejects > 0 || nodes <= maxNodes
      ? 'every layer has some device, but no combination meets the constraints together (shared budgets or the last hop\'s link)'
      : `search stopped after ${maxNodes} nodes without a feasible placement`);
  }
  return { feasible: false, latencySeconds: Infinity, assignment: [], reasons };
}
