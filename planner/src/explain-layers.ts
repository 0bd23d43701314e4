/**
 * `plan --explain`: for each layer, which devices each constraint rules out (as the only layer
 * the device would compute: the same test `rejectionsAlone` makes), and each device's slack —
 * what would be left of its MAC/s (4.b), memory (4.a), link (4.c) and, for an untrusted device
 * under a privacy level, how many more layers before it it could see (eq. 6) — after taking that
 * layer. With a placement, each device's slack after all the layers the placement gives it.
 * Negative slack is what a device lacks; `null` means the bound does not apply.
 */
import { privacyOn, type Instance, type PlanDevice } from './instance.js';
import { refusalsAlone, type ConstraintCode } from './explain.js';

export interface Slack {
  /** MAC/s left: macsPerSecond − load − requestRate·MACs (4.b) */
  macsPerSecond: number;
  /** bytes left: memoryBytes − weight bytes (4.a) */
  memoryBytes: number;
  /** bits/s left on its link for what it must send on (4.c); null when it sends nothing */
  linkBitsPerSecond: number | null;
  /** layers before this one it could still see (eq. 6); null when trusted, privacy is off, or an end layer */
  privacyLayers: number | null;
}

export interface LayerExplanation {
  layer: number;
  name: string;
  macs: number;
  weightBytes: number;
  outputBytes: number;
  /** the device the placement gives this layer, when a placement was given */
  placedOn?: string;
  /** constraint → devices it rules out for this layer */
  ruledOut: Partial<Record<ConstraintCode, string[]>>;
  devices: Array<{ id: string; fits: boolean; slack: Slack }>;
}

export interface PlacementSlack { id: string; layers: number[]; slack: Slack }

/** eq. 6 slack for `dev` at layer `l` having seen `seen`: the least margin of the clauses that apply. */
function privacySlack(inst: Instance, dev: PlanDevice, l: number, seen: ReadonlySet<number>): number | null {
  if (dev.trusted || !privacyOn(inst.privacy) || l < 2 || l > inst.model.layers.length - 1) return null;
  const prior = l - 2;
  let exposed = 0;
  for (let k = 2; k < l; k++) if (seen.has(k)) exposed++;
  const { maxExposedFraction, minHidden } = inst.privacy;
  const margins = [Math.floor(maxExposedFraction * l) - exposed, prior - exposed - Math.min(minHidden, prior)];
  if (prior > 0) margins.push(prior - exposed - 1);
  return Math.min(...margins);
}

function slackFor(inst: Instance, dev: PlanDevice, layers: number[], sent: number[]): Slack {
  const ls = inst.model.layers;
  const rate = inst.requestRate;
  const macs = layers.reduce((a, l) => a + ls[l - 1]!.macs, 0);
  const bytes = layers.reduce((a, l) => a + ls[l - 1]!.weightBytes, 0);
  const bits = sent.reduce((a, l) => a + 8 * ls[l - 1]!.outputBytes, 0) * rate;
  const seen = new Set(dev.exposed);
  let privacy: number | null = null;
  for (const l of [...layers].sort((a, b) => a - b)) {
    const s = privacySlack(inst, dev, l, seen);
    if (s !== null) privacy = privacy === null ? s : Math.min(privacy, s);
    seen.add(l);
  }
  return {
    macsPerSecond: dev.macsPerSecond - dev.loadMacsPerSecond - rate * macs,
    memoryBytes: dev.memoryBytes - bytes,
    linkBitsPerSecond: sent.length ? dev.rateBitsPerSecond - dev.loadBitsPerSecond - bits : null,
    privacyLayers: privacy,
  };
}

/** The per-layer table; `assignment` (device id per layer), when given, marks each layer's device. */
export function explainLayers(inst: Instance, assignment?: readonly string[]): LayerExplanation[] {
  const L = inst.model.layers.length;
  return inst.model.layers.map((layer, i) => {
    const ruledOut: Partial<Record<ConstraintCode, string[]>> = {};
    const devices = inst.devices.map((dev) => {
      const refused = refusalsAlone(inst, dev, i);
      // layers 1 and L run on the source (4.e/4.f): every other device is ruled out of them
      if ((i === 0 || i === L - 1) && dev.id !== inst.source) refused.push({ code: '4.e/4.f', device: dev.id, layers: [i + 1], need: 0, free: 0 });
      for (const r of refused) {
        const list = ruledOut[r.code] ?? (ruledOut[r.code] = []);
        if (!list.includes(dev.id)) list.push(dev.id);
      }
      return { id: dev.id, fits: refused.length === 0, slack: slackFor(inst, dev, [i + 1], i < L - 1 ? [i + 1] : []) };
    });
    return {
      layer: i + 1, name: layer.name, macs: layer.macs, weightBytes: layer.weightBytes, outputBytes: layer.outputBytes,
      ...(assignment?.[i] === undefined ? {} : { placedOn: assignment[i] }), ruledOut, devices,
    };
  });
}

/** Each device's slack after every layer `assignment` gives it (and the outputs it sends on). */
export function placementSlack(inst: Instance, assignment: readonly string[]): PlacementSlack[] {
  const out: PlacementSlack[] = [];
  for (const dev of inst.devices) {
    const layers = assignment.flatMap((id, i) => (id === dev.id ? [i + 1] : []));
    if (layers.length === 0) continue;
    const sent = layers.filter((l) => l < assignment.length && assignment[l] !== dev.id);
    out.push({ id: dev.id, layers, slack: slackFor(inst, dev, layers, sent) });
  }
  return out;
}
