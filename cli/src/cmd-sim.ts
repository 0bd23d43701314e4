/**
 * `layerfleet sim`: the paper's scenario in simulated time (see simulator/src). Prints one JSON
 * line with --json, a short table otherwise; a progress bar on stderr while it runs.
 */
import { createStrategy, DEFAULT_STRATEGY, RlPdnn } from '@layerfleet/planner';
import { Progress } from '@layerfleet/report';
import * as sim from '@layerfleet/simulator';
import { numberFlag, parseFlags, stringFlag } from './args.js';
import { strategyOptions } from './strategy-option.js';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    scenario: 'string', workload: 'string', privacy: 'string', strategy: 'string', requests: 'string', devices: 'string',
    sources: 'string', seed: 'string', lambda: 'string', churn: 'string', 'mac-unit': 'string', policy: 'string', queue: 'string', learn: 'boolean', json: 'boolean',
  });
  const scenario = stringFlag(flags, 'scenario') ?? 'paper';
  if (scenario !== 'paper') throw new Error(`--scenario: unknown ${JSON.stringify(scenario)}; the one defined is "paper"`);
  const workload = stringFlag(flags, 'workload') ?? 'lenet';
  if (!(sim.WORKLOAD_NAMES as readonly string[]).includes(workload)) throw new Error(`--workload: unknown ${JSON.stringify(workload)}; use ${sim.WORKLOAD_NAMES.join(', ')}`);
  const opts = sim.paperScenario({
    workload: workload as sim.WorkloadName,
    privacyName: stringFlag(flags, 'privacy') ?? 'none',
    requests: numberFlag(flags, 'requests', 15000),
    devices: numberFlag(flags, 'devices', 51),
    sources: numberFlag(flags, 'sources', 5),
    seed: numberFlag(flags, 'seed', 1),
    lambda: numberFlag(flags, 'lambda', 3),
    churnFraction: numberFlag(flags, 'churn', 0.2),
    macUnit: numberFlag(flags, 'mac-unit', 1e6),
    queueSeconds: numberFlag(flags, 'queue', 0),
  });
  const strategyName = stringFlag(flags, 'strategy') ?? DEFAULT_STRATEGY;
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
