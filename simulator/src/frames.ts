/**
 * Frames for the Fig. 12 comparison: the requests that arrive within one `frameSeconds` window,
 * with the fleet as it stood when the frame opened. The fleet evolves (load, churn, exposure) by
 * running the scenario with a driving strategy; every strategy under comparison then places each
 * frame from the same starting state.
 */
import type { Frame, FrameDevice, Instance, PlanDevice, Strategy } from '@layerfleet/planner';
import type { SimOptions } from './scenario.js';
import { simulate } from './simulator.js';

function frameDevice(d: PlanDevice, model: string): FrameDevice {
  const { exposed, ...rest } = d;
  return { ...rest, exposedByModel: { [model]: exposed } };
}

export function collectFrames(opts: SimOptions, driver: Strategy, frameSeconds: number, count: number): Frame[] {
  const byFrame = new Map<number, Instance[]>();
  simulate(driver, { ...opts, requests: Math.ceil(opts.lambda * frameSeconds * (count + 2) * 1.5) }, {
    onDecision: ({ at, instance }) => {
      const k = Math.floor(at / frameSeconds);
      if (k >= count) return;
      const list = byFrame.get(k) ?? [];
      list.push(instance);
      byFrame.set(k, list);
    },
  });
  const frames: Frame[] = [];
  for (let k = 0; k < count; k++) {
    const insts = byFrame.get(k);
    if (!insts?.length) continue;
    const first = insts[0]!;
    // participants as the frame opened; each source as it was at its own first request
    const devices = new Map<string, FrameDevice>();
    for (const d of first.devices) devices.set(d.id, frameDevice(d, first.model.name));
    for (const inst of insts) {
      const src = inst.devices.find((d) => d.id === inst.source)!;
      if (!devices.has(src.id)) devices.set(src.id, frameDevice(src, inst.model.name));
    }
    frames.push({
      requestRate: first.requestRate,
      privacy: first.privacy,
      devices: [...devices.values()],
      requests: insts.map((inst) => ({ source: inst.source, model: inst.model })),
    });
  }
  return frames;
}
