/**
 * `layerfleet plan --instance FILE --strategy S [--policy FILE] [--json]`: place one request described as DESIGN.md's JSON instance.
 * `--explain`: per layer, which devices each constraint rules out and each device's slack (explain-layers.ts), for the
 * instance, or for the live fleet with `--gateway URL --model M` (live-instance.ts).
 */
import { readFile } from 'node:fs/promises';
import { createStrategy, DEFAULT_STRATEGY, explainLayers, normalizeInstance, placementSlack, PRIVACY_LEVELS, violations, type Instance } from '@layerfleet/planner';
import { numberFlag, parseCommandFlags, requiredString, stringFlag, type CommandSpec } from './args.js';
import { strategyOptions } from './strategy-option.js';
import { DASHBOARD_LOGIN_FLAGS } from './dashboard-login-flags.js';
import { explainText } from './explain-text.js';
import { liveInstance } from './live-instance.js';

/** read-fleet.ts's default, repeated: `plan` loads no MQTT client unless --gateway asks for the live fleet */
const DEFAULT_READ_WAIT_MS = 3000;

export const spec: CommandSpec = {
  name: 'plan',
  summary: 'place one request given as a JSON instance (DESIGN.md); exit 2 when no placement meets the constraints',
  flags: {
    instance: { type: 'string', value: 'FILE', description: 'the request and the fleet, as the JSON instance of DESIGN.md (or --gateway for the live fleet)' },
    strategy: { type: 'string', value: 'NAME', default: DEFAULT_STRATEGY, description: 'placement strategy: segment-dp, exact, rl-pdnn, static or neurosurgeon' },
    policy: { type: 'string', value: 'FILE', description: 'rl-pdnn policy file (from layerfleet train-rl); default: the shipped simulator/policies/rl-pdnn-<workload>-<privacy>.json for the instance\'s model and privacy level' },
    json: { type: 'boolean', description: 'one JSON line: feasible, latency, assignment, reasons (with --explain: layers and placementSlack too)' },
    explain: { type: 'boolean', description: "per layer: which devices each constraint (4.a memory, 4.b compute, 4.c link, eq. 6 privacy, 4.e/4.f) rules out, and each device's slack" },
    gateway: { type: 'broker-url', description: "plan for the live fleet: read it from this gateway's telemetry as the dashboard account (instead of --instance)" },
    ...DASHBOARD_LOGIN_FLAGS,
    model: { type: 'string', value: 'NAME', default: 'lenet', description: 'with --gateway: the model (lenet5, cifarCnn, vgg16; aliases lenet, cifar, vgg)' },
    source: { type: 'string', value: 'ID', defaultNote: 'the one source online', description: 'with --gateway: the requesting device' },
    rate: { type: 'number', unit: 'requests/s', defaultNote: "the gateway's planned rate for the stream, else 1", description: 'with --gateway: the request rate' },
    privacy: { type: 'string', value: 'none|two-hidden|half', description: "with --gateway: the privacy level to plan under (default: the gateway's own, from its telemetry)" },
    'with-load': { type: 'boolean', description: 'with --gateway: subtract the MAC/s each device uses now (its own streams included)' },
    wait: { type: 'number', default: DEFAULT_READ_WAIT_MS, unit: 'ms', description: "with --gateway: how long to wait for the gateway's telemetry" },
  },
};

export async function run(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return 0;
  const file = stringFlag(flags, 'instance');
  const gateway = stringFlag(flags, 'gateway');
  if ((file === undefined) === (gateway === undefined)) throw new Error('plan: give --instance FILE or --gateway URL (the live fleet), one of the two; see `layerfleet plan --help`');
  let inst: Instance;
  if (file !== undefined) {
    let json: unknown;
    try { json = JSON.parse(await readFile(file, 'utf8')); } catch (err) { throw new Error(`plan: cannot read ${file}: ${(err as Error).message}`); }
    inst = normalizeInstance(json);
  } else {
    const given = stringFlag(flags, 'privacy');
    if (given !== undefined && !PRIVACY_LEVELS[given]) throw new Error(`--privacy: expected none, two-hidden or half, got ${given}`);
    const { readFleet } = await import('./read-fleet.js');
    const { dashboardLogin } = await import('./dashboard-login.js');
    const view = await readFleet(gateway!, await dashboardLogin(flags), numberFlag(flags, 'wait') ?? DEFAULT_READ_WAIT_MS);
    const level = given ?? view.gateway?.privacy;
    const privacy = level === undefined ? undefined : PRIVACY_LEVELS[level];
    if (!privacy) throw new Error(`plan: the gateway's privacy level is ${level === undefined ? 'not in its telemetry yet' : `${JSON.stringify(level)}, not a named one`}; give --privacy none|two-hidden|half`);
    const source = stringFlag(flags, 'source');
    const rate = numberFlag(flags, 'rate');
    const live = liveInstance(view, { model: requiredString(flags, 'model'), privacy, withLoad: flags['with-load'] === true, ...(source === undefined ? {} : { source }), ...(rate === undefined ? {} : { rate }) });
    for (const line of live.skipped) console.error(`plan: left out ${line}`);
    inst = live.instance;
  }
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
  const explained = flags.explain ? explainLayers(inst, placement.assignment.length ? placement.assignment : undefined) : null;
  const slack = flags.explain && placement.assignment.length ? placementSlack(inst, placement.assignment) : null;
  if (flags.json) console.log(JSON.stringify({ ...out, ...(explained ? { layers: explained, ...(slack ? { placementSlack: slack } : {}) } : {}) }));
  else if (explained) {
    console.log(explainText(inst, explained, slack));
    console.log('');
    if (feasible) console.log(`${strategy.name}: ${placement.assignment.join(' → ')}  (${(placement.latencySeconds * 1000).toFixed(3)} ms)`);
    else console.log(`${strategy.name}: infeasible\n  ${out.reasons!.join('\n  ')}`);
  }
  else if (feasible) console.log(`${strategy.name}: ${placement.assignment.join(' → ')}  (${(placement.latencySeconds * 1000).toFixed(3)} ms)`);
  else console.log(`${strategy.name}: infeasible\n  ${out.reasons!.join('\n  ')}`);
  return feasible ? 0 : 2;
}
