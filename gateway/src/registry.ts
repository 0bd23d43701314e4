/**
 * Devices known to the gateway, from their signed `hello`s: keys, capabilities, liveness, and
 * per model what each has been exposed to (eq. 6 accumulates across requests; a newcomer or a
 * rebooted device starts with nothing cached, but exposure sticks to its identity).
 */
import type { Capabilities, PublicDeviceKeys } from '@layerfleet/protocol';

export interface DeviceRecord {
  id: string;
  keys: PublicDeviceKeys;
  caps: Capabilities;
  bootId: string;
  trusted: boolean;
  online: boolean;
  lastSeen: number;
  queue: number;
  /** model → 1-based layer numbers this device has held the weights of */
  exposed: Map<string, Set<number>>;
  /** `${model}:${layerIndex}` weights this boot of the device holds */
  cached: Set<string>;
}

export class Registry {
  private readonly devices = new Map<string, DeviceRecord>();
  constructor(private readonly trustedIds: ReadonlySet<string> = new Set()) {}

  /** Registers or refreshes a device; returns 'new', 'rebooted' or 'same'. */
  hello(id: string, keys: PublicDeviceKeys, caps: Capabilities, bootId: string, now: number): 'new' | 'rebooted' | 'same' {
    const existing = this.devices.get(id);
    if (!existing) {
      this.devices.set(id, { id, keys, caps, bootId, trusted: this.trustedIds.has(id), online: true, lastSeen: now, queue: 0, exposed: new Map(), cached: new Set() });
      return 'new';
    }
    const rebooted = existing.bootId !== bootId;
    Object.assign(existing, { keys, caps, bootId, online: true, lastSeen: now });
    if (rebooted) existing.cached.clear();
    return rebooted ? 'rebooted' : 'same';
  }

  get(id: string): DeviceRecord | undefined { return this.devices.get(id); }
  online(): DeviceRecord[] { return [...this.devices.values()].filter((d) => d.online); }
  all(): DeviceRecord[] { return [...this.devices.values()]; }

  seen(id: string, now: number, queue?: number): void {
    const d = this.devices.get(id);
    if (!d) return;
    d.lastSeen = now;
    d.online = true;
    if (queue !== undefined) d.queue = queue;
  }

  /** Marks a device offline; true when it was online. */
  offline(id: string): boolean {
    const d = this.devices.get(id);
    if (!d || !d.online) return false;
    d.online = false;
    d.cached.clear();
    return true;
  }

  /** Devices silent for longer than `silenceMs`. */
  silent(now: number, silenceMs: number): DeviceRecord[] {
    return this.online().filter((d) => now - d.lastSeen > silenceMs);
  }

  expose(id: string, model: string, layerNumbers: number[]): void {
    const d = this.devices.get(id);
    if (!d) return;
    const set = d.exposed.get(model) ?? new Set<number>();
    for (const l of layerNumbers) set.add(l);
    d.exposed.set(model, set);
  }
}
