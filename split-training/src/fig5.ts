/**
 * The paper's Fig. 5, measured: for 1, 2 and 4 edges, each sending one sample per step as in the
 * paper, the values that cross the cut per step (activations up, gradients down) counted in the
 * decrypted envelopes of a short real run, with the envelope bytes; beside them the paper's own
 * numbers for the split and for sharing connection parameters, and what our fronts' weighted
 * sum (averaging) moves per round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type SplitConfig } from './config.js';
import { runSplitTraining } from './run.js';
import { census, openCapture } from './wire-census.js';

/** Fig. 5 as the paper prints it. */
export const PAPER_FIG5: Record<number, { split: number; connectionParameters: number }> = {
  1: { split: 1176, connectionParameters: 14146 },
  2: { split: 2352, connectionParameters: 56584 },
  4: { split: 4704, connectionParameters: 226326 },
};

export interface Fig5Row {
  edges: number;
  steps: number;
  valuesUpPerStep: number;
  valuesDownPerStep: number;
  bytesUpPerStep: number;
  bytesDownPerStep: number;
  /** Front parameters (each way) per averaging round, all edges. */
  frontValuesPerRound: number;
  paperSplit: number | null;
  paperConnectionParameters: number | null;
}

export async function measureFig5(command: string[], edgeCounts = [1, 2, 4], log: (line: string) => void = () => {}): Promise<Fig5Row[]> {
  const rows: Fig5Row[] = [];
  for (const E of edgeCounts) {
    const dir = mkdtempSync(join(tmpdir(), 'lf-fig5-'));
    try {
      // one sample per edge per step, as in the paper; a few steps; fronts averaged every 4 steps
      const config: SplitConfig = { ...defaultConfig(E), epochs: 1, batch: E, samplesPerEdge: 8, frontSync: 4, evalEvery: 1000, evalSamples: 20, maxShift: 0 };
      const capture = join(dir, 'run.cborseq');
      const result = await runSplitTraining({ config, command, stateDir: join(dir, 'state'), capture, central: false, timeoutMs: 300_000, log });
      if (!result.trainer) throw new Error(`fig5 with ${E} edges: no report from the trainer (${result.deaths.join('; ')})`);
      const c = census(await openCapture(capture, result.stateDir));
      const steps = result.trainer.steps;
      const rounds = c.avg ? c.avg.envelopes / E : 1;
      rows.push({
        edges: E, steps,
        valuesUpPerStep: (c.acts?.values ?? 0) / steps,
        valuesDownPerStep: (c.grad?.values ?? 0) / steps,
        bytesUpPerStep: Math.round(((c.acts?.bytes ?? 0)) / steps),
        bytesDownPerStep: Math.round(((c.grad?.bytes ?? 0)) / steps),
        frontValuesPerRound: Math.round((c.front?.values ?? 0) / Math.max(1, rounds)),
        paperSplit: PAPER_FIG5[E]?.split ?? null,
        paperConnectionParameters: PAPER_FIG5[E]?.connectionParameters ?? null,
      });
      log(`fig5: ${E} edge(s) measured over ${steps} steps`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

export function fig5Markdown(rows: Fig5Row[]): string {
  const lines = [
    '| edges | activations up per step (values, measured) | gradients down per step (values, measured) | envelope bytes up / down per step | paper: split | paper: sharing connection parameters | our fronts\' weighted sum, values up per round |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.edges} | ${r.valuesUpPerStep} | ${r.valuesDownPerStep} | ${r.bytesUpPerStep} / ${r.bytesDownPerStep} | ${r.paperSplit ?? '–'} | ${r.paperConnectionParameters ?? '–'} | ${r.frontValuesPerRound} |`);
  }
  return `${lines.join('\n')}\n`;
}
