/**
 * layerfleet itself for `bench e2e`: the fleet supervisor `npm start` uses (fleet.ts `runFleet`:
 * gateway, agents and the source, each a process of bin/layerfleet.mjs), with all security on,
 * no boards, three workers each offering the MAC/s its self-benchmark measured and a source
 * declaring a rate well above what it gets, so no budget caps what is measured. Latencies are the
 * source's request-to-result times from the gateway's per-inference telemetry; the window starts
 * at the outcome that ends the warm-up and ends at the last one; CPU is read from /proc for every
 * process the fleet runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadLenetInt8 } from '@layerfleet/models';
import { DEFAULT_STRATEGY } from '@layerfleet/planner';
import { runFleet, SOURCE_ID, type InferenceTelemetry } from '@layerfleet/fleet';
import { descendants, cpuPer, snapshot, type CpuSnapshot } from './bench-e2e-cpu.js';
import { figures, type PipelineFigures } from './bench-e2e-figures.js';
import { BARE_WORKERS } from './bench-e2e-bare.js';

export interface FleetRun { requests: number; warmup: number; concurrency: number; rate: number; say: (line: string) => void }

/**
 * The planner refused a warm-up request for want of MAC/s at the declared rate (4.b): the rate is
 * more than the budgets the devices measured at their start carry (on a busy machine they measure
 * little). The run is stopped at once; the caller may try a lower rate.
 */
export class RateRefused extends Error {
  constructor(readonly rate: number, readonly reason: string) {
    super(`the planner refused ${rate} requests/s: ${reason}`);
  }
}

/** A name for each process of the fleet: `gateway`, the agent's `--id`, or the program's name. */
function fleetProcesses(): Map<string, number> {
  const named = new Map<string, number>();
  for (const [pid, argv] of descendants()) {
    const id = argv.indexOf('--id');
    let name = id >= 0 && argv[id + 1] ? argv[id + 1]! : argv.includes('gateway') ? 'gateway' : basename(argv[1] ?? argv[0] ?? String(pid));
    if (named.has(name)) name = `${name}#${pid}`;
    named.set(name, pid);
  }
  return named;
}

export async function runFleetPipeline(o: FleetRun): Promise<PipelineFigures> {
  if (o.warmup < 1) throw new Error('bench e2e: layerfleet needs a warm-up of at least one request (the window starts at an outcome)');
  const stateDir = await mkdtemp(join(tmpdir(), 'layerfleet-bench-e2e-'));
  const names = loadLenetInt8().layers.map((l) => l.spec.name);
  const total = o.warmup + o.requests;
  const latencies: number[] = [];
  const placements: Record<string, number> = {};
  let failed = 0, startedAt = 0, endedAt = 0;
  let refused: string | undefined;
  let pids = new Map<string, number>();
  let before: CpuSnapshot = new Map(), after: CpuSnapshot = new Map();
  const onOutcome = (outcome: InferenceTelemetry, count: number) => {
    if (count <= o.warmup && outcome.outcome === 'failed' && /4\.b/.test(outcome.reason ?? '') && refused === undefined) {
      // stop the source: the fleet's run ends with it (its other requests would each wait out the queue's deadline)
      refused = outcome.reason!;
      const source = fleetProcesses().get(SOURCE_ID);
      if (source !== undefined) process.kill(source, 'SIGTERM');
      return;
    }
    if (count === o.warmup) {
      startedAt = performance.now();
      pids = fleetProcesses();
      before = snapshot(pids);
      return;
    }
    if (count < o.warmup || count > total) return;
    if (outcome.outcome === 'completed' && Number.isFinite(outcome.totalMs)) {
      latencies.push(outcome.totalMs!);
      const key = names.map((name, i) => `${name}@${outcome.placement[i] ?? '?'}`).join(' → ');
      placements[key] = (placements[key] ?? 0) + 1;
    } else failed++;
    if (count === total) { endedAt = performance.now(); after = snapshot(pids); }
  };
  try {
    const summary = await runFleet({
      inferences: total, strategy: DEFAULT_STRATEGY, rate: o.rate, privacy: 'none', concurrency: o.concurrency, stateDir, boards: [],
      workers: BARE_WORKERS.map((id) => ({ id })), onOutcome, say: o.say,
    });
    if (refused !== undefined) throw new RateRefused(o.rate, refused);
    if (latencies.length === 0 || endedAt === 0) {
      throw new Error(`bench e2e: layerfleet completed ${summary.completed} of ${total} requests${summary.failure_reasons.length ? `; first failures: ${summary.failure_reasons.slice(0, 3).join(' | ')}` : ''}${summary.deaths.length ? `; deaths: ${summary.deaths.join('; ')}` : ''}${summary.failure_reasons.some((r) => r.includes('4.b')) ? ` — the declared ${o.rate} requests/s is more than the workers' measured MAC/s carry: try a lower --rate` : ''}`);
    }
    return figures(latencies, (endedAt - startedAt) / 1000, cpuPer(before, after, latencies.length), failed, placements);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}
