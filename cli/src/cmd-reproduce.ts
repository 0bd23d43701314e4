/**
 * `layerfleet reproduce` (`npm run reproduce`): runs the rl-pdnn experiments and writes
 * docs/reproduction.md with SVG charts. `--quick` runs small samples (for CI); the full run
 * takes the paper's 15000 requests per cell.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFlags, numberFlag, stringFlag } from './args.js';
import { runCellsParallel, runFrames, runTiming, writeReport, type ReproOptions } from '@layerfleet/simulator/reproduce';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, { quick: 'boolean', out: 'string', requests: 'string' });
  const quick = flags.quick === true;
  const opts: ReproOptions = {
    quick,
    requests: numberFlag(flags, 'requests', quick ? 300 : 15000),
    frames: quick ? 8 : 60,
    deviceCounts: quick ? [51, 200] : [51, 200, 1000],
    timingRequests: quick ? 60 : 500,
    rlEpisodes: quick ? 1200 : 15000,
  };
  const dir = resolve(stringFlag(flags, 'out') ?? 'docs');
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const { cells, curves } = await runCellsParallel(opts);
  const frames = runFrames(opts);
  const timing = runTiming(opts);
  const seconds = (performance.now() - started) / 1000;
  const written = writeReport({ opts, cells, curves, frames, timing, seconds, command: `layerfleet reproduce${quick ? ' --quick' : ''}` }, dir);
  console.log(`reproduction written in ${seconds.toFixed(0)} s:\n${written}`);
}
