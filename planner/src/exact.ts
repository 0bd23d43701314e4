/**
 * `exact`: the optimum of a single-request instance, or a proof that none is feasible.
 * Depth-first branch and bound over the middle layers; each partial assignment is checked
 * incrementally against 4.a–4.c and eq. 6 and pruned by a latency lower bound. Devices that are
 * indistinguishable (same speed, link, memory, load, trust and exposure) and not yet used by this
 * request are interchangeable, so only the first of each such class is tried — that is what lets
 * it prove optimality on 51-device fleets where plain enumeration would not finish.
 * A complete assignment is checked again by `violations`, so nothing it returns breaks a
 * constraint. When none is feasible the search has seen every partial placement (without an
 * incumbent the latency bound prunes nothing), so the deepest one it reached is the furthest any
 * placement gets, and the rejection names what blocks its next layer (`explain.ts`).
 */
import { latencySeconds, privacyViolation, violations } from './constraints.js';
import { rejectionAt, rejectionsAlone, renderRejection, type Rejection } from './explain.js';
import type { Instance, Placement } from './instance.js';
import { sourceOnly, type Strategy } from './strategy.js';

export interface ExactOptions {
  /** Search nodes before giving up; the result then says the optimum was not proven. */
  maxNodes?: number;
}

export interface ExactPlacement extends Placement {
  /** false when the node budget ran out: the answer is the best found, not a proven optimum */
  proven: boolean;
  nodes: number;
}

/** Devices with equal signatures are interchangeable for this request. */
function symmetryClasses(inst: Instance): Int32Array {
  const keyOf = new Map<string, number>();
  return Int32Array.from(inst.devices, (d) => {
    const key = [d.id === inst.source ? d.id : '', d.trusted, d.macsPerSecond, d.loadMacsPerSecond, d.memoryBytes,
      d.rateBitsPerSecond, d.loadBitsPerSecond, [...d.exposed].sort((a, b) => a - b).join(',')].join('|');
    if (!keyOf.has(key)) keyOf.set(key, keyOf.size);
    return keyOf.get(key)!;
  });
}

export function planExact(inst: Instance, opts: ExactOptions = {}): ExactPlacement {
  const maxNodes = opts.maxNodes ?? Infinity;
  const layers = inst.model.layers;
  const L = layers.length;
  const devices = inst.devices;
  const D = devices.length;
  const src = devices.findIndex((d) => d.id === inst.source);
  if (L <= 2) return { ...sourceOnly(inst), proven: true, nodes: 1 };
  // an end layer the source cannot carry, or a middle layer no device can take alone: no search
  const alone = rejectionsAlone(inst);
  if (alone.length) return { ...rejectedWith(inst, alone), proven: true, nodes: 0 };
  const cls = symmetryClasses(inst);
  const macs = new Float64Array(D), mem = new Float64Array(D), bits = new Float64Array(D);
  const uses = new Int32Array(D);
  const seen = devices.map((d) => new Set(d.exposed));
  const chosen = new Int32Array(L).fill(-1);
  chosen[0] = src; chosen[L - 1] = src;
  macs[src]! += layers[0]!.macs + layers[L - 1]!.macs;
  mem[src]! += layers[0]!.weightBytes + layers[L - 1]!.weightBytes;
  uses[src] = 2;
  seen[src]!.add(1);

  const fastest = Math.max(...devices.map((d, i) => (i === src && !inst.sourceMayComputeMiddle ? 0 : d.macsPerSecond)));
  // restMacs[i]: Σ macs of middle layers i..L-2, for the bound; the last layer is fixed on the source.
  const restMacs = new Float64Array(L + 1);
  for (let i = L - 2; i >= 1; i--) restMacs[i] = restMacs[i + 1]! + layers[i]!.macs;
  const lastCompute = layers[L - 1]!.macs / devices[src]!.macsPerSecond;
  const order = devices.map((_, d) => d).sort((a, b) => devices[b]!.macsPerSecond - devices[a]!.macsPerSecond);
  const sendBits = (i: number) => 8 * layers[i]!.outputBytes;

  let best: string[] | null = null;
  let bestLatency = Infinity;
  let nodes = 0;
  let exhausted = false;
  // the furthest partial placement: layers 0..deepest−1 placed, in `furthest`
  let deepest = 0;
  const furthest = new Int32Array(L).fill(-1);

  function visit(i: number, latencySoFar: number): void {
    if (++nodes > maxNodes) { exhausted = true; return; }
    if (i > deepest) { deepest = i; furthest.set(chosen); }
    if (latencySoFar + restMacs[i]! / fastest + lastCompute >= bestLatency) return;
    if (i === L - 1) {
      const assignment = Array.from(chosen, (c) => devices[c]!.id);
      if (violations(inst, assignment).length > 0) return;
      const lat = latencySeconds(inst, assignment);
      if (lat < bestLatency) { bestLatency = lat; best = assignment; }
      return;
    }
    const prev = chosen[i - 1]!;
    const layer = layers[i]!;
    const triedClasses = new Set<number>();
    // staying on the previous device first finds a good incumbent early
    const candidates = prev === src ? order : [prev, ...order.filter((d) => d !== prev)];
    for (const d of candidates) {
      if (exhausted) return;
      const dev = devices[d]!;
      if (d === src && !inst.sourceMayComputeMiddle) continue;
      if (uses[d] === 0) {
        if (triedClasses.has(cls[d]!)) continue;
        triedClasses.add(cls[d]!);
      }
      if (dev.loadMacsPerSecond + inst.requestRate * (macs[d]! + layer.macs) > dev.macsPerSecond) continue;
      if (mem[d]! + layer.weightBytes > dev.memoryBytes) continue;
      if (privacyViolation(inst, dev, i + 1, seen[d]!)) continue;
      const hop = prev !== d;
      if (hop && devices[prev]!.loadBitsPerSecond + inst.requestRate * (bits[prev]! + sendBits(i - 1)) > devices[prev]!.rateBitsPerSecond) continue;
      // the last middle layer's output goes back to the source
      if (i === L - 2 && d !== src && dev.loadBitsPerSecond + inst.requestRate * (bits[d]! + sendBits(i)) > dev.rateBitsPerSecond) continue;
      const hadSeen = seen[d]!.has(i + 1);
      macs[d]! += layer.macs; mem[d]! += layer.weightBytes; uses[d]!++; seen[d]!.add(i + 1);
      if (hop) bits[prev]! += sendBits(i - 1);
      chosen[i] = d;
      const step = layer.macs / dev.macsPerSecond + (hop ? sendBits(i - 1) / devices[prev]!.rateBitsPerSecond : 0);
      visit(i + 1, latencySoFar + step);
      chosen[i] = -1;
      if (hop) bits[prev]! -= sendBits(i - 1);
      macs[d]! -= layer.macs; mem[d]! -= layer.weightBytes; uses[d]!--;
      if (!hadSeen) seen[d]!.delete(i + 1);
    }
  }

  visit(1, layers[0]!.macs / devices[src]!.macsPerSecond);
  const proven = !exhausted;
  if (best) return { feasible: true, latencySeconds: bestLatency, assignment: best, proven, nodes };
  const why = deepest < L - 1 ? [rejectionAt(inst, furthest, deepest, proven)] : [];
  const out = rejectedWith(inst, why);
  if (why.length === 0) out.reasons.push('every layer fits some device on its own, but no combination meets the constraints together');
  if (!proven) out.reasons.push(`search stopped after ${maxNodes} nodes without a feasible placement`);
  return { ...out, proven, nodes };
}

function rejectedWith(inst: Instance, why: Rejection[]): Placement & { reasons: string[]; rejection: Rejection[] } {
  return { feasible: false, latencySeconds: Infinity, assignment: [], reasons: why.map((r) => renderRejection(inst, r)), rejection: why };
}

/**
 * Why no placement meets the constraints: the typed rejections (`Rejection`, explain.ts), from a
 * node-budgeted exact search when the trouble is a combination. Empty when a placement exists.
 */
export function explainRejection(inst: Instance, maxNodes = 20_000): Rejection[] {
  const p = planExact(inst, { maxNodes });
  return p.feasible ? [] : p.rejection ?? [];
}

/** `explainRejection` as text, one line per rejection. */
export function explainInfeasible(inst: Instance, maxNodes = 20_000): string[] {
  const p = planExact(inst, { maxNodes });
  return p.feasible ? [] : p.reasons ?? [];
}

export class ExactStrategy implements Strategy {
  readonly name = 'exact';
  constructor(private readonly opts: ExactOptions = {}) {}
  plan(inst: Instance): Placement { return planExact(inst, this.opts); }
}
