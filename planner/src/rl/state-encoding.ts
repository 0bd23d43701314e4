/**
 * rl-pdnn's MDP for one request (Section III.C.1–2): one episode places the middle layers
 * 2..L−1 one time step at a time, layers 1 and L being fixed on the source (4.e/4.f).
 *
 * `PlacementEpisode` is the environment: what the episode has already put on each device, and
 * whether a device can take the next layer (C2·C3). `StateEncoder` turns it into the paper's
 * state vector {n_i, l, m̄, b̄, c̄, ρ, L̄} made binary as the paper proposes: per action slot,
 * a 0/1 "can take the current layer within resources and privacy", multiplied into each of
 * the five capacities (normalised to [0, 1]), plus the 0/1 itself.
 */
import { type Instance } from '../instance.js';
import { privacyViolation, fmt } from '../constraints.js';
import { modelIndex } from '../model-names.js';

/** the 0/1 and the five device quantities of one action slot */
export const SLOT_FEATURES = 6;

/** Devices an action slot can name: the non-sources in instance order, then the source if it
 *  may compute middle layers; past `slots`, none. */
export function slotDevices(inst: Instance, slots: number): number[] {
  const src = inst.devices.findIndex((d) => d.id === inst.source);
  const out: number[] = [];
  inst.devices.forEach((_, i) => { if (i !== src) out.push(i); });
  if (inst.sourceMayComputeMiddle) out.push(src);
  return out.slice(0, slots);
}

export class PlacementEpisode {
  readonly inst: Instance;
  readonly L: number;
  readonly src: number;
  readonly slots: number[];
  /** device index per layer (0-based array of 1-based layers), −1 while unplaced */
  readonly assignment: Int32Array;
  /** device of the last placed layer: the sender of the next transfer */
  prev: number;
  private readonly mem: Float64Array;
  private readonly macs: Float64Array;
  private readonly bits: Float64Array;
  private readonly seen: Set<number>[];
  readonly maxMem: number;
  readonly maxMacs: number;
  readonly maxRate: number;

  constructor(inst: Instance, slots: number) {
    this.inst = inst;
    this.L = inst.model.layers.length;
    this.src = inst.devices.findIndex((d) => d.id === inst.source);
    if (this.src < 0) throw new RangeError(`instance.source: ${inst.source} is not among the devices`);
    this.slots = slotDevices(inst, slots);
    const D = inst.devices.length;
    this.mem = new Float64Array(D);
    this.macs = new Float64Array(D);
    this.bits = new Float64Array(D);
    this.seen = inst.devices.map((d) => new Set(d.exposed));
    this.assignment = new Int32Array(this.L).fill(-1);
    const first = inst.model.layers[0]!, last = inst.model.layers[this.L - 1]!;
    // Layers 1 and L are the source's whatever the agent does, so their load counts from the start.
    this.mem[this.src] = first.weightBytes + last.weightBytes;
    this.macs[this.src] = first.macs + last.macs;
    this.assignment[0] = this.assignment[this.L - 1] = this.src;
    this.prev = this.src;
    this.maxMem = Math.max(...inst.devices.map((d) => d.memoryBytes)) || 1;
    this.maxMacs = Math.max(...inst.devices.map((d) => d.macsPerSecond)) || 1;
    this.maxRate = Math.max(...inst.devices.map((d) => d.rateBitsPerSecond)) || 1;
  }

  /**
   * Why device `d` cannot take layer `l` (1-based, 2..L−1) given this episode so far, or null:
   * 4.a/4.b on d with what the episode already put there; 4.c on the sender `prev` if the
   * layer moves, and — at the last middle layer — on d, which must send its output back to the
   * source; privacy per eq. 6. Together these are exactly `violations` checked incrementally.
   */
  reason(d: number, l: number): string | null {
    const inst = this.inst, dev = inst.devices[d]!, layer = inst.model.layers[l - 1]!, r = inst.requestRate;
    if (this.mem[d]! + layer.weightBytes > dev.memoryBytes) return `4.a memory: ${dev.id} needs ${fmt(this.mem[d]! + layer.weightBytes)} B, has ${fmt(dev.memoryBytes)}`;
    if (dev.loadMacsPerSecond + r * (this.macs[d]! + layer.macs) > dev.macsPerSecond) return `4.b compute: ${dev.id} needs ${fmt(r * (this.macs[d]! + layer.macs))} MAC/s, ${fmt(dev.macsPerSecond - dev.loadMacsPerSecond)} free`;
    if (d !== this.prev) {
      const p = inst.devices[this.prev]!, need = this.bits[this.prev]! + 8 * inst.model.layers[l - 2]!.outputBytes;
      if (p.loadBitsPerSecond + r * need > p.rateBitsPerSecond) return `4.c link: ${p.id} cannot send layer ${l - 1}'s output (${fmt(r * need)} b/s, ${fmt(p.rateBitsPerSecond - p.loadBitsPerSecond)} free)`;
    }
    if (l === this.L - 1 && d !== this.src) {
      const need = this.bits[d]! + 8 * layer.outputBytes;
      if (dev.loadBitsPerSecond + r * need > dev.rateBitsPerSecond) return `4.c link: ${dev.id} cannot send layer ${l}'s output to the source (${fmt(r * need)} b/s, ${fmt(dev.rateBitsPerSecond - dev.loadBitsPerSecond)} free)`;
    }
    const p = privacyViolation(inst, dev, l, this.seen[d]!);
    return p ? `${dev.id}: ${p}` : null;
  }

  /** Latency of putting layer l on d: the transfer from `prev` if it moves, then d's compute. */
  stepLatency(d: number, l: number): number {
    const inst = this.inst, p = inst.devices[this.prev]!;
    const move = d !== this.prev ? (8 * inst.model.layers[l - 2]!.outputBytes) / p.rateBitsPerSecond : 0;
    return move + inst.model.layers[l - 1]!.macs / inst.devices[d]!.macsPerSecond;
  }

  /** Latency after the last placed layer: back to the source, and layer L there. */
  finishLatency(): number {
    const inst = this.inst, last = inst.devices[this.prev]!;
    const back = this.prev !== this.src ? (8 * inst.model.layers[this.L - 2]!.outputBytes) / last.rateBitsPerSecond : 0;
    return back + inst.model.layers[this.L - 1]!.macs / inst.devices[this.src]!.macsPerSecond;
  }

  firstLatency(): number {
    return this.inst.model.layers[0]!.macs / this.inst.devices[this.src]!.macsPerSecond;
  }

  /** Puts layer l on d whether or not it fits: the resources are used either way (Section III.C.2). */
  place(d: number, l: number): void {
    const layer = this.inst.model.layers[l - 1]!;
    this.mem[d]! += layer.weightBytes;
    this.macs[d]! += layer.macs;
    if (d !== this.prev) this.bits[this.prev]! += 8 * this.inst.model.layers[l - 2]!.outputBytes;
    if (l === this.L - 1 && d !== this.src) this.bits[d]! += 8 * layer.outputBytes;
    this.seen[d]!.add(l);
    this.assignment[l - 1] = d;
    this.prev = d;
  }

  /** the five device quantities for slot device d at layer l, normalised; see StateEncoder */
  features(d: number, l: number, maxLayers: number, out: Float32Array, at: number): void {
    const dev = this.inst.devices[d]!, r = this.inst.requestRate;
    let exposedPrior = 0;
    for (let k = 2; k < l; k++) if (this.seen[d]!.has(k)) exposedPrior++;
    out[at] = unit((dev.memoryBytes - this.mem[d]!) / this.maxMem);
    out[at + 1] = unit((dev.rateBitsPerSecond - dev.loadBitsPerSecond - r * this.bits[d]!) / this.maxRate);
    out[at + 2] = unit((dev.macsPerSecond - dev.loadMacsPerSecond - r * this.macs[d]!) / this.maxMacs);
    out[at + 3] = unit(dev.rateBitsPerSecond / this.maxRate);
    out[at + 4] = unit(exposedPrior / maxLayers);
  }
}

const unit = (x: number): number => (x > 0 ? (x < 1 ? x : 1) : 0);

export class StateEncoder {
  readonly models: readonly string[];
  readonly slots: number;
  readonly maxLayers: number;
  readonly inputSize: number;

  constructor(models: readonly string[], slots: number, maxLayers: number) {
    if (models.length === 0 || new Set(models).size !== models.length) throw new RangeError(`StateEncoder models: expected distinct names, got ${JSON.stringify(models)}`);
    if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`StateEncoder slots: expected a positive integer, got ${slots}`);
    if (!Number.isInteger(maxLayers) || maxLayers < 3) throw new RangeError(`StateEncoder maxLayers: expected an integer ≥ 3, got ${maxLayers}`);
    this.models = [...models];
    this.slots = slots;
    this.maxLayers = maxLayers;
    this.inputSize = models.length + 1 + slots * SLOT_FEATURES;
  }

  /** Why this encoder cannot describe `inst`, or null. */
  unfit(inst: Instance): string | null {
    if (modelIndex(this.models, inst.model.name) < 0) return `model ${inst.model.name} is not among the trained models (${this.models.join(', ')})`;
    if (inst.model.layers.length > this.maxLayers) return `model ${inst.model.name} has ${inst.model.layers.length} layers, the policy at most ${this.maxLayers}`;
    return null;
  }

  /**
   * S_t for layer l: [one-hot n_i | l / maxLayers | per slot: ok, ok·m̄, ok·b̄, ok·c̄, ok·ρ, ok·L̄].
   * m̄, c̄, b̄, ρ are divided by the instance's largest device capacity, L̄ by maxLayers; an
   * empty slot is all zeros. `ok` also returns, per slot, whether C2·C3 hold.
   */
  encode(ep: PlacementEpisode, l: number, out: Float32Array, ok?: Uint8Array): void {
    out.fill(0);
    const M = this.models.length;
    const mi = modelIndex(this.models, ep.inst.model.name); // `lenet` is `lenet5` (model-names.ts)
    if (mi < 0) throw new RangeError(this.unfit(ep.inst)!);
    out[mi] = 1;
    out[M] = l / this.maxLayers;
    for (let k = 0; k < ep.slots.length; k++) {
      const d = ep.slots[k]!, fits = ep.reason(d, l) === null;
      if (ok) ok[k] = fits ? 1 : 0;
      if (!fits) continue;
      const at = M + 1 + k * SLOT_FEATURES;
      out[at] = 1;
      ep.features(d, l, this.maxLayers, out, at + 1);
    }
    if (ok) ok.fill(0, ep.slots.length);
  }
}
