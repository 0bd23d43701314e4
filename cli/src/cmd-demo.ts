/**
 * `layerfleet demo` (`npm start`): the fleet of fleet.ts on this machine — a gateway, four
 * workers, emulated boards running the C firmware behind a board-host agent, and a camera source
 * — running held-out MNIST digits through the split int8 LeNet-5, then a summary; `--json` makes
 * the last line one JSON object. `--strategy` picks the gateway's placement strategy (`--policy`
 * for rl-pdnn), `--rate` the camera's requests/s, `--kill ID@N` kills an agent after N outcomes.
 * `--boards host,qemu` (default: host, plus qemu when qemu-system-arm is installed; `none` for
 * no boards) picks the emulated boards; `--board-ports P1,P2` adds real boards.
 */
import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createStrategy, DEFAULT_STRATEGY } from '@layerfleet/planner';
import { missingEmulatorPrograms, type EmulatedTarget } from '@layerfleet/firmware-bindings';
import { numberFlag, parseCommandFlags, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';
import { strategyOptions } from './strategy-option.js';
import { runFleet, type FleetBoard } from '@layerfleet/fleet';

export const spec: CommandSpec = {
  name: 'demo',
  summary: 'gateway + workers + emulated boards + a camera source on this machine: real MNIST inferences, then a summary',
  flags: {
    inferences: { type: 'number', default: 200, unit: 'requests', description: 'how many digits the camera sends' },
    rate: { type: 'number', default: 20, unit: 'requests/s', description: "the camera's request rate" },
    concurrency: { type: 'number', default: 4, unit: 'requests', description: 'requests in flight at once' },
    strategy: { type: 'string', value: 'NAME', default: DEFAULT_STRATEGY, description: 'placement strategy: segment-dp, exact, rl-pdnn, static or neurosurgeon' },
    policy: { type: 'string', value: 'FILE', defaultNote: 'the trained policy for the workload', description: 'rl-pdnn policy file (from layerfleet train-rl)' },
    privacy: { type: 'string', value: 'none|two-hidden|half', default: 'none', description: 'layers that only trusted devices may compute' },
    boards: { type: 'string', value: 'host,qemu|none', defaultNote: 'host, plus qemu when qemu-system-arm is installed', description: 'emulated boards behind a board-host agent' },
    'board-ports': { type: 'string', value: 'P1,P2', description: 'serial ports of real boards to add' },
    'line-noise': { type: 'number', default: 0, unit: 'chance per byte', description: "rigs only: flip and drop serial bytes on the boards' lines" },
    kill: { type: 'string', value: 'ID@N', description: 'kill agent ID after N outcomes (shows re-planning)' },
    state: { type: 'string', value: 'DIR', defaultNote: 'a new temporary directory', description: 'state directory for the gateway and agents (created if missing)' },
    capture: { type: 'string', value: 'FILE', description: 'write every MQTT packet the broker sees to FILE' },
    json: { type: 'boolean', description: 'the last line of stdout is the summary as one JSON object' },
    verbose: { type: 'boolean', description: "the processes' own log lines too" },
    'http-port': { type: 'number', unit: 'TCP port (0: any free one)', description: "serve the live dashboard and /metrics from the gateway; the URL is printed as soon as it serves" },
    model: { type: 'string', value: 'DIR', description: 'serve the LeNet-5 in DIR (lenet5.int8.cbor, as train-split --out writes it) instead of the committed weights' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return 0;
  // every process of the fleet inherits it; models/src/weights.ts reads it
  const modelDir = stringFlag(flags, 'model');
  if (modelDir !== undefined) process.env.LAYERFLEET_MODEL_DIR = resolve(modelDir);
  const inferences = requiredNumber(flags, 'inferences');
  const strategy = requiredString(flags, 'strategy');
  const policyFlag = stringFlag(flags, 'policy');
  const policy = policyFlag === undefined ? undefined : resolve(policyFlag);
  // here rather than in the gateway process, so a wrong name fails with the list of valid ones
  createStrategy(strategy, await strategyOptions(strategy, policy));
  const rate = requiredNumber(flags, 'rate');
  if (!(rate > 0)) throw new Error(`--rate: expected requests per second > 0, got ${rate}`);
  const boards: FleetBoard[] = (await parseBoards(stringFlag(flags, 'boards'))).map((emulate) => ({ emulate }));
  for (const port of (stringFlag(flags, 'board-ports') ?? '').split(',').filter(Boolean)) boards.push({ port });
  const stateDir = resolve(stringFlag(flags, 'state') ?? (await mkdtemp(join(tmpdir(), 'layerfleet-demo-'))));
  await mkdir(stateDir, { recursive: true });
  const kill = parseKill(stringFlag(flags, 'kill'));
  const capture = stringFlag(flags, 'capture');
  const say = (line: string) => console.error(line);
  const summary = await runFleet({
    inferences, strategy, rate, stateDir, boards, say,
    privacy: requiredString(flags, 'privacy'),
    concurrency: requiredNumber(flags, 'concurrency'),
    verbose: flags.verbose === true,
    lineNoise: requiredNumber(flags, 'line-noise'),
    events: kill ? [{ after: kill.after, action: { kill: kill.id } }] : [],
    ...(policy === undefined ? {} : { policy }),
    ...(capture ? { capture: resolve(capture) } : {}),
    ...(numberFlag(flags, 'http-port') === undefined ? {} : { httpPort: numberFlag(flags, 'http-port')! }),
  });
  say(`\n${summary.strategy}: completed ${summary.completed}/${summary.inferences}, accuracy ${(summary.accuracy * 100).toFixed(2)} %, p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms`);
  say(`devices used: ${summary.devices_used.join(', ')}; placements: ${Object.entries(summary.placements).map(([p, n]) => `${p} ×${n}`).join('; ')}`);
  say(`${summary.bytes_per_inference} bytes per inference crossed the broker; ${summary.throughput_per_s} inferences/s`);
  if (summary.failed > 0) say(`failed: ${summary.failed} — first reasons: ${summary.failure_reasons.slice(0, 3).join(' | ')}`);
  const reasons = Object.entries(summary.route_change_reasons).map(([why, n]) => `${why} ×${n}`).join(', ');
  say(`standing routes changed ${summary.route_changes} times${reasons ? ` (${reasons})` : ''}`);
  if (kill) say(`${kill.id} was killed mid-run; ${summary.replanned} requests were run again on a new route`);
  for (const death of summary.deaths) say(`unexpected: ${death}`);
  const loads = Object.entries(summary.budget).map(([id, b]) => `${id} ${(b.max_used / 1e6).toFixed(2)}/${(b.budget / 1e6).toFixed(2)}M`);
  if (loads.length > 0) say(`most MAC/s used of budget per device: ${loads.join(', ')}${summary.budget_ok ? '' : ' — ABOVE BUDGET'}`);
  if (flags.json) console.log(JSON.stringify(summary));
  return summary.completed === inferences ? 0 : 1;
}

async function parseBoards(spec: string | undefined): Promise<EmulatedTarget[]> {
  // QEMU alone is not enough: the Cortex-M7 image is built with arm-none-eabi-gcc first.
  if (spec === undefined) return (await missingEmulatorPrograms('qemu')).length === 0 ? ['host', 'qemu'] : ['host'];
  if (spec === 'none') return [];
  return spec.split(',').map((t) => {
    if (t !== 'host' && t !== 'qemu') throw new Error(`--boards: expected host, qemu or none (comma-separated), got ${JSON.stringify(t)}`);
    return t;
  });
}

function parseKill(spec: string | undefined): { id: string; after: number } | null {
  if (!spec) return null;
  const m = /^([^@]+)@(\d+)$/.exec(spec);
  if (!m) throw new Error(`--kill: expected ID@N (kill agent ID after N outcomes), got ${spec}`);
  return { id: m[1]!, after: Number(m[2]) };
}
