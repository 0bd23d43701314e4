/**
 * `layerfleet train-rl`: trains rl-pdnn in the simulator (one request per episode, Table 1's
 * hyper-parameters) and writes the policy file the simulator and the gateway load. With
 * `--all`, every workload × privacy cell of the paper, one after another.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { policyToJson, PRIVACY_LEVELS } from '@layerfleet/planner';
import { Progress } from '@layerfleet/report';
import * as sim from '@layerfleet/simulator';
import { blockMeans, defaultPolicyPath, LOG_BLOCK } from '@layerfleet/simulator';
import { numberFlag, parseFlags, stringFlag } from './args.js';


export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, { workload: 'string', privacy: 'string', episodes: 'string', devices: 'string', seed: 'string', out: 'string', all: 'boolean' });
  const cells = flags.all
    ? sim.WORKLOAD_NAMES.flatMap((w) => Object.keys(PRIVACY_LEVELS).map((p) => [w, p] as const))
    : [[stringFlag(flags, 'workload') ?? 'lenet', stringFlag(flags, 'privacy') ?? 'none'] as const];
  for (const [workload, privacy] of cells) {
    if (!(sim.WORKLOAD_NAMES as readonly string[]).includes(workload)) throw new Error(`--workload: unknown ${JSON.stringify(workload)}; use ${sim.WORKLOAD_NAMES.join(', ')}`);
    const episodes = numberFlag(flags, 'episodes', 15000);
    const opts = sim.paperScenario({
      workload: workload as sim.WorkloadName, privacyName: privacy, requests: episodes,
      devices: numberFlag(flags, 'devices', 51), seed: numberFlag(flags, 'seed', 1000),
    });
    const out = (!flags.all && stringFlag(flags, 'out')) || defaultPolicyPath(workload, privacy);
    const bar = new Progress(`train rl-pdnn ${workload}/${privacy}`, episodes);
    const started = performance.now();
    const { agent, report } = sim.trainRlPdnn(opts, { onProgress: (done) => bar.update(done) });
    bar.done();
    const json = policyToJson(agent);
    const log = Object.fromEntries(Object.entries(json.log).map(([k, v]) => [k, blockMeans(v as number[])]));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ ...json, log, logBlock: LOG_BLOCK, trainedOn: { workload, privacy, devices: opts.devices, episodes, seed: opts.seed } }) + '\n');
    const last = agent.log.reward.slice(-500);
    console.log(`${workload}/${privacy}: ${episodes} episodes in ${((performance.now() - started) / 1000).toFixed(0)} s; accuracy while training ${(report.accuracy * 100).toFixed(1)} %; mean reward of the last 500 ${(last.reduce((a, b) => a + b, 0) / last.length).toFixed(3)}; wrote ${out}`);
  }
}
