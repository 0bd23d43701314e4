/**
 * The suites that run the whole fleet (gateway, agents, a source) with the rig's boards attached
 * to a board-host agent: a plain split inference, the same with a noisy line and a reset pressed
 * mid-run, and with a board unplugged mid-run. No request may be lost in any of them.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFleet, type FleetBoard, type FleetEvent, type FleetSummary } from '@layerfleet/fleet';
import type { CaseResult } from '../junit.js';
import type { Rig, SuiteName } from '../rig.js';

export interface FleetSuiteContext {
  rig: Rig;
  /** The rig's boards as the fleet takes them (real ones resolved to ports). */
  boards: FleetBoard[];
  log: (line: string) => void;
  verbose: boolean;
}

const onBoards = (s: FleetSummary, hostId: string) => s.devices_used.filter((d) => d.startsWith(`${hostId}.`));

export async function fleetSuite(name: Exclude<SuiteName, 'bit-exact'>, ctx: FleetSuiteContext): Promise<CaseResult> {
  const { rig } = ctx;
  const n = rig.fleet.inferences;
  const emulated = ctx.boards.findIndex((b) => 'emulate' in b);
  const title = {
    'split-inference': `${n} split inferences with layers placed on boards, none lost`,
    'line-noise': `${n} inferences over lines flipping and dropping bytes (p=${rig.fleet.lineNoise}) with a board reset mid-run, none lost`,
    unplug: `${n} inferences with a board unplugged mid-run and re-planned around, none lost`,
  }[name];
  const suite = name;
  if (name !== 'split-inference' && emulated < 0) {
    return { suite, name: title, seconds: 0, skipped: 'needs an emulated board to reset or unplug on command (a real board would need a USB power switch)' };
  }
  const events: FleetEvent[] = name === 'line-noise' ? [{ after: Math.floor(n / 3), action: { reset: emulated } }]
    : name === 'unplug' ? [{ after: Math.floor(n / 3), action: { unplug: emulated } }] : [];
  const started = performance.now();
  try {
    const summary = await runFleet({
      inferences: n, rate: rig.fleet.rate, strategy: 'segment-dp', privacy: 'none', concurrency: 4, verbose: ctx.verbose,
      stateDir: await mkdtemp(join(tmpdir(), `lf-hil-${name}-`)), boards: ctx.boards, events, boardHost: rig.boardHost,
      ...(name === 'line-noise' ? { lineNoise: rig.fleet.lineNoise } : {}),
      say: ctx.log,
    });
    const seconds = (performance.now() - started) / 1000;
    const used = onBoards(summary, rig.boardHost.id);
    const output = `completed ${summary.completed}/${n}, accuracy ${(summary.accuracy * 100).toFixed(1)} %, p50 ${summary.p50_ms} ms, `
      + `boards used: ${used.join(', ') || 'none'}; re-planned ${summary.replanned}; ${summary.events.join('; ')}\n`
      + `placements: ${Object.entries(summary.placements).map(([p, k]) => `${p} ×${k}`).join('; ')}`;
    const problems: string[] = [];
    if (summary.completed !== n) problems.push(`${n - summary.completed} of ${n} requests lost (${summary.failure_reasons.slice(0, 3).join(' | ')})`);
    if (used.length === 0) problems.push('no layer was placed on a board');
    if (summary.accuracy < 0.9) problems.push(`accuracy ${(summary.accuracy * 100).toFixed(1)} % is below the int8 model's (≈98 %)`);
    if (events.length > 0 && summary.events.length !== events.length) problems.push('the scheduled event never happened');
    const figures = { p50Ms: summary.p50_ms, p95Ms: summary.p95_ms, completed: summary.completed, replanned: summary.replanned };
    return { suite, name: title, seconds, output, figures, ...(problems.length > 0 ? { failure: problems.join('; ') } : {}) };
  } catch (err) {
    return { suite, name: title, seconds: (performance.now() - started) / 1000, failure: (err as Error).stack ?? String(err) };
  }
}
