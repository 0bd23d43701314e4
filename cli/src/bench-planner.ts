/**
 * Planner benchmark: decision time and placement quality on the paper's scenario, ours against
 * the exact solver and rl-pdnn's greedy network, in one run, as ratios.
 */
import { createStrategy, ExactStrategy, RlPdnn, type Strategy } from '@layerfleet/planner';
import * as sim from '@layerfleet/simulator';

interface Row { name: string; p50: number; p99: number; planned: number; accuracy: number; timingOnly: boolean }

function measure(strategy: Strategy, workload: sim.WorkloadName, devices: number, requests: number, name = strategy.name, timingOnly = false): Row {
  const r = sim.simulate(strategy, sim.paperScenario({ workload, devices, requests, seed: 21 }));
  return { name, p50: r.decision_ms_p50, p99: r.decision_ms_p99, planned: r.planned_latency_s, accuracy: r.accuracy, timingOnly };
}

export function benchPlanner(): void {
  for (const [workload, devices] of [['lenet', 51], ['cifar', 51], ['mixed', 200]] as const) {
    const requests = 400;
    const rows = [
      measure(createStrategy('segment-dp'), workload, devices, requests),
      measure(new ExactStrategy({ maxNodes: 200_000 }), workload, devices, requests, 'exact ≤200k'),
      // decision time does not depend on the weights: an untrained network of the right shape
      measure(new RlPdnn({ slots: devices, models: sim.RL_MODELS, maxLayers: sim.RL_MAX_LAYERS, seed: 1 }), workload, devices, requests, 'rl-pdnn net', true),
    ];
    const ours = rows[0]!;
    console.log(`\nplanner, ${workload} on ${devices} devices, ${requests} requests (paper scenario, no privacy)`);
    console.log('strategy       p50 ms   p99 ms   p50 vs ours   planned latency   accuracy');
    for (const r of rows) {
      const quality = r.timingOnly ? '   (untrained: timing only)' : `${(r.planned * 1000).toFixed(2).padStart(12)} ms   ${(r.accuracy * 100).toFixed(1).padStart(6)} %`;
      console.log(`${r.name.padEnd(13)} ${r.p50.toFixed(3).padStart(7)} ${r.p99.toFixed(2).padStart(8)} ${(r.p50 / ours.p50).toFixed(2).padStart(12)}×   ${quality}`);
    }
    console.log('exact ≤200k: branch and bound stopped at 200 000 nodes (not always proven on VGG); rl-pdnn net: the DQN of the right shape, untrained — decision time does not depend on its weights');
  }
}
