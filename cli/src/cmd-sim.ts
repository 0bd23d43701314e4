/**
 * `layerfleet sim`: the paper's scenario in simulated time (see simulator/src). Prints one JSON
 * line with --json, a short table otherwise; a progress bar on stderr while it runs.
 */
import { createStrategy, DEFAULT_STRATEGY, RlPdnn } from '@layerfleet/planner';
import { Progress } from '@layerfleet/report';
import * as sim from '@layerfleet/simulator';
import { parseCommandFlags, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';
import { strategyOptions } from './strategy-option.js';

export const spec: CommandSpec = {
  name: 'sim',
  summary: "simulate the paper's scenario in simulated time: fleet, Poisson requests, churn, a strategy",
  flags: {
    scenario: { type: 'string', value: 'NAME', default: 'paper', description: 'the scenario (the one defined is paper)' },
    workload: { type: 'string', value: 'NAME', default: 'lenet', description: `the models requested: ${sim.WORKLOAD_NAMES.join(', ')}` },
    privacy: { type: 'string', value: 'none|two-hidden|half', default: 'none', description: 'layers that only trusted devices may compute' },
    strategy: { type: 'string', value: 'NAME', default: DEFAULT_STRATEGY, description: 'placement strategy: segment-dp, exact, rl-pdnn, static or neurosurgeon' },
    policy: { type: 'string', value: 'FILE', defaultNote: 'the trained policy for the workload', description: 'rl-pdnn policy file (from layerfleet train-rl)' },
    learn: { type: 'boolean', description: 'rl-pdnn keeps learning from every request, as the paper runs it' },
    requests: { type: 'number', default: 15000, unit: 'requests', description: 'requests simulated' },
    devices: { type: 'number', default: 51, unit: 'devices', description: 'fleet size' },
    sources: { type: 'number', default: 5, unit: 'devices', description: 'devices sending requests' },
    lambda: { type: 'number', default: 3, unit: 'requests/s per source', description: 'Poisson arrival rate' },
    churn: { type: 'number', default: 0.2, unit: 'fraction of devices', description: 'devices that leave and come back' },
    'mac-unit': { type: 'number', default: 1e6, unit: 'MACs', description: "one unit of the paper's compute figures" },
    queue: { type: 'number', default: 0, unit: 's', description: 'how long a request nobody can take waits (0: rejected at once)' },
    seed: { type: 'number', default: 1, description: 'random seed' },
    json: { type: 'boolean', description: 'one JSON line instead of the table' },
  },
};

export async function run(argv: string[]): Promise<void> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return;
  const scenario = requiredString(flags, 'scenario');
  if (scenario !== 'paper') throw new Error(`--scenario: unknown ${JSON.stringify(scenario)}; the one defined is "paper"`);
  const workload = requiredString(flags, 'workload');
  if (!(sim.WORKLOAD_NAMES as readonly string[]).includes(workload)) throw new Error(`--workload: unknown ${JSON.stringify(workload)}; use ${sim.WORKLOAD_NAMES.join(', ')}`);
  const opts = sim.paperScenario({
    workload: workload as sim.WorkloadName,
    privacyName: requiredString(flags, 'privacy'),
    requests: requiredNumber(flags, 'requests'),
    devices: requiredNumber(flags, 'devices'),
    sources: requiredNumber(flags, 'sources'),
    seed: requiredNumber(flags, 'seed'),
    lambda: requiredNumber(flags, 'lambda'),
    churnFraction: requiredNumber(flags, 'churn'),
    macUnit: requiredNumber(flags, 'mac-unit'),
    queueSeconds: requiredNumber(flags, 'queue'),
  });
  const strategyName = requiredString(flags, 'strategy');
  const chosen = createStrategy(strategyName, await strategyOptions(strategyName, stringFlag(flags, 'policy'), async () => sim.defaultPolicyPath(opts.workload, opts.privacyName)));
  if (flags.learn && !(chosen instanceof RlPdnn)) throw new Error('--learn: only rl-pdnn learns; use it with --strategy rl-pdnn');
  // --learn: the policy keeps learning from every request (ε at its floor), as the paper runs it
  const strategy = flags.learn ? new sim.LearningRlPdnn(chosen as RlPdnn, 'rl-pdnn (learning online)', 4) : chosen;
  const bar = new Progress(`sim ${strategy.name} ${opts.workload}/${opts.privacyName}`, opts.requests);
  const report = sim.simulate(strategy, opts, { onProgress: (done) => bar.update(done) });
  bar.done();
  if (flags.json) { console.log(JSON.stringify(report)); return; }
  const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
  console.log(`${report.strategy} on ${report.devices} devices, ${report.workload}, privacy ${report.privacy}, ${report.requests} requests`);
  console.log(`  accuracy ${(report.accuracy * 100).toFixed(1)} % (placed meeting every constraint); violations ${report.violations}; rejected ${report.rejected}${report.queued ? `; ${report.queued} waited in the queue` : ''}`);
  console.log(`  latency per inference: mean ${ms(report.latency_per_inference_s.mean)}, p95 ${ms(report.latency_per_inference_s.p95)} (queueing included)`);
  console.log(`  shared data ${report.shared_mb_per_inference.toFixed(3)} Mb per inference; ${report.devices_per_inference.toFixed(2)} devices per inference`);
  console.log(`  decision time p50 ${report.decision_ms_p50.toFixed(3)} ms, p99 ${report.decision_ms_p99.toFixed(3)} ms`);
}
