/**
 * `layerfleet sim`: a discrete-event simulation of the paper's scenario. Requests arrive as a
 * Poisson process; the strategy places each one against the fleet's state at that instant; an
 * accepted request then runs for real in simulated time — every device computes its queue FIFO
 * at its MAC/s and sends on its link FIFO at its rate — so the latency reported includes queueing.
 * Every placement is checked by `violations` before it runs: one that breaks a constraint is
 * counted (by constraint) and not run, as a device would refuse it. Departing devices finish
 * what they already queued; planning stops using them at once.
 */
import { performance } from 'node:perf_hooks';
import { violations, type Instance, type Strategy } from '@layerfleet/planner';
import { EventQueue } from './event-queue.js';
import { Fleet, newDevice, type SimDevice } from './fleet.js';
import type { SimOptions } from './scenario.js';
import { mulberry32 } from '@layerfleet/models';
import { mean, percentile, sortedCopy } from './stats.js';
import { workloadModels, type Workload } from './workloads.js';

export interface SimReport {
  strategy: string;
  workload: string;
  privacy: string;
  devices: number;
  requests: number;
  /** share of requests placed meeting every constraint (the paper's accuracy) */
  accuracy: number;
  accepted: number;
  violations: number;
  rejected: number;
  /** requests that waited in the queue (only with `queueSeconds` > 0) */
  queued: number;
  violations_by_constraint: Record<string, number>;
  latency_per_inference_s: { mean: number; p95: number };
  /** the cost model's latency of the accepted placements, without queueing */
  planned_latency_s: number;
  shared_mb_per_inference: number;
  decision_ms_p50: number;
  decision_ms_p99: number;
  devices_per_inference: number;
  simulated_seconds: number;
}

export interface SimHooks {
  onProgress?: (done: number, total: number) => void;
  /** sees every placement decision, e.g. to group requests into frames */
  onDecision?: (d: { index: number; at: number; instance: Instance; assignment: string[]; accepted: boolean }) => void;
}

type Ev =
  | { kind: 'arrival' }
  | { kind: 'retry'; req: Pending }
  | { kind: 'churn' }
  | { kind: 'compute'; run: Run; stage: number }
  | { kind: 'send'; run: Run; stage: number };

interface Pending { index: number; arrival: number; source: SimDevice; workload: Workload; queued: boolean }

/** How often a queued request is tried again: a quarter of the load window's second. */
const RETRY_SECONDS = 0.25;

interface Stage { device: SimDevice; macs: number; bits: number }
interface Run { arrival: number; stages: Stage[]; assignment: SimDevice[]; workload: Workload }

/** Consecutive layers on one device form one stage: compute them, then send the output on. */
function stagesOf(assignment: SimDevice[], w: Workload): Stage[] {
  const stages: Stage[] = [];
  assignment.forEach((d, i) => {
    const layer = w.layers[i]!;
    const last = stages[stages.length - 1];
    if (last && last.device === d) last.macs += layer.macs; else stages.push({ device: d, macs: layer.macs, bits: 0 });
    if (i < assignment.length - 1 && assignment[i + 1] !== d) stages[stages.length - 1]!.bits = 8 * layer.outputBytes;
  });
  return stages;
}

function constraintOf(v: string): string {
  const m = /(4\.[a-f]|privacy|source)/.exec(v);
  return m ? m[1]! : 'other';
}

export function simulate(strategy: Strategy, opts: SimOptions, hooks: SimHooks = {}): SimReport {
  const rand = mulberry32(opts.seed);
  const models = workloadModels(opts.workload, opts.granularity, opts.bytesPerElement);
  let nextId = 0;
  const classFor = (slot: number) => opts.classes[slot % opts.classes.length]!;
  const participants = Array.from({ length: opts.devices }, (_, slot) => newDevice(`p${nextId++}`, slot, classFor(slot), opts.macUnit, false));
  const rpi = opts.classes.find((c) => c.name === 'rpi3') ?? opts.classes[0]!;
  const sources = Array.from({ length: opts.sources }, (_, i) => newDevice(`cam${i + 1}`, -1, rpi, opts.macUnit, true));
  const fleet = new Fleet(participants, sources, opts.loadWindowSeconds);
  const queue = new EventQueue<Ev>();

  let arrived = 0, accepted = 0, rejected = 0, broken = 0, devicesUsed = 0;
  let sharedBits = 0, plannedLatency = 0, queuedCount = 0;
  const byConstraint: Record<string, number> = {};
  const latencies: number[] = [];
  const decisionMs: number[] = [];
  let now = 0;
  const progressEvery = Math.max(1, Math.floor(opts.requests / 100));

  queue.push(-Math.log(1 - rand()) / opts.lambda, { kind: 'arrival' });
  if (opts.churnSeconds > 0) queue.push(opts.churnSeconds, { kind: 'churn' });

  /** Plans a request; with `queueSeconds` a rejected one retries every `RETRY_SECONDS` until its deadline. */
  const attempt = (req: Pending) => {
    const inst = fleet.instance(req.source, req.workload, opts.privacy, now);
    const t0 = performance.now();
    const placement = strategy.plan(inst);
    decisionMs.push(performance.now() - t0);
    let ok = false;
    if (placement.assignment.length === 0) {
      if (now + RETRY_SECONDS <= req.arrival + opts.queueSeconds) {
        if (!req.queued) { req.queued = true; queuedCount++; }
        queue.push(now + RETRY_SECONDS, { kind: 'retry', req });
      } else rejected++;
    } else {
      const v = violations(inst, placement.assignment);
      if (v.length > 0) {
        broken++;
        for (const kind of new Set(v.map(constraintOf))) byConstraint[kind] = (byConstraint[kind] ?? 0) + 1;
      } else {
        ok = true;
        accepted++;
        // look each device up once, not once per layer: a 1000-device fleet makes byId a scan
        const devices = new Map([...new Set(placement.assignment)].map((id) => [id, fleet.byId(id)!]));
        const assignment = placement.assignment.map((id) => devices.get(id)!);
        fleet.commit(assignment, req.workload, now);
        plannedLatency += placement.latencySeconds;
        devicesUsed += new Set(assignment).size;
        const run: Run = { arrival: req.arrival, stages: stagesOf(assignment, req.workload), assignment, workload: req.workload };
        for (const st of run.stages) sharedBits += st.bits;
        queue.push(now, { kind: 'compute', run, stage: 0 });
      }
    }
    hooks.onDecision?.({ index: req.index, at: now, instance: inst, assignment: placement.assignment, accepted: ok });
  };

  const arrive = () => {
    const source = sources[Math.floor(rand() * sources.length)]!;
    const workload = models[Math.floor(rand() * models.length)]!;
    attempt({ index: arrived++, arrival: now, source, workload, queued: false });
    if (arrived % progressEvery === 0) hooks.onProgress?.(arrived, opts.requests);
    if (arrived < opts.requests) queue.push(now - Math.log(1 - rand()) / opts.lambda, { kind: 'arrival' });
  };

  const churn = () => {
    const count = Math.round(opts.churnFraction * participants.length);
    const slots = participants.map((_, i) => i);
    for (let k = 0; k < count; k++) {
      const pick = k + Math.floor(rand() * (slots.length - k));
      [slots[k], slots[pick]] = [slots[pick]!, slots[k]!];
      const slot = slots[k]!;
      // the newcomer takes the slot; the leaver keeps its queue until drained
      participants[slot] = newDevice(`p${nextId++}`, slot, participants[slot]!.cls, opts.macUnit, false);
    }
    if (arrived < opts.requests) queue.push(now + opts.churnSeconds, { kind: 'churn' });
  };

  for (let ev = queue.pop(); ev; ev = queue.pop()) {
    now = ev.at;
    const e = ev.item;
    if (e.kind === 'arrival') arrive();
    else if (e.kind === 'retry') attempt(e.req);
    else if (e.kind === 'churn') churn();
    else if (e.kind === 'compute') {
      const st = e.run.stages[e.stage]!;
      const start = Math.max(now, st.device.computeFreeAt);
      const end = start + st.macs / st.device.macsPerSecond;
      st.device.computeFreeAt = end;
      if (e.stage === e.run.stages.length - 1) {
        latencies.push(end - e.run.arrival);
        fleet.release(e.run.assignment, e.run.workload);
      } else queue.push(end, { kind: 'send', run: e.run, stage: e.stage });
    } else {
      const st = e.run.stages[e.stage]!;
      const start = Math.max(now, st.device.linkFreeAt);
      const end = start + st.bits / st.device.cls.rateBitsPerSecond;
      st.device.linkFreeAt = end;
      queue.push(end, { kind: 'compute', run: e.run, stage: e.stage + 1 });
    }
  }
  hooks.onProgress?.(arrived, opts.requests);

  const lat = sortedCopy(latencies);
  const dec = sortedCopy(decisionMs);
  return {
    strategy: strategy.name,
    workload: opts.workload,
    privacy: opts.privacyName,
    devices: opts.devices,
    requests: arrived,
    accuracy: accepted / Math.max(1, arrived),
    accepted,
    violations: broken,
    rejected,
    queued: queuedCount,
    violations_by_constraint: byConstraint,
    latency_per_inference_s: { mean: mean(lat), p95: percentile(lat, 0.95) },
    planned_latency_s: accepted ? plannedLatency / accepted : NaN,
    shared_mb_per_inference: accepted ? sharedBits / 1e6 / accepted : NaN,
    decision_ms_p50: percentile(dec, 0.5),
    decision_ms_p99: percentile(dec, 0.99),
    devices_per_inference: accepted ? devicesUsed / accepted : NaN,
    simulated_seconds: now,
  };
}
