/**
 * `layerfleet reproduce` (`npm run reproduce`): runs the rl-pdnn experiments and writes
 * docs/reproduction.md with SVG charts. `--quick` runs small samples (for CI); the full run
 * takes the paper's 15000 requests per cell.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandFlags, numberFlag, requiredString, type CommandSpec } from './args.js';
import { runCellsParallel, runFrames, runTiming, writeReport, type ReproOptions } from '@layerfleet/simulator/reproduce';

export const spec: CommandSpec = {
  name: 'reproduce',
  summary: "run the rl-pdnn experiments; write reproduction.md and SVG charts",
  flags: {
    quick: { type: 'boolean', description: 'small samples (for CI): minutes instead of hours' },
    requests: { type: 'number', unit: 'requests per cell', defaultNote: "15k, or 300 with --quick (the paper's 15000)", description: 'simulated requests in each experiment cell' },
    out: { type: 'string', value: 'DIR', default: 'docs', description: 'where reproduction.md and the charts go (created if missing)' },
  },
};

export async function run(argv: string[]): Promise<void> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return;
  const quick = flags.quick === true;
  const opts: ReproOptions = {
    quick,
    requests: numberFlag(flags, 'requests') ?? (quick ? 300 : 15000),
    frames: quick ? 8 : 60,
    deviceCounts: quick ? [51, 200] : [51, 200, 1000],
    timingRequests: quick ? 60 : 500,
    rlEpisodes: quick ? 1200 : 15000,
  };
  const dir = resolve(requiredString(flags, 'out'));
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const { cells, curves } = await runCellsParallel(opts);
  const frames = runFrames(opts);
  const timing = runTiming(opts);
  const seconds = (performance.now() - started) / 1000;
  const written = writeReport({ opts, cells, curves, frames, timing, seconds, command: `layerfleet reproduce${quick ? ' --quick' : ''}` }, dir);
  console.log(`reproduction written in ${seconds.toFixed(0)} s:\n${written}`);
}
