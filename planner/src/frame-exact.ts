/**
 * The optimum of a whole frame (several requests sharing one fleet), as the paper's Fig. 12
 * computes with CVX: the fewest rejections first, then the least total latency. A depth-first
 * branch and bound over every middle layer of every request in arrival order, on shared device
 * state; each request's optimum alone on the frame's starting fleet bounds what it can cost
 * (load only grows within a frame, so it can only get worse), and unused interchangeable devices
 * are tried once, as in `exact`.
 */
import { privacyViolation } from './constraints.js';
import { planExact } from './exact.js';
import { frameInstance, type Frame, type FramePlan } from './frame.js';
import { privacyOn } from './instance.js';

export interface FrameExactPlan extends FramePlan { proven: boolean; nodes: number }


export function planFrameExact(frame: Frame, opts: { maxNodes?: number } = {}): FrameExactPlan {
  const maxNodes = opts.maxNodes ?? 5_000_000;
  const devs = frame.devices;
  const D = devs.length;
  const R = frame.requests.length;
  const rate = frame.requestRate;
  const idx = new Map(devs.map((d, i) => [d.id, i]));
  const reqs = frame.requests.map((req) => ({ ...req, src: idx.get(req.source)!, L: req.model.layers.length }));
  for (const [k, r] of reqs.entries()) if (r.src === undefined) throw new Error(`frame request ${k + 1}: source ${r.source} is not among the devices`);

  // alone on the starting fleet: a lower bound, and whether the request can be placed at all
  const insts = frame.requests.map((_, k) => frameInstance(frame, devs, k));
  const alone = insts.map((inst) => planExact(inst));
  // what requests k.. will cost at least: rejections, then latency (compared in that order)
  const restRejects = new Int32Array(R + 1), restLatency = new Float64Array(R + 1);
  for (let k = R - 1; k >= 0; k--) {
    restRejects[k] = restRejects[k + 1]! + (alone[k]!.feasible ? 0 : 1);
    restLatency[k] = restLatency[k + 1]! + (alone[k]!.feasible ? alone[k]!.latencySeconds : 0);
  }

  const models = [...new Set(frame.requests.map((r) => r.model.name))];
  const seen = new Map(models.map((m) => [m, devs.map((d) => new Set(d.exposedByModel[m] ?? []))]));
  const macs = new Float64Array(D), mem = new Float64Array(D), bits = new Float64Array(D), uses = new Int32Array(D);
  const keyOf = new Map<string, number>();
  const cls = Int32Array.from(devs, (d) => {
    const key = [d.trusted, d.macsPerSecond, d.loadMacsPerSecond, d.memoryBytes, d.rateBitsPerSecond, d.loadBitsPerSecond,
      ...models.map((m) => (d.exposedByModel[m] ?? []).join(','))].join('|');
    if (!keyOf.has(key)) keyOf.set(key, keyOf.size);
    return keyOf.get(key)!;
  });
  const order = devs.map((_, d) => d).sort((a, b) => devs[b]!.macsPerSecond - devs[a]!.macsPerSecond);
  const fastest = Math.max(...devs.map((d) => d.macsPerSecond));
  const guarded = privacyOn(frame.privacy);

  const chosen = reqs.map((r) => new Int32Array(r.L).fill(-1));
  let best: string[][] | null = null;
  let bestRejects = R + 1, bestCost = Infinity;
  /** can a branch with these rejections and this latency so far still beat the best? */
  const promising = (k: number, rejects: number, cost: number) => {
    const r = rejects + restRejects[k]!;
    return r < bestRejects || (r === bestRejects && cost + restLatency[k]! < bestCost);
  };
  let nodes = 0;
  let exhausted = false;

  const fitsCompute = (d: number, extra: number) => devs[d]!.loadMacsPerSecond + rate * (macs[d]! + extra) <= devs[d]!.macsPerSecond;
  const fitsLink = (d: number, extra: number) => devs[d]!.loadBitsPerSecond + rate * (bits[d]! + extra) <= devs[d]!.rateBitsPerSecond;

  function startRequest(k: number, rejects: number, cost: number): void {
    if (k === R) {
      if (promising(R, rejects, cost)) { bestRejects = rejects; bestCost = cost; best = chosen.map((c) => (c[0]! < 0 ? [] : Array.from(c, (d) => devs[d]!.id))); }
      return;
    }
    if (!promising(k, rejects, cost)) return;
    const r = reqs[k]!;
    const first = r.model.layers[0]!, last = r.model.layers[r.L - 1]!;
    const s = r.src;
    const firstSend = r.L > 2 ? 8 * first.outputBytes : 0;
    if (alone[k]!.feasible && fitsCompute(s, first.macs + last.macs) && mem[s]! + first.weightBytes + last.weightBytes <= devs[s]!.memoryBytes && fitsLink(s, firstSend)) {
      macs[s]! += first.macs + last.macs; mem[s]! += first.weightBytes + last.weightBytes; bits[s]! += firstSend; uses[s]!++;
      const seenS = seen.get(r.model.name)![s]!;
      const had = seenS.has(1);
      seenS.add(1);
      chosen[k]![0] = s; chosen[k]![r.L - 1] = s;
      layer(k, 1, rejects, cost + first.macs / devs[s]!.macsPerSecond);
      chosen[k]![0] = -1; chosen[k]![r.L - 1] = -1;
      if (!had) seenS.delete(1);
      macs[s]! -= first.macs + last.macs; mem[s]! -= first.weightBytes + last.weightBytes; bits[s]! -= firstSend; uses[s]!--;
    }
    if (exhausted) return;
    startRequest(k + 1, rejects + 1, cost);
  }

  function layer(k: number, i: number, rejects: number, cost: number): void {
    if (++nodes > maxNodes) { exhausted = true; return; }
    const r = reqs[k]!;
    const layers = r.model.layers;
    let restMacs = 0;
    for (let j = i; j < r.L - 1; j++) restMacs += layers[j]!.macs;
    if (!promising(k + 1, rejects, cost + restMacs / fastest + layers[r.L - 1]!.macs / devs[r.src]!.macsPerSecond)) return;
    const prev = chosen[k]![i - 1]!;
    const seenM = seen.get(r.model.name)!;
    if (i === r.L - 1) {
      // close the request: the last middle device sends back to the source (its link was charged on the way in otherwise)
      const back = 8 * layers[r.L - 2]!.outputBytes;
      const hop = prev !== r.src;
      if (hop && !fitsLink(prev, back)) return;
      if (hop) bits[prev]! += back;
      startRequest(k + 1, rejects, cost + (hop ? back / devs[prev]!.rateBitsPerSecond : 0) + layers[r.L - 1]!.macs / devs[r.src]!.macsPerSecond);
      if (hop) bits[prev]! -= back;
      return;
    }
    const l = layers[i]!;
    const tried = new Set<number>();
    const candidates = prev === r.src ? order : [prev, ...order.filter((d) => d !== prev)];
    for (const d of candidates) {
      if (exhausted) return;
      if (d === r.src) continue; // 4.e/4.f: the source keeps out of its own middle layers
      if (uses[d] === 0) { if (tried.has(cls[d]!)) continue; tried.add(cls[d]!); }
      if (!fitsCompute(d, l.macs) || mem[d]! + l.weightBytes > devs[d]!.memoryBytes) continue;
      if (guarded && privacyViolation(insts[k]!, insts[k]!.devices[d]!, i + 1, seenM[d]!)) continue;
      const hop = prev !== d;
      const send = 8 * layers[i - 1]!.outputBytes;
      const charge = hop && prev !== r.src; // the source's first send was charged when the request started
      if (charge && !fitsLink(prev, send)) continue;
      const had = seenM[d]!.has(i + 1);
      macs[d]! += l.macs; mem[d]! += l.weightBytes; uses[d]!++; seenM[d]!.add(i + 1);
      if (charge) bits[prev]! += send;
      chosen[k]![i] = d;
      layer(k, i + 1, rejects, cost + l.macs / devs[d]!.macsPerSecond + (hop ? send / devs[prev]!.rateBitsPerSecond : 0));
      chosen[k]![i] = -1;
      if (charge) bits[prev]! -= send;
      macs[d]! -= l.macs; mem[d]! -= l.weightBytes; uses[d]!--;
      if (!had) seenM[d]!.delete(i + 1);
    }
  }

  startRequest(0, 0, 0);
  const assignments: string[][] = best ?? frame.requests.map(() => []);
  const placed = assignments.filter((a) => a.length > 0).length;
  return { assignments, totalLatencySeconds: best ? bestCost : 0, placed, proven: !exhausted, nodes };
}
