/**
 * `segment-dp`, our online strategy. A placement is a chain of segments — consecutive middle
 * layers on one device — and a segment's cost (its compute, plus sending its output on) depends
 * only on its layers and its device. Each device's constraints (4.a–4.c, eq. 6) are sums over its
 * own layers, so once no device holds two segments they separate per segment, and the problem is
 * a shortest path over layer boundaries: label-setting with the few cheapest feasible devices per
 * segment and a handful of labels per boundary (kept distinct by their last device). A device that
 * appears twice in a chain is checked with its combined usage.
 *
 * It never returns a placement that breaks a constraint: the chosen chain is re-checked by
 * `violations`; if every chain found fails the check it falls back to a budgeted `exact` search,
 * and if that finds nothing it rejects with its reasons (`explain.ts`).
 */
import { latencySeconds, violations } from './constraints.js';
import { planExact } from './exact.js';
import { privacyOn, type Instance, type Placement } from './instance.js';
import { rejected, sourceOnly, type Strategy } from './strategy.js';

export interface SegmentDpOptions {
  /** labels kept per layer boundary */
  labelsPerBoundary?: number;
  /** search nodes for the exact fallback */
  fallbackNodes?: number;
}

interface Label {
  cost: number;
  last: number;
  /** the segment that ends here: layers [from, to] (0-based) on `last` */
  from: number;
  to: number;
  parent: Label | null;
  /** devices on the chain, sorted: a cheaper label dominates only if it used no more of them */
  used: number[];
}

/** `used` with `d` added, kept sorted: a merge, not a sort, since this runs for every label made. */
function withDevice(used: number[], d: number): number[] {
  const out = new Array<number>(used.length + 1);
  let i = 0;
  for (; i < used.length && used[i]! < d; i++) out[i] = used[i]!;
  out[i] = d;
  for (; i < used.length; i++) out[i + 1] = used[i]!;
  return out;
}

function subset(a: number[], b: number[]): boolean {
  let j = 0;
  for (const x of a) { while (j < b.length && b[j]! < x) j++; if (j >= b.length || b[j] !== x) return false; }
  return true;
}

export function planSegmentDp(inst: Instance, opts: SegmentDpOptions = {}): Placement {
  const K = opts.labelsPerBoundary ?? 8;
  const layers = inst.model.layers;
  const L = layers.length;
  const devs = inst.devices;
  const D = devs.length;
  const src = devs.findIndex((d) => d.id === inst.source);
  if (L <= 2) return sourceOnly(inst);
  const rate = inst.requestRate;
  const guarded = privacyOn(inst.privacy);
  const { maxExposedFraction: maxFrac, minHidden } = inst.privacy;
  const M = L - 2; // middle layers 1..L-2
  const perSegment = Math.min(D, M + 3);

  const pm = new Float64Array(L + 1), pw = new Float64Array(L + 1);
  for (let i = 0; i < L; i++) { pm[i + 1] = pm[i]! + layers[i]!.macs; pw[i + 1] = pw[i]! + layers[i]!.weightBytes; }
  const outBits = (i: number) => 8 * layers[i]!.outputBytes;

  // what the source already carries: the first and last layer, and sending layer 1's output
  const srcMacs = layers[0]!.macs + layers[L - 1]!.macs;
  const srcMem = layers[0]!.weightBytes + layers[L - 1]!.weightBytes;

  const candidates: number[] = [];
  for (let d = 0; d < D; d++) if (d !== src || inst.sourceMayComputeMiddle) candidates.push(d);

  // exposure prefix counts (1-based layer numbers) for untrusted devices that have seen something
  const expPre: Array<Int32Array | null> = devs.map((d) => {
    if (!guarded || d.trusted || d.exposed.length === 0) return null;
    const pre = new Int32Array(L + 1);
    const set = new Set(d.exposed);
    for (let l = 1; l <= L; l++) pre[l] = pre[l - 1]! + (set.has(l) ? 1 : 0);
    return pre;
  });

  /** eq. 6 at layer l (1-based) for a device that has seen `exposedPrior` of layers 2..l−1. */
  const privateAt = (l: number, exposedPrior: number) => {
    const prior = l - 2;
    return exposedPrior <= maxFrac * l && prior - exposedPrior >= Math.min(minHidden, prior) && !(prior > 0 && exposedPrior === prior);
  };

  // reach[a·D + d]: the last layer index b such that d may take [a, b] alone under eq. 6 (a
  // segment that fails at some layer fails for every longer one, so one number per start).
  const reach = guarded ? new Int32Array(L * D).fill(-2) : null;
  function segmentPrivate(d: number, a: number, b: number): boolean {
    if (!reach || devs[d]!.trusted) return true;
    let r = reach[a * D + d]!;
    if (r === -2) {
      const pre = expPre[d];
      const la = a + 1;
      r = a - 1;
      for (let l = la; l <= L - 1; l++) {
        const inPrior = pre ? pre[l - 1]! - pre[1]! : 0;
        const segBeforeExposed = pre ? pre[l - 1]! - pre[la - 1]! : 0;
        if (!privateAt(l, inPrior + (l - la) - segBeforeExposed)) break;
        r = l - 1;
      }
      reach[a * D + d] = r;
    }
    return b <= r;
  }

  function fits(d: number, a: number, b: number, uMacs: number, uMem: number, uBits: number): boolean {
    const dev = devs[d]!;
    if (dev.loadMacsPerSecond + rate * (uMacs + pm[b + 1]! - pm[a]!) > dev.macsPerSecond) return false;
    if (uMem + pw[b + 1]! - pw[a]! > dev.memoryBytes) return false;
    const sends = d !== src || b < L - 2;
    if (sends && dev.loadBitsPerSecond + rate * (uBits + outBits(b)) > dev.rateBitsPerSecond) return false;
    return true;
  }

  // Fast path: no placement can beat every middle layer at the fleet's top speed with only the two
  // unavoidable hops (out of the source, back to it at the best link). When one device alone
  // achieves that bound, it is the optimum — the usual case on a lightly loaded fleet. (With the
  // source allowed in the middle, a placement without hops exists, so the bound does not hold.)
  if (!inst.sourceMayComputeMiddle) {
    let eMax = 0, bestBack = Infinity;
    for (const d of candidates) { eMax = Math.max(eMax, devs[d]!.macsPerSecond); bestBack = Math.min(bestBack, outBits(L - 2) / devs[d]!.rateBitsPerSecond); }
    const srcDev = devs[src]!;
    const ends = layers[0]!.macs / srcDev.macsPerSecond + layers[L - 1]!.macs / srcDev.macsPerSecond + outBits(0) / srcDev.rateBitsPerSecond;
    const bound = ends + (pm[L - 1]! - pm[1]!) / eMax + bestBack;
    let best = -1, bestCost = Infinity, bestFree = -Infinity;
    for (const d of candidates) {
      if (d === src) continue;
      const cost = ends + (pm[L - 1]! - pm[1]!) / devs[d]!.macsPerSecond + outBits(L - 2) / devs[d]!.rateBitsPerSecond;
      // among equals, the least loaded device: its queue is the shortest
      const free = devs[d]!.macsPerSecond - devs[d]!.loadMacsPerSecond;
      if ((cost < bestCost || (cost === bestCost && free > bestFree)) && fits(d, 1, L - 2, 0, 0, 0) && segmentPrivate(d, 1, L - 2)) { best = d; bestCost = cost; bestFree = free; }
    }
    if (best >= 0 && bestCost <= bound * (1 + 1e-12)) {
      const assignment = layers.map((_, i) => (i === 0 || i === L - 1 ? inst.source : devs[best]!.id));
      if (violations(inst, assignment).length === 0) return { feasible: true, latencySeconds: latencySeconds(inst, assignment), assignment };
    }
  }

  // Devices grouped by (speed, link rate): within a group the segment cost is the same, so the
  // cheapest feasible devices of a segment are found by visiting groups in cost order.
  const groupOf = new Map<string, number[]>();
  for (const d of candidates) {
    const key = `${devs[d]!.macsPerSecond}|${devs[d]!.rateBitsPerSecond}`;
    const g = groupOf.get(key) ?? [];
    g.push(d);
    groupOf.set(key, g);
  }
  const groupsRaw = [...groupOf.values()];
  const groupId = new Int32Array(D).fill(-1);
  groupsRaw.forEach((g, k) => { for (const d of g) groupId[d] = k; });
  const groups = groupsRaw.map((g) => g.sort((x, y) =>
    (devs[y]!.macsPerSecond - devs[y]!.loadMacsPerSecond) - (devs[x]!.macsPerSecond - devs[x]!.loadMacsPerSecond)));
  const maxFree = Math.max(0, ...candidates.map((d) => devs[d]!.macsPerSecond - devs[d]!.loadMacsPerSecond));
  const maxMem = Math.max(0, ...candidates.map((d) => devs[d]!.memoryBytes));

  // top[a][b]: cheapest devices that can take layers a..b alone (the source with its own load)
  const top: Int32Array[][] = Array.from({ length: L }, () => []);
  const groupCost = new Float64Array(groups.length);
  const groupOrder = groups.map((_, g) => g);
  for (let a = 1; a <= L - 2; a++) {
    for (let b = a; b <= L - 2; b++) {
      if (rate * (pm[b + 1]! - pm[a]!) > maxFree || pw[b + 1]! - pw[a]! > maxMem) break; // longer only needs more
      for (let g = 0; g < groups.length; g++) {
        const dev = devs[groups[g]![0]!]!;
        groupCost[g] = (pm[b + 1]! - pm[a]!) / dev.macsPerSecond + (b < L - 2 ? outBits(b) / dev.rateBitsPerSecond : 0);
      }
      groupOrder.sort((x, y) => groupCost[x]! - groupCost[y]!);
      const found: number[] = [];
      for (const g of groupOrder) {
        for (const d of groups[g]!) {
          const isSrc = d === src;
          if (!fits(d, a, b, isSrc ? srcMacs : 0, isSrc ? srcMem : 0, 0)) {
            const dev = devs[d]!;
            // sorted by free compute: once compute fails it fails for the rest of the group
            if (!isSrc && dev.loadMacsPerSecond + rate * (pm[b + 1]! - pm[a]!) > dev.macsPerSecond) break;
            continue;
          }
          if (!segmentPrivate(d, a, b)) continue;
          found.push(d);
          if (found.length >= perSegment) break;
        }
        if (found.length >= perSegment) break;
      }
      top[a]![b] = Int32Array.from(found);
    }
  }

  // usage of each device along a label's chain, rebuilt per label into scratch arrays
  const uMacs = new Float64Array(D), uMem = new Float64Array(D), uBits = new Float64Array(D);
  const onPath = new Int32Array(D).fill(-1);
  let pathStamp = 0;
  function loadPath(label: Label): void {
    pathStamp++;
    onPath[src] = pathStamp;
    uMacs[src] = srcMacs; uMem[src] = srcMem; uBits[src] = outBits(0);
    for (let x: Label | null = label; x && x.parent; x = x.parent) {
      const d = x.last;
      if (onPath[d] !== pathStamp) { onPath[d] = pathStamp; uMacs[d] = 0; uMem[d] = 0; uBits[d] = 0; }
      uMacs[d]! += pm[x.to + 1]! - pm[x.from]!;
      uMem[d]! += pw[x.to + 1]! - pw[x.from]!;
      if (d !== src || x.to < L - 2) uBits[d]! += outBits(x.to);
    }
  }
  const seenScratch = new Uint8Array(L + 2);
  function revisitPrivate(label: Label, d: number, a: number, b: number): boolean {
    if (devs[d]!.trusted) return true;
    seenScratch.fill(0);
    for (const l of devs[d]!.exposed) if (l >= 0 && l <= L) seenScratch[l] = 1;
    for (let x: Label | null = label; x && x.parent; x = x.parent) if (x.last === d) for (let i = x.from; i <= x.to; i++) seenScratch[i + 1] = 1;
    if (d === src) seenScratch[1] = 1;
    for (let l = a + 1; l <= b + 1; l++) {
      let exposedPrior = 0;
      for (let k = 2; k < l; k++) exposedPrior += seenScratch[k]!;
      if (!privateAt(l, exposedPrior)) return false;
      seenScratch[l] = 1;
    }
    return true;
  }

  const srcDev = devs[src]!;
  const boundary: Label[][] = Array.from({ length: L }, () => []);
  boundary[1]!.push({ cost: layers[0]!.macs / srcDev.macsPerSecond, last: src, from: 0, to: 0, parent: null, used: [src] });
  // Labels ending on interchangeable devices (same group) are near-duplicates: keep two per group
  // (the second in case the first's device is needed again later), distinct by device.
  const PER_GROUP = 3;
  const insert = (list: Label[], lab: Label) => {
    for (let k = list.length - 1; k >= 0; k--) {
      const x = list[k]!;
      if (x.last !== lab.last) continue;
      if (x.cost <= lab.cost && subset(x.used, lab.used)) return;
      if (lab.cost <= x.cost && subset(lab.used, x.used)) list.splice(k, 1);
    }
    const g = groupId[lab.last]!;
    const sameGroup = list.filter((x) => groupId[x.last] === g);
    if (sameGroup.length >= PER_GROUP) {
      const worst = sameGroup[sameGroup.length - 1]!;
      if (worst.cost <= lab.cost) return;
      list.splice(list.indexOf(worst), 1);
    }
    let at = list.length;
    while (at > 0 && list[at - 1]!.cost > lab.cost) at--;
    if (at >= K) return;
    list.splice(at, 0, lab);
    if (list.length > K) list.pop();
  };

  const groupUses = new Int32Array(groups.length);
  for (let a = 1; a <= L - 2; a++) {
    for (const label of boundary[a]!) {
      loadPath(label);
      const p = label.last;
      const hopCost = outBits(a - 1) / devs[p]!.rateBitsPerSecond;
      for (let b = a; b <= L - 2; b++) {
        const list = top[a]![b];
        if (!list) break;
        groupUses.fill(0);
        const target = boundary[b + 1]!;
        const enough = PER_GROUP * groups.length;
        let extended = 0;
        for (const d of list) {
          if (groupUses[groupId[d]!]! >= PER_GROUP) continue; // the rest of a group costs the same with less slack
          // continuing on the last device is the longer segment, already tried from an earlier boundary
          if (d === p) continue;
          const cost = label.cost + (d === p ? 0 : hopCost) + (pm[b + 1]! - pm[a]!) / devs[d]!.macsPerSecond;
          if (target.length >= K && cost >= target[target.length - 1]!.cost) {
            // would not make the list, nor would the rest of its group (same speed, same cost) unless it is the last device
            if (d !== p) groupUses[groupId[d]!] = PER_GROUP;
            continue;
          }
          const revisit = onPath[d] === pathStamp;
          if (revisit) {
            if (!fits(d, a, b, uMacs[d]!, uMem[d]!, uBits[d]!)) continue;
            if (guarded && !revisitPrivate(label, d, a, b)) continue;
          }
          const used = revisit ? label.used : withDevice(label.used, d);
          insert(target, { cost, last: d, from: a, to: b, parent: label, used });
          groupUses[groupId[d]!]!++;
          if (++extended >= enough) break;
        }
      }
    }
  }

  const finals = boundary[L - 1]!.map((lab) => ({
    lab,
    total: lab.cost + (lab.last === src ? 0 : outBits(L - 2) / devs[lab.last]!.rateBitsPerSecond) + layers[L - 1]!.macs / srcDev.macsPerSecond,
  })).sort((x, y) => x.total - y.total);
  for (const { lab } of finals) {
    const assignment = new Array<string>(L).fill(inst.source);
    for (let x: Label | null = lab; x && x.parent; x = x.parent) for (let i = x.from; i <= x.to; i++) assignment[i] = devs[x.last]!.id;
    if (violations(inst, assignment).length === 0) return { feasible: true, latencySeconds: latencySeconds(inst, assignment), assignment };
  }
  // A layer no device can take even alone settles it (planExact says so without searching);
  // otherwise the label search may have missed a combination, so a budgeted exact search gets
  // the last word, and its rejection names what blocks the furthest placement it found.
  const fallback = planExact(inst, { maxNodes: opts.fallbackNodes ?? 5_000 });
  if (fallback.feasible) return { feasible: true, latencySeconds: fallback.latencySeconds, assignment: fallback.assignment };
  return { ...rejected(fallback.reasons ?? []), ...(fallback.rejection ? { rejection: fallback.rejection } : {}) };
}

export class SegmentDpStrategy implements Strategy {
  readonly name = 'segment-dp';
  constructor(private readonly opts: SegmentDpOptions = {}) {}
  plan(inst: Instance): Placement { return planSegmentDp(inst, this.opts); }
}
