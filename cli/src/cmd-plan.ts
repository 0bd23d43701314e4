/** `layerfleet plan --instance FILE --strategy S [--policy FILE] [--json]`: place one request described as DESIGN.md's JSON instance. */
import { readFile } from 'node:fs/promises';
import { createStrategy, DEFAULT_STRATEGY, normalizeInstance, violations } from '@layerfleet/planner';
import { parseCommandFlags, requiredString, stringFlag, type CommandSpec } from './args.js';
import { strategyOptions } from './strategy-option.js';

export const spec: CommandSpec = {
  name: 'plan',
  summary: 'place one request given as a JSON instance (DESIGN.md); exit 2 when no placement meets the constraints',
  flags: {
    instance: { type: 'string', value: 'FILE', required: true, description: 'the request and the fleet, as the JSON instance of DESIGN.md' },
    strategy: { type: 'string', value: 'NAME', default: DEFAULT_STRATEGY, description: 'placement strategy: segment-dp, exact, rl-pdnn, static or neurosurgeon' },
    policy: { type: 'string', value: 'FILE', description: 'rl-pdnn policy file (from layerfleet train-rl); default: the shipped simulator/policies/rl-pdnn-<workload>-<privacy>.json for the instance\'s model and privacy level' },
    json: { type: 'boolean', description: 'one JSON line: feasible, latency, assignment, reasons' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return 0;
  const file = requiredString(flags, 'instance');
  let json: unknown;
  try { json = JSON.parse(await readFile(file, 'utf8')); } catch (err) { throw new Error(`plan: cannot read ${file}: ${(err as Error).message}`); }
  const inst = normalizeInstance(json);
  const strategyName = requiredString(flags, 'strategy');
  // rl-pdnn without --policy: the shipped policy for the instance's model and privacy level
  const given = stringFlag(flags, 'policy');
  const options = await strategyOptions(strategyName, given, async () => {
    const { shippedPolicyPath } = await import('@layerfleet/simulator');
    return shippedPolicyPath(inst.model.name, inst.privacy).path;
  });
  if (options.policyPath !== undefined) console.error(`plan: rl-pdnn policy ${options.policyPath}${given === undefined ? ' (shipped for this model and privacy level; --policy FILE to choose another)' : ''}`);
  const strategy = createStrategy(strategyName, options);
  const placement = strategy.plan(inst);
  // whatever the strategy claims, the answer is judged by the constraints themselves
  const broken = placement.assignment.length ? violations(inst, placement.assignment) : [];
  const feasible = placement.assignment.length > 0 && broken.length === 0;
  const out = {
    feasible,
    latencySeconds: feasible ? placement.latencySeconds : null,
    assignment: placement.assignment,
    ...(feasible ? {} : { reasons: broken.length ? broken : placement.reasons ?? [] }),
    // the same, typed: constraint code, devices, layers and figures (planner/src/explain.ts)
    ...(!feasible && !broken.length && placement.rejection ? { rejection: placement.rejection } : {}),
    strategy: strategy.name,
    ...(options.policyPath !== undefined ? { policy: options.policyPath } : {}),
  };
  if (flags.json) console.log(JSON.stringify(out));
  else if (feasible) console.log(`${strategy.name}: ${placement.assignment.join(' → ')}  (${(placement.latencySeconds * 1000).toFixed(3)} ms)`);
  else console.log(`${strategy.name}: infeasible\n  ${out.reasons!.join('\n  ')}`);
  return feasible ? 0 : 2;
}
