/**
 * Why a request cannot be placed, in words a user can act on. A rejection is never bare: it is
 * a typed `Rejection` — which constraint (4.a memory, 4.b compute, 4.c link, eq. 6 privacy,
 * 4.e/4.f the source's place) ruled out which devices for which layer, with the figures — and
 * `renderRejection` turns it into the text strategies put in `Placement.reasons`. Shared by
 * every strategy so a rejection reads the same whichever planner produced it.
 *
 * Three kinds, checked in this order:
 *  - 'source': layer 1 or L cannot run on the source, alone or the two together;
 *  - 'alone': a middle layer that no device can take even as the only layer it computes;
 *  - 'together': every layer fits some device on its own, but no combination does. The exact
 *    strategy's search (`planExact`) then records the furthest partial placement it reached —
 *    most middle layers placed in order meeting every constraint — and the rejection lists, for
 *    the next layer, what each device would break given that placement: the shared budget
 *    summed over its layers, the sender's link, privacy over what it has seen.
 */
import { fmt, privacyBreach, type PrivacyBreach } from './constraints.js';
import type { Instance, PlanDevice } from './instance.js';

/** 4.a memory, 4.b compute, 4.c link, eq. 6 privacy, 4.e/4.f the source keeps out of middle layers */
export type ConstraintCode = '4.a' | '4.b' | '4.c' | 'eq6' | '4.e/4.f';

/** One device ruled out by one constraint. */
export interface Refusal {
  code: ConstraintCode;
  /** the device whose bound breaks (for 4.c the sender, which may not be the candidate) */
  device: string;
  /**
   * 1-based layers the bound sums over: for 4.a/4.b every layer of this request on the device,
   * including the one refused; for 4.c the layers whose outputs it would send; for eq. 6 the
   * layer it would compute
   */
  layers: number[];
  /** 4.c: where each output in `layers` goes */
  to?: string[];
  /** what the layers need and what the device has free: B (4.a), MAC/s (4.b), b/s (4.c); eq. 6: layers seen and the bound */
  need: number;
  free: number;
  privacy?: PrivacyBreach;
}

export interface Rejection {
  kind: 'source' | 'alone' | 'together';
  /** the 1-based layer that fits nowhere (for 'source' with both ends, L) */
  layer: number;
  refusals: Refusal[];
  /** 'together': device id per layer 1..layer−1 of the furthest partial placement */
  after?: string[];
  /** 'together': false when the search stopped at its node budget (a placement may get further) */
  exhaustive?: boolean;
}

const sum = (xs: number[], f: (l: number) => number) => xs.reduce((a, l) => a + f(l), 0);

/**
 * Everything that rules out `dev` for layer index `i` (0-based) given `on`, the 1-based layers
 * of this request it already computes, `sends`, the outputs it already sends (1-based layer,
 * receiver), and what the sender `prev` already sends. With nothing on any device this is the
 * "on its own" test.
 */
function refusals(inst: Instance, dev: PlanDevice, i: number, ctx: {
  on: number[]; sends: Array<[number, string]>;
  prev?: { dev: PlanDevice; sends: Array<[number, string]> };
  /** whether the device must send layer i's output on: always alone; at the last middle layer, to the source */
  sendsOn: string | null;
}): Refusal[] {
  const out: Refusal[] = [];
  const layers = inst.model.layers, L = layers.length, rate = inst.requestRate;
  if (dev.id === inst.source && !inst.sourceMayComputeMiddle && i > 0 && i < L - 1) out.push({ code: '4.e/4.f', device: dev.id, layers: [i + 1], need: 0, free: 0 });
  const mine = [...ctx.on, i + 1].sort((a, b) => a - b);
  const macs = rate * sum(mine, (l) => layers[l - 1]!.macs);
  if (dev.loadMacsPerSecond + macs > dev.macsPerSecond) out.push({ code: '4.b', device: dev.id, layers: mine, need: macs, free: dev.macsPerSecond - dev.loadMacsPerSecond });
  const bytes = sum(mine, (l) => layers[l - 1]!.weightBytes);
  if (bytes > dev.memoryBytes) out.push({ code: '4.a', device: dev.id, layers: mine, need: bytes, free: dev.memoryBytes });
  const link = (d: PlanDevice, sends: Array<[number, string]>) => {
    const bits = rate * sum(sends.map(([l]) => l), (l) => 8 * layers[l - 1]!.outputBytes);
    if (d.loadBitsPerSecond + bits > d.rateBitsPerSecond) out.push({ code: '4.c', device: d.id, layers: sends.map(([l]) => l), to: sends.map(([, to]) => to), need: bits, free: d.rateBitsPerSecond - d.loadBitsPerSecond });
  };
  if (ctx.prev && ctx.prev.dev.id !== dev.id) link(ctx.prev.dev, [...ctx.prev.sends, [i, dev.id]]);
  if (ctx.sendsOn !== null && ctx.sendsOn !== dev.id) link(dev, [...ctx.sends, [i + 1, ctx.sendsOn]]);
  const seen = new Set([...dev.exposed, ...ctx.on]);
  const p = privacyBreach(inst, dev, i + 1, seen);
  if (p) out.push({ code: 'eq6', device: dev.id, layers: [i + 1], need: p.exposedPrior, free: p.bound, privacy: p });
  return out;
}

/** What rules out `dev` for layer index `i` as the only layer it computes (the first found). */
export function refusalAlone(inst: Instance, dev: PlanDevice, i: number): Refusal | null {
  const L = inst.model.layers.length;
  return refusals(inst, dev, i, { on: [], sends: [], sendsOn: i < L - 1 ? '' : null })[0] ?? null;
}

/** Every constraint that rules out `dev` for layer index `i` as the only layer it computes (`plan --explain`'s table). */
export function refusalsAlone(inst: Instance, dev: PlanDevice, i: number): Refusal[] {
  const L = inst.model.layers.length;
  return refusals(inst, dev, i, { on: [], sends: [], sendsOn: i < L - 1 ? '' : null });
}

/** Why `dev` cannot take layer index `i` (0-based) as the only layer it computes, or null. */
export function soloRefusal(inst: Instance, dev: PlanDevice, i: number): string | null {
  const r = refusalAlone(inst, dev, i);
  return r ? aloneText(inst, r) : null;
}

/** The short text of a refusal "on its own" (these strings predate the typed reasons; tests and users match them). */
function aloneText(inst: Instance, r: Refusal): string {
  switch (r.code) {
    case '4.e/4.f': return 'source keeps out of middle layers (4.e/4.f)';
    case '4.b': return `4.b compute: needs ${fmt(r.need)} MAC/s of ${fmt(Math.max(0, r.free))} free`;
    case '4.a': return `4.a memory: needs ${fmt(r.need)} B of ${fmt(r.free)}`;
    case '4.c': return `4.c link: needs ${fmt(r.need)} b/s of ${fmt(Math.max(0, r.free))} free`;
    case 'eq6': {
      const p = r.privacy!, l = p.layer;
      if (p.clause === 'fraction') return `privacy: would see ${p.exposedPrior} of layers 2..${l - 1} (max ${inst.privacy.maxExposedFraction}·${l})`;
      if (p.clause === 'hidden') return `privacy: only ${p.prior - p.exposedPrior} of layers 2..${l - 1} hidden (needs ${p.bound})`;
      return `privacy: has seen every layer before ${l}`;
    }
  }
}

/**
 * The rejections that need no search: an end layer the source cannot carry (alone, or layers 1
 * and L together), a middle layer no device can take alone. Empty when every layer fits some
 * device on its own.
 */
export function rejectionsAlone(inst: Instance): Rejection[] {
  const L = inst.model.layers.length;
  const out: Rejection[] = [];
  const src = inst.devices.find((d) => d.id === inst.source)!;
  for (const i of L > 1 ? [0, L - 1] : [0]) {
    const r = refusalAlone(inst, src, i);
    if (r) out.push({ kind: 'source', layer: i + 1, refusals: [r] });
  }
  if (out.length === 0 && L > 1) {
    // both ends share the source's budgets (its link is only used by layer 1, checked above)
    const both = refusals(inst, src, L - 1, { on: [1], sends: [], sendsOn: null }).filter((r) => r.code === '4.a' || r.code === '4.b');
    if (both.length) out.push({ kind: 'source', layer: L, refusals: both });
  }
  for (let i = 1; i < L - 1; i++) {
    const rs: Refusal[] = [];
    let anyFits = false;
    for (const dev of inst.devices) {
      const r = refusalAlone(inst, dev, i);
      if (r) rs.push(r); else anyFits = true;
    }
    if (!anyFits) out.push({ kind: 'alone', layer: i + 1, refusals: rs });
  }
  return out;
}

/**
 * The rejection at a partial placement: `chosen[k]` is the device index of layer index k for
 * k < i (and of the last layer), −1 elsewhere; every device's refusals for layer index `i`.
 */
export function rejectionAt(inst: Instance, chosen: ArrayLike<number>, i: number, exhaustive: boolean): Rejection {
  const L = inst.model.layers.length;
  const devs = inst.devices;
  const on = devs.map(() => [] as number[]);
  const sends = devs.map(() => [] as Array<[number, string]>);
  for (let k = 0; k < i; k++) {
    on[chosen[k]!]!.push(k + 1);
    if (k + 1 < i && chosen[k + 1] !== chosen[k]) sends[chosen[k]!]!.push([k + 1, devs[chosen[k + 1]!]!.id]);
  }
  const srcIdx = devs.findIndex((d) => d.id === inst.source);
  on[srcIdx]!.push(L);
  on.forEach((xs) => xs.sort((a, b) => a - b));
  const prev = chosen[i - 1]!;
  const found: Refusal[] = [];
  const key = new Set<string>();
  devs.forEach((dev, d) => {
    for (const r of refusals(inst, dev, i, {
      on: on[d]!, sends: sends[d]!,
      prev: { dev: devs[prev]!, sends: sends[prev]! },
      sendsOn: i === L - 2 ? inst.source : null,
    })) {
      const k = `${r.code}|${r.device}|${r.layers.join(',')}`;
      if (!key.has(k)) { key.add(k); found.push(r); }
    }
  });
  return { kind: 'together', layer: i + 1, refusals: found, after: Array.from({ length: i }, (_, k) => devs[chosen[k]!]!.id), exhaustive };
}

const MAX_NAMED = 6;
const CODE_ORDER: ConstraintCode[] = ['4.a', '4.b', '4.c', 'eq6', '4.e/4.f'];
const CODE_TITLE: Record<ConstraintCode, string> = { '4.a': '4.a memory', '4.b': '4.b compute', '4.c': '4.c link', eq6: 'privacy (eq. 6)', '4.e/4.f': '4.e/4.f' };

function layerName(inst: Instance, l: number): string { return inst.model.layers[l - 1]!.name; }
function names(inst: Instance, ls: number[]): string { return ls.map((l) => layerName(inst, l)).join('+'); }

/** The text of one refusal given a partial placement: device, what it would need for which layers, what it has. */
function togetherText(inst: Instance, r: Refusal): string {
  const at = `at ${fmt(inst.requestRate)} requests/s`;
  switch (r.code) {
    case '4.e/4.f': return `${r.device} is the source, which keeps out of middle layers`;
    case '4.b': return `${r.device} would need ${fmt(r.need)} MAC/s for ${names(inst, r.layers)} ${at}, ${fmt(Math.max(0, r.free))} free`;
    case '4.a': return `${r.device} would need ${fmt(r.need)} B for ${names(inst, r.layers)}, ${fmt(r.free)} free`;
    case '4.c': return `${r.device} would send ${fmt(r.need)} b/s (${r.layers.map((l, k) => `${layerName(inst, l)} → ${r.to![k]}`).join(', ')}) ${at}, ${fmt(Math.max(0, r.free))} free`;
    case 'eq6': {
      const p = r.privacy!, l = p.layer, before = `before ${layerName(inst, l)} (layer ${l})`;
      if (p.clause === 'fraction') return `${r.device} would have seen ${p.exposedPrior} of layers 2..${l - 1} ${before}, max ${inst.privacy.maxExposedFraction}·${l} = ${fmt(p.bound)}`;
      if (p.clause === 'hidden') return `${r.device} would have only ${p.prior - p.exposedPrior} of layers 2..${l - 1} hidden ${before}, needs ${p.bound}`;
      return `${r.device} would have seen every one of layers 2..${l - 1} ${before}`;
    }
  }
}

/** Refusals grouped by constraint, at most MAX_NAMED devices spelled out per constraint. */
function grouped(refs: Refusal[], text: (r: Refusal) => string, sep: string): string {
  return CODE_ORDER.flatMap((code) => {
    const rs = refs.filter((r) => r.code === code);
    if (!rs.length) return [];
    const named = rs.slice(0, MAX_NAMED).map(text).join(', ');
    return [`${CODE_TITLE[code]}: ${named}${rs.length > MAX_NAMED ? ` and ${rs.length - MAX_NAMED} more (${rs.slice(MAX_NAMED).map((r) => r.device).join(', ')})` : ''}`];
  }).join(sep);
}

/** Groups devices by the kind of refusal so a 1000-device fleet gives a readable line per layer. */
function summariseAlone(inst: Instance, refs: Refusal[]): string {
  const byKind = new Map<string, string[]>();
  for (const r of refs) {
    const why = aloneText(inst, r);
    const kind = why.split(':')[0]!;
    const list = byKind.get(kind) ?? [];
    list.push(list.length < MAX_NAMED ? `${r.device} (${why})` : r.device);
    byKind.set(kind, list);
  }
  return [...byKind].map(([kind, list]) => {
    const shown = list.slice(0, MAX_NAMED).join(', ');
    return list.length > MAX_NAMED ? `${kind}: ${shown} and ${list.length - MAX_NAMED} more` : shown;
  }).join('; ');
}

/** A rejection as the line `Placement.reasons` carries. */
export function renderRejection(inst: Instance, r: Rejection): string {
  const L = inst.model.layers.length;
  const src = inst.source;
  if (r.kind === 'source') {
    if (r.refusals.some((x) => x.layers.length > 1)) return `layers 1 and ${L} (${layerName(inst, 1)}, ${layerName(inst, L)}) must both run on the source ${src}: ${grouped(r.refusals, (x) => togetherText(inst, x), '; ')}`;
    return `layer ${r.layer} (${layerName(inst, r.layer)}) must run on the source ${src}: ${aloneText(inst, r.refusals[0]!)}`;
  }
  if (r.kind === 'alone') return `layer ${r.layer} (${layerName(inst, r.layer)}): no device fits — ${summariseAlone(inst, r.refusals) || 'no devices'}`;
  const placed = (r.after ?? []).slice(1);
  const furthest = placed.length
    ? `the furthest a placement gets is ${placed.map((id, k) => `${layerName(inst, k + 2)} on ${id}`).join(', ')}`
    : `with layers 1 and ${L} on the source ${src}`;
  const note = r.exhaustive === false ? ' (the furthest found before the search stopped)' : '';
  // the source staying out of the middle is the rule, not a budget to free: typed, not repeated
  const binding = r.refusals.filter((x) => x.code !== '4.e/4.f');
  return `every layer fits some device on its own, but no combination meets the constraints together: ${furthest}${note}; layer ${r.layer} (${layerName(inst, r.layer)}) then fits no device — ${grouped(binding, (x) => togetherText(inst, x), '; ') || 'no devices but the source'}`;
}
