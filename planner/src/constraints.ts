/**
 * The cost model and constraints of DESIGN.md's placement problem (rl-pdnn eqs. 1–6, 4.a–4.h).
 * `violations` is the authority every planner's output is checked against.
 */
import { privacyOn, type Instance, type PlanDevice } from './instance.js';

/** latency = Σ compute + Σ transfers where consecutive layers change device (eqs. 1–3). */
export function latencySeconds(inst: Instance, assignment: string[]): number {
  const byId = new Map(inst.devices.map((d) => [d.id, d]));
  const layers = inst.model.layers;
  let total = 0;
  for (let i = 0; i < layers.length; i++) {
    const dev = byId.get(assignment[i]!)!;
    total += layers[i]!.macs / dev.macsPerSecond;
    if (i < layers.length - 1 && assignment[i + 1] !== assignment[i]) total += (8 * layers[i]!.outputBytes) / dev.rateBitsPerSecond;
  }
  return total;
}

/** Which clause of eq. 6 a device would break at layer `l`, with the counts. */
export interface PrivacyBreach {
  /** 'fraction': |E∩P| > maxExposedFraction·l; 'hidden': fewer than min(minHidden, |P|) hidden; 'all-seen': E∩P = P */
  clause: 'fraction' | 'hidden' | 'all-seen';
  layer: number;
  /** |E ∩ P| and |P|, P = {2, …, l−1} */
  exposedPrior: number;
  prior: number;
  /** the bound broken: maxExposedFraction·l, or the hidden layers needed */
  bound: number;
}

/**
 * eq. 6 / 4.g–4.h for an untrusted device computing layer `l` (1-based, 2 ≤ l ≤ L−1), given
 * what it has seen before (`seen`: exposed layers ∪ this request's earlier layers on it).
 */
export function privacyBreach(inst: Instance, dev: PlanDevice, l: number, seen: ReadonlySet<number>): PrivacyBreach | null {
  if (dev.trusted || !privacyOn(inst.privacy) || l < 2 || l > inst.model.layers.length - 1) return null;
  const prior = l - 2; // |P| with P = {2, …, l−1}
  let exposedPrior = 0;
  for (let k = 2; k < l; k++) if (seen.has(k)) exposedPrior++;
  const { maxExposedFraction, minHidden } = inst.privacy;
  if (exposedPrior > maxExposedFraction * l) return { clause: 'fraction', layer: l, exposedPrior, prior, bound: maxExposedFraction * l };
  if (prior - exposedPrior < Math.min(minHidden, prior)) return { clause: 'hidden', layer: l, exposedPrior, prior, bound: Math.min(minHidden, prior) };
  if (prior > 0 && exposedPrior === prior) return { clause: 'all-seen', layer: l, exposedPrior, prior, bound: prior - 1 };
  return null;
}

/** `privacyBreach` as the text `violations` reports. */
export function privacyViolation(inst: Instance, dev: PlanDevice, l: number, seen: ReadonlySet<number>): string | null {
  const b = privacyBreach(inst, dev, l, seen);
  if (!b) return null;
  if (b.clause === 'fraction') return `privacy: would see ${b.exposedPrior} of layers 2..${l - 1} (max ${inst.privacy.maxExposedFraction}·${l})`;
  if (b.clause === 'hidden') return `privacy: only ${b.prior - b.exposedPrior} of layers 2..${l - 1} hidden (needs ${b.bound})`;
  return `privacy: has seen every layer before ${l}`;
}

/** Every constraint an assignment breaks, each naming the constraint, device and figures. */
export function violations(inst: Instance, assignment: string[]): string[] {
  const out: string[] = [];
  const L = inst.model.layers.length;
  if (assignment.length !== L) return [`assignment has ${assignment.length} entries, model has ${L} layers`];
  const byId = new Map(inst.devices.map((d) => [d.id, d]));
  for (const [i, id] of assignment.entries()) if (!byId.has(id)) out.push(`layer ${i + 1}: unknown device ${id}`);
  if (out.length) return out;
  if (assignment[0] !== inst.source) out.push(`4.e: layer 1 must run on the source ${inst.source}`);
  if (assignment[L - 1] !== inst.source) out.push(`4.f: layer ${L} must run on the source ${inst.source}`);
  if (!inst.sourceMayComputeMiddle) {
    for (let i = 1; i < L - 1; i++) if (assignment[i] === inst.source) out.push(`layer ${i + 1}: the source may not compute middle layers`);
  }
  const macs = new Map<string, number>(), mem = new Map<string, number>(), bits = new Map<string, number>();
  const seen = new Map<string, Set<number>>();
  for (let i = 0; i < L; i++) {
    const id = assignment[i]!, layer = inst.model.layers[i]!, dev = byId.get(id)!;
    macs.set(id, (macs.get(id) ?? 0) + layer.macs);
    mem.set(id, (mem.get(id) ?? 0) + layer.weightBytes);
    if (i < L - 1 && assignment[i + 1] !== id) bits.set(id, (bits.get(id) ?? 0) + 8 * layer.outputBytes);
    const s = seen.get(id) ?? new Set(dev.exposed);
    const p = privacyViolation(inst, dev, i + 1, s);
    if (p) out.push(`layer ${i + 1} on ${id}: ${p}`);
    s.add(i + 1);
    seen.set(id, s);
  }
  for (const [id, m] of macs) {
    const d = byId.get(id)!;
    if (d.loadMacsPerSecond + inst.requestRate * m > d.macsPerSecond) out.push(`4.b compute: ${id} needs ${fmt(inst.requestRate * m)} MAC/s, ${fmt(d.macsPerSecond - d.loadMacsPerSecond)} free`);
  }
  for (const [id, w] of mem) {
    const d = byId.get(id)!;
    if (w > d.memoryBytes) out.push(`4.a memory: ${id} needs ${fmt(w)} B, has ${fmt(d.memoryBytes)}`);
  }
  for (const [id, b] of bits) {
    const d = byId.get(id)!;
    if (d.loadBitsPerSecond + inst.requestRate * b > d.rateBitsPerSecond) out.push(`4.c link: ${id} needs ${fmt(inst.requestRate * b)} b/s, ${fmt(d.rateBitsPerSecond - d.loadBitsPerSecond)} free`);
  }
  return out;
}

export function fmt(x: number): string {
  return Math.abs(x) >= 1e4 ? x.toExponential(2) : String(Math.round(x * 100) / 100);
}
