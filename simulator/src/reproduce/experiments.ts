/**
 * The experiments behind docs/reproduction.md: every workload × privacy cell of the paper's
 * scenario under every strategy, the Fig. 12 frames (rl-pdnn and ours against the joint optimum),
 * and decision time as the fleet grows.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  createStrategy, planFrameExact, planFrameSequential, policyFromJson, policyToJson,
  PRIVACY_LEVELS, RlPdnn, type Frame, type FramePlan, type Strategy,
} from '@layerfleet/planner';
import { Progress } from '@layerfleet/report';
import * as sim from '../index.js';
import { blockMeans, LOG_BLOCK } from '../block-means.js';
import { defaultPolicyPath, loadPolicy } from '../policy-file.js';

export interface ReproOptions {
  quick: boolean;
  requests: number;
  frames: number;
  deviceCounts: number[];
  timingRequests: number;
  rlEpisodes: number;
}

export const QUEUED = 'segment-dp, queue ≤ 2 s';
export const RL_ONLINE = 'rl-pdnn, learning online';
/** Serving, the policy takes a gradient step every 4th decision (DQN's usual rate) rather than every one: 4× cheaper. */
export const ONLINE_TRAIN_EVERY = 4;
export const RL_FROZEN = 'rl-pdnn, frozen greedy';
export const STRATEGIES = ['segment-dp', QUEUED, RL_ONLINE, RL_FROZEN, 'static', 'neurosurgeon'] as const;

export interface Cell { workload: string; privacy: string; reports: Record<string, sim.SimReport>; policyNote: string }

export interface Convergence { workload: string; privacy: string; block: number; reward: number[]; constraintsMet: number[]; penalty: number[] }

function rlFor(workload: string, privacy: string, opts: ReproOptions): { fresh: () => RlPdnn; note: string; curve: Convergence } {
  const path = defaultPolicyPath(workload, privacy);
  if (existsSync(path)) {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { log: Convergence; logBlock?: number; trainedOn?: { episodes: number } };
    return {
      fresh: () => loadPolicy(path),
      note: `committed policy, ${json.trainedOn?.episodes ?? '?'} episodes`,
      curve: { workload, privacy, block: json.logBlock ?? 1, reward: json.log.reward, constraintsMet: json.log.constraintsMet, penalty: json.log.penalty },
    };
  }
  const scenario = sim.paperScenario({ workload: workload as sim.WorkloadName, privacyName: privacy, requests: opts.rlEpisodes, seed: 1000 });
  const bar = new Progress(`train rl-pdnn ${workload}/${privacy}`, opts.rlEpisodes);
  const { agent } = sim.trainRlPdnn(scenario, { onProgress: (d) => bar.update(d) });
  bar.done();
  const json = policyToJson(agent);
  return {
    fresh: () => policyFromJson(json),
    note: `trained in this run, ${opts.rlEpisodes} episodes (no committed policy)`,
    curve: { workload, privacy, block: LOG_BLOCK, reward: blockMeans(agent.log.reward), constraintsMet: blockMeans(agent.log.constraintsMet), penalty: blockMeans(agent.log.penalty) },
  };
}

/** One workload × privacy cell under every strategy. */
export function runCell(workload: sim.WorkloadName, privacy: string, opts: ReproOptions): { cell: Cell; curve: Convergence } {
  const rl = rlFor(workload, privacy, opts);
  const reports: Record<string, sim.SimReport> = {};
  for (const name of STRATEGIES) {
    const strategy = name === RL_ONLINE ? new sim.LearningRlPdnn(rl.fresh(), name, ONLINE_TRAIN_EVERY)
      : name === RL_FROZEN ? rl.fresh()
      : createStrategy(name === QUEUED ? 'segment-dp' : name);
    const scenario = sim.paperScenario({ workload, privacyName: privacy, requests: opts.requests, seed: 1, queueSeconds: name === QUEUED ? 2 : 0 });
    const bar = new Progress(`sim ${name} ${workload}/${privacy}`, opts.requests);
    reports[name] = sim.simulate(strategy, scenario, { onProgress: (d) => bar.update(d) });
    bar.done();
  }
  return { cell: { workload, privacy, reports, policyNote: rl.note }, curve: rl.curve };
}

export const CELLS = sim.WORKLOAD_NAMES.flatMap((w) => Object.keys(PRIVACY_LEVELS).map((p) => [w, p] as [sim.WorkloadName, string]));

export interface FrameRow { frame: number; requests: number; exact: number; exactProven: boolean; ours: number; rl: number; oursPlaced: number; rlPlaced: number; exactPlaced: number; sharedExactMb: number; sharedOursMb: number; sharedRlMb: number }

function sharedMb(frame: Frame, plan: FramePlan): number {
  let bits = 0;
  plan.assignments.forEach((a, k) => {
    const layers = frame.requests[k]!.model.layers;
    for (let i = 0; i + 1 < a.length; i++) if (a[i] !== a[i + 1]) bits += 8 * layers[i]!.outputBytes;
  });
  return bits / 1e6;
}

/** Fig. 12: 30 devices, LeNet, no privacy; per frame the total latency of its requests. */
export function runFrames(opts: ReproOptions): { rows: FrameRow[]; rlNote: string } {
  const scenario = sim.paperScenario({ workload: 'lenet', privacyName: 'none', devices: 30, seed: 7 });
  const trainBar = new Progress('train rl-pdnn lenet/none on 30 devices', opts.rlEpisodes);
  const { agent } = sim.trainRlPdnn({ ...scenario, requests: opts.rlEpisodes, seed: 1030 }, { onProgress: (d) => trainBar.update(d) });
  trainBar.done();
  const frames = sim.collectFrames(scenario, createStrategy('segment-dp'), 1, opts.frames);
  const ours = createStrategy('segment-dp');
  const rows: FrameRow[] = [];
  const bar = new Progress('frames: joint optimum', frames.length);
  frames.forEach((frame, k) => {
    const exact = planFrameExact(frame, { maxNodes: 2_000_000 });
    const o = planFrameSequential(frame, ours);
    const r = planFrameSequential(frame, agent);
    rows.push({
      frame: k + 1, requests: frame.requests.length, exact: exact.totalLatencySeconds, exactProven: exact.proven, ours: o.totalLatencySeconds, rl: r.totalLatencySeconds,
      oursPlaced: o.placed, rlPlaced: r.placed, exactPlaced: exact.placed, sharedExactMb: sharedMb(frame, exact), sharedOursMb: sharedMb(frame, o), sharedRlMb: sharedMb(frame, r),
    });
    bar.update(k + 1);
  });
  bar.done();
  return { rows, rlNote: `trained in this run on the 30-device fleet, ${opts.rlEpisodes} episodes` };
}

export interface TimingRow { devices: number; strategy: string; p50: number; p99: number; accuracy: number }

/** Decision time as the fleet grows (mixed workload, no privacy, and ours also at half). */
export function runTiming(opts: ReproOptions): TimingRow[] {
  const rows: TimingRow[] = [];
  for (const devices of opts.deviceCounts) {
    const cases: Array<[string, string, () => Strategy]> = [
      ['segment-dp', 'none', () => createStrategy('segment-dp')],
      ['segment-dp', 'half', () => createStrategy('segment-dp')],
      // an untrained network of the right shape: decision time does not depend on the weights
      ['rl-pdnn', 'none', () => new RlPdnn({ slots: devices, models: sim.RL_MODELS, maxLayers: sim.RL_MAX_LAYERS, seed: 1 })],
      ['static', 'none', () => createStrategy('static')],
      ['neurosurgeon', 'none', () => createStrategy('neurosurgeon')],
    ];
    for (const [name, privacy, make] of cases) {
      const scenario = sim.paperScenario({ workload: 'mixed', privacyName: privacy, devices, requests: opts.timingRequests, seed: 3 });
      const bar = new Progress(`decision time ${name}/${privacy} on ${devices} devices`, opts.timingRequests);
      const r = sim.simulate(make(), scenario, { onProgress: (d) => bar.update(d) });
      bar.done();
      rows.push({ devices, strategy: `${name}${privacy === 'none' ? '' : ` (${privacy})`}`, p50: r.decision_ms_p50, p99: r.decision_ms_p99, accuracy: r.accuracy });
    }
  }
  return rows;
}
