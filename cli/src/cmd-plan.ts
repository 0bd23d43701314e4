/** `layerfleet plan --instance FILE --strategy S [--policy FILE] [--json]`: place one request described as DESIGN.md's JSON instance. */
import { readFile } from 'node:fs/promises';
import { createStrategy, DEFAULT_STRATEGY, normalizeInstance, violations } from '@layerfleet/planner';
import { parseFlags, stringFlag } from './args.js';
import { strategyOptions } from './strategy-option.js';

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { instance: 'string', strategy: 'string', policy: 'string', json: 'boolean' });
  const file = stringFlag(flags, 'instance');
  if (!file) throw new Error('plan: --instance FILE is required (a JSON instance as in DESIGN.md)');
  let json: unknown;
  try { json = JSON.parse(await readFile(file, 'utf8')); } catch (err) { throw new Error(`plan: cannot read ${file}: ${(err as Error).message}`); }
  const inst = normalizeInstance(json);
  const strategyName = stringFlag(flags, 'strategy') ?? DEFAULT_STRATEGY;
  const strategy = createStrategy(strategyName, await strategyOptions(strategyName, stringFlag(flags, 'policy')));
  const placement = strategy.plan(inst);
  // whatever the strategy claims, the answer is judged by the constraints themselves
  const broken = placement.assignment.length ? violations(inst, placement.assignment) : [];
  const feasible = placement.assignment.length > 0 && broken.length === 0;
  const out = {
    feasible,
    latencySeconds: feasible ? placement.latencySeconds : null,
    assignment: placement.assignment,
    ...(feasible ? {} : { reasons: broken.length ? broken : placement.reasons ?? [] }),
    strategy: strategy.name,
  };
  if (flags.json) console.log(JSON.stringify(out));
  else if (feasible) console.log(`${strategy.name}: ${placement.assignment.join(' → ')}  (${(placement.latencySeconds * 1000).toFixed(3)} ms)`);
  else console.log(`${strategy.name}: infeasible\n  ${out.reasons!.join('\n  ')}`);
  return feasible ? 0 : 2;
}
