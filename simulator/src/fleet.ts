/**
 * The simulated fleet's state between requests: who is present (participants keep a stable slot,
 * so a newcomer takes the slot of the device it replaces), what load each device carries over the
 * last `loadWindowSeconds` (the budgets 4.b and 4.c), which weights are resident for in-flight
 * requests (4.a) and which layers each device has seen of each model (eq. 6, reset for newcomers).
 */
import type { Instance, PlanDevice, Privacy } from '@layerfleet/planner';
import type { DeviceClass } from './scenario.js';

export interface SimDevice {
  id: string;
  slot: number;
  cls: DeviceClass;
  macsPerSecond: number;
  trusted: boolean;
  computeFreeAt: number;
  linkFreeAt: number;
  /** (time, macs, bits) committed by accepted requests, oldest first */
  window: Array<{ at: number; macs: number; bits: number }>;
  windowMacs: number;
  windowBits: number;
  /** "model:layer" → in-flight requests holding that layer's weights here */
  resident: Map<string, number>;
  residentBytes: number;
  exposed: Map<string, Set<number>>;
}

export function newDevice(id: string, slot: number, cls: DeviceClass, macUnit: number, trusted: boolean): SimDevice {
  return {
    id, slot, cls, macsPerSecond: cls.e * macUnit, trusted, computeFreeAt: 0, linkFreeAt: 0,
    window: [], windowMacs: 0, windowBits: 0, resident: new Map(), residentBytes: 0, exposed: new Map(),
  };
}

export class Fleet {
  constructor(
    readonly participants: SimDevice[],
    readonly sources: SimDevice[],
    private readonly windowSeconds: number,
  ) {}

  private expire(d: SimDevice, now: number): void {
    const cut = now - this.windowSeconds;
    let n = 0;
    while (n < d.window.length && d.window[n]!.at <= cut) { d.windowMacs -= d.window[n]!.macs; d.windowBits -= d.window[n]!.bits; n++; }
    if (n > 0) d.window.splice(0, n);
    if (d.window.length === 0) { d.windowMacs = 0; d.windowBits = 0; } // no drift from float sums
  }

  private planDevice(d: SimDevice, model: string, now: number): PlanDevice {
    this.expire(d, now);
    return {
      id: d.id,
      trusted: d.trusted,
      macsPerSecond: d.macsPerSecond,
      loadMacsPerSecond: d.windowMacs / this.windowSeconds,
      memoryBytes: Math.max(0, d.cls.memoryBytes - d.residentBytes),
      rateBitsPerSecond: d.cls.rateBitsPerSecond,
      loadBitsPerSecond: d.windowBits / this.windowSeconds,
      exposed: [...(d.exposed.get(model) ?? [])],
    };
  }

  /** The single-request instance the planner sees: the source first, then every participant by slot. */
  instance(source: SimDevice, model: { name: string; layers: Instance['model']['layers'] }, privacy: Privacy, now: number): Instance {
    return {
      requestRate: 1 / this.windowSeconds,
      privacy,
      source: source.id,
      sourceMayComputeMiddle: false,
      model,
      devices: [this.planDevice(source, model.name, now), ...this.participants.map((d) => this.planDevice(d, model.name, now))],
    };
  }

  byId(id: string): SimDevice | undefined {
    return this.participants.find((d) => d.id === id) ?? this.sources.find((d) => d.id === id);
  }

  /** Books an accepted placement: load in the window, resident weights, exposure. */
  commit(assignment: SimDevice[], model: { name: string; layers: Instance['model']['layers'] }, now: number): void {
    const L = assignment.length;
    const added = new Map<SimDevice, { macs: number; bits: number }>();
    assignment.forEach((d, i) => {
      const layer = model.layers[i]!;
      const a = added.get(d) ?? { macs: 0, bits: 0 };
      a.macs += layer.macs;
      if (i < L - 1 && assignment[i + 1] !== d) a.bits += 8 * layer.outputBytes;
      added.set(d, a);
      const key = `${model.name}:${i}`;
      const held = d.resident.get(key) ?? 0;
      if (held === 0) d.residentBytes += layer.weightBytes;
      d.resident.set(key, held + 1);
      const seen = d.exposed.get(model.name) ?? new Set<number>();
      seen.add(i + 1);
      d.exposed.set(model.name, seen);
    });
    for (const [d, a] of added) { d.window.push({ at: now, ...a }); d.windowMacs += a.macs; d.windowBits += a.bits; }
  }

  /** A finished request frees the weights it held. */
  release(assignment: SimDevice[], model: { name: string; layers: Instance['model']['layers'] }): void {
    assignment.forEach((d, i) => {
      const key = `${model.name}:${i}`;
      const held = d.resident.get(key) ?? 0;
      if (held <= 1) { d.resident.delete(key); if (held === 1) d.residentBytes -= model.layers[i]!.weightBytes; } else d.resident.set(key, held - 1);
    });
  }
}
