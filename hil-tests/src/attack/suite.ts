/**
 * The attack suite: against an enrolled fleet on a real port, every attack in attacks.ts, one at
 * a time, each checked to add exactly the rejections it should; then a connection flood, from a
 * process of its own, while the legitimate source keeps asking for inferences, measured against
 * the same fleet's rate before the flood.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadLenetInt8 } from '@layerfleet/models';
import { runSource, type SourceResult } from '@layerfleet/agent';
import type { Rejections } from '@layerfleet/protocol';
import { startEnrolledFleet, type EnrolledFleet } from './enrolled-fleet.js';
import { ATTACKS, type Attack, type Count, type Expected } from './attacks.js';
import type { FloodOptions, FloodReport } from './connection-flood.js';

export interface AttackOutcome {
  name: string;
  does: string;
  expected: Expected;
  /** every counter the attack moved, where it is counted */
  observed: { gateway: Record<string, number>; w1: Record<string, number> };
  refused: boolean;
  error?: string;
}

export interface LegitimateRun { requested: number; completed: number; correct: number; seconds: number; perSecond: number; p50Ms: number; p95Ms: number }

export interface SuiteReport {
  attacks: AttackOutcome[];
  flood: FloodReport & { counted: Record<string, number>; countedAll: boolean };
  legitimate: { before: LegitimateRun; duringFlood: LegitimateRun };
  /** all rejections of the run, by kind: the gateway's and the attacked device's */
  rejections: { gateway: Record<string, number>; w1: Record<string, number> };
}

export interface SuiteOptions {
  /** legitimate inferences before the flood, and again during it */
  inferences: number;
  idleSockets: number;
  floodWave: number;
  floodConnects: number;
  /** the gateway's bound on connections waiting to authenticate */
  maxPendingConnections: number;
  connectTimeoutMs: number;
  log?: (line: string) => void;
}

export const DEFAULT_SUITE: SuiteOptions = { inferences: 60, idleSockets: 300, floodWave: 100, floodConnects: 1000, maxPendingConnections: 128, connectTimeoutMs: 2000 };

const snapshot = (r: Rejections) => new Map(r.byReason);
function delta(r: Rejections, before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, n] of r.byReason) if (n !== (before.get(kind) ?? 0)) out[kind] = n - (before.get(kind) ?? 0);
  return out;
}
const meets = (observed: Record<string, number>, expected: Record<string, Count> | undefined) =>
  Object.entries(expected ?? {}).every(([kind, n]) => (typeof n === 'number' ? observed[kind] === n : (observed[kind] ?? 0) >= n.atLeast));

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
}

async function runAttack(fleet: EnrolledFleet, attack: Attack): Promise<AttackOutcome> {
  const w1 = fleet.workers[0]!.rejections;
  const before = { gateway: snapshot(fleet.gw.rejections), w1: snapshot(w1) };
  const observe = () => ({ gateway: delta(fleet.gw.rejections, before.gateway), w1: delta(w1, before.w1) });
  let error: string | undefined;
  try {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the attack did not finish within 20 s')), 20_000); });
    await Promise.race([attack.run(fleet), stuck]).finally(() => clearTimeout(timer));
  } catch (err) {
    error = (err as Error).message;
  }
  const counted = () => meets(observe().gateway, attack.expect.gateway) && meets(observe().w1, attack.expect.w1);
  await waitFor(counted, 10_000);
  // A moment more, so an attack that was counted twice shows as such.
  await new Promise((r) => setTimeout(r, 150));
  const observed = observe();
  return { name: attack.name, does: attack.does, expected: attack.expect, observed, refused: error === undefined && counted(), ...(error ? { error } : {}) };
}

function summarise(results: SourceResult[], requested: number, seconds: number): LegitimateRun {
  const ok = results.filter((r) => r.predicted !== undefined);
  const ms = ok.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]! : NaN);
  return { requested, completed: ok.length, correct: ok.filter((r) => r.predicted === r.label).length, seconds, perSecond: ok.length / seconds, p50Ms: at(0.5), p95Ms: at(0.95) };
}

/** Inferences from the source, in batches, `inferences` at least and on while `more()` says so. */
async function legitimate(fleet: EnrolledFleet, inferences: number, more: () => boolean = () => false): Promise<LegitimateRun> {
  const started = performance.now();
  const model = loadLenetInt8();
  const results: SourceResult[] = [];
  const batch = Math.min(inferences, 20);
  while (results.length < inferences || more()) {
    results.push(...await runSource(fleet.source, { model, inferences: batch, concurrency: 4, timeoutMs: 30_000 }));
  }
  return summarise(results, results.length, (performance.now() - started) / 1000);
}

const FLOOD_KINDS = ['auth', 'connection-limit', 'connection'];
const FLOOD_PROCESS = fileURLToPath(new URL('./flood-process.js', import.meta.url));

/** Runs the flood in a child process (flood-process.ts) and returns its report. */
function floodFromAnotherProcess(opts: FloodOptions): Promise<FloodReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOOD_PROCESS, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the flood process exited ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out) as FloodReport);
      } catch {
        reject(new Error(`the flood process printed no report: ${out.slice(0, 200)}`));
      }
    });
  });
}

export async function runAttackSuite(opts: SuiteOptions = DEFAULT_SUITE): Promise<SuiteReport> {
  const log = opts.log ?? (() => {});
  const fleet = await startEnrolledFleet({ maxPendingConnections: opts.maxPendingConnections, connectTimeoutMs: opts.connectTimeoutMs, log });
  try {
    // As long as the flood will last, so the two rates compare like with like (a warm process).
    const floodMs = opts.connectTimeoutMs + 3000;
    const beforeUntil = performance.now() + floodMs;
    const before = await legitimate(fleet, opts.inferences, () => performance.now() < beforeUntil);
    log(`legitimate, before: ${before.completed}/${before.requested} in ${before.seconds.toFixed(1)} s (${before.perSecond.toFixed(1)}/s)`);
    const attacks: AttackOutcome[] = [];
    for (const attack of ATTACKS) {
      const outcome = await runAttack(fleet, attack);
      attacks.push(outcome);
      log(`${outcome.refused ? 'refused' : 'NOT REFUSED AS EXPECTED'}: ${attack.name} → ${JSON.stringify(outcome.observed)}${outcome.error ? ` (${outcome.error})` : ''}`);
    }

    const gatewayBefore = snapshot(fleet.gw.rejections);
    let flooding = true;
    const [duringFlood, flood] = await Promise.all([
      legitimate(fleet, opts.inferences, () => flooding),
      floodFromAnotherProcess({
        port: fleet.gw.port, idleSockets: opts.idleSockets, wave: opts.floodWave, minConnects: opts.floodConnects,
        minMs: floodMs, enrolledId: 'spy',
      }).finally(() => { flooding = false; }),
    ]);
    const floodTotal = flood.idleSockets + flood.connects;
    const floodCounted = () => FLOOD_KINDS.reduce((sum, k) => sum + (delta(fleet.gw.rejections, gatewayBefore)[k] ?? 0), 0);
    const countedAll = await waitFor(() => floodCounted() === floodTotal, opts.connectTimeoutMs + 10_000);
    const counted = delta(fleet.gw.rejections, gatewayBefore);
    log(`flood: ${flood.connects} CONNECTs + ${flood.idleSockets} idle sockets in ${(flood.ms / 1000).toFixed(1)} s; counted ${JSON.stringify(counted)}`);
    log(`legitimate, during the flood: ${duringFlood.completed}/${duringFlood.requested} in ${duringFlood.seconds.toFixed(1)} s (${duringFlood.perSecond.toFixed(1)}/s)`);
    return {
      attacks,
      flood: { ...flood, counted, countedAll },
      legitimate: { before, duringFlood },
      rejections: { gateway: fleet.gw.rejections.toJSON(), w1: fleet.workers[0]!.rejections.toJSON() },
    };
  } finally {
    await fleet.close();
  }
}
