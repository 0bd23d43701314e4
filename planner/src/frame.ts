/**
 * A frame: several requests that arrive together and share one fleet (the paper's Fig. 12 setting,
 * where the optimum is taken over all requests of a frame at once). Requests are served in order;
 * each one's placement adds to the devices' load, memory and exposure before the next is placed,
 * exactly as a sequence of single-request instances would see it.
 */
import { latencySeconds, violations } from './constraints.js';
import type { Instance, PlanDevice, PlanLayer, Privacy } from './instance.js';
import type { Strategy } from './strategy.js';

export interface FrameDevice extends Omit<PlanDevice, 'exposed'> {
  /** per model name, the 1-based layers this device has seen */
  exposedByModel: Record<string, number[]>;
}

export interface FrameRequest { source: string; model: { name: string; layers: PlanLayer[] } }

export interface Frame {
  requestRate: number;
  privacy: Privacy;
  devices: FrameDevice[];
  requests: FrameRequest[];
}

export interface FramePlan {
  /** one assignment per request; empty when that request is rejected */
  assignments: string[][];
  /** Σ latency of the placed requests */
  totalLatencySeconds: number;
  placed: number;
}

/** The single-request instance request `k` sees, given the devices' state so far. */
export function frameInstance(frame: Frame, devices: FrameDevice[], k: number): Instance {
  const req = frame.requests[k]!;
  return {
    requestRate: frame.requestRate,
    privacy: frame.privacy,
    source: req.source,
    sourceMayComputeMiddle: false,
    model: req.model,
    devices: devices.map(({ exposedByModel, ...d }) => ({ ...d, exposed: exposedByModel[req.model.name] ?? [] })),
  };
}

/** The devices after request `req` is placed as `assignment`: load, free memory and exposure grow. */
export function applyPlacement(devices: FrameDevice[], rate: number, req: FrameRequest, assignment: string[]): FrameDevice[] {
  const L = assignment.length;
  return devices.map((d) => {
    let macs = 0, mem = 0, bits = 0;
    const seen = new Set(d.exposedByModel[req.model.name] ?? []);
    for (let i = 0; i < L; i++) {
      if (assignment[i] !== d.id) continue;
      const layer = req.model.layers[i]!;
      macs += layer.macs; mem += layer.weightBytes; seen.add(i + 1);
      if (i < L - 1 && assignment[i + 1] !== d.id) bits += 8 * layer.outputBytes;
    }
    if (macs === 0 && mem === 0 && bits === 0 && !assignment.includes(d.id)) return d;
    return {
      ...d,
      loadMacsPerSecond: d.loadMacsPerSecond + rate * macs,
      loadBitsPerSecond: d.loadBitsPerSecond + rate * bits,
      memoryBytes: d.memoryBytes - mem,
      exposedByModel: { ...d.exposedByModel, [req.model.name]: [...seen].sort((a, b) => a - b) },
    };
  });
}

/** Places a frame's requests one after another with a single-request strategy. */
export function planFrameSequential(frame: Frame, strategy: Strategy): FramePlan {
  let devices = frame.devices;
  const assignments: string[][] = [];
  let total = 0, placed = 0;
  frame.requests.forEach((req, k) => {
    const inst = frameInstance(frame, devices, k);
    const p = strategy.plan(inst);
    if (p.assignment.length === 0 || violations(inst, p.assignment).length > 0) { assignments.push([]); return; }
    assignments.push(p.assignment);
    total += latencySeconds(inst, p.assignment);
    placed++;
    devices = applyPlacement(devices, frame.requestRate, req, p.assignment);
  });
  return { assignments, totalLatencySeconds: total, placed };
}

/** Every constraint a frame plan breaks, request by request, in order. */
export function frameViolations(frame: Frame, assignments: string[][]): string[] {
  let devices = frame.devices;
  const out: string[] = [];
  frame.requests.forEach((req, k) => {
    const a = assignments[k] ?? [];
    if (a.length === 0) return;
    const inst = frameInstance(frame, devices, k);
    for (const v of violations(inst, a)) out.push(`request ${k + 1}: ${v}`);
    devices = applyPlacement(devices, frame.requestRate, req, a);
  });
  return out;
}
