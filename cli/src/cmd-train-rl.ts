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
import { parseCommandFlags, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';

export const spec: CommandSpec = {
  name: 'train-rl',
  summary: 'train the rl-pdnn policy in the simulator (Table 1 hyper-parameters) and write its policy file',
  flags: {
    workload: { type: 'string', value: 'NAME', default: 'lenet', description: `the models requested: ${sim.WORKLOAD_NAMES.join(', ')}` },
    privacy: { type: 'string', value: 'none|two-hidden|half', default: 'none', description: 'layers that only trusted devices may compute' },
    all: { type: 'boolean', description: 'every workload × privacy cell of the paper, one after another (--workload, --privacy and --out ignored)' },
    episodes: { type: 'number', default: 15000, unit: 'episodes (one request each)', description: 'training length' },
    devices: { type: 'number', default: 51, unit: 'devices', description: 'fleet size' },
    seed: { type: 'number', default: 1000, description: 'random seed' },
    out: { type: 'string', value: 'FILE', defaultNote: 'the default policy path of the workload and privacy', description: 'where the policy goes' },
  },
};

export async function run(argv: string[]): Promise<void> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return;
  const cells = flags.all
    ? sim.WORKLOAD_NAMES.flatMap((w) => Object.keys(PRIVACY_LEVELS).map((p) => [w, p] as const))
    : [[requiredString(flags, 'workload'), requiredString(flags, 'privacy')] as const];
  for (const [workload, privacy] of cells) {
    if (!(sim.WORKLOAD_NAMES as readonly string[]).includes(workload)) throw new Error(`--workload: unknown ${JSON.stringify(workload)}; use ${sim.WORKLOAD_NAMES.join(', ')}`);
    const episodes = requiredNumber(flags, 'episodes');
    const opts = sim.paperScenario({
      workload: workload as sim.WorkloadName, privacyName: privacy, requests: episodes,
      devices: requiredNumber(flags, 'devices'), seed: requiredNumber(flags, 'seed'),
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
