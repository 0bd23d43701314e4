/** What `bench e2e` reports about one pipeline run, however it was run. */
import { percentile } from '@layerfleet/fleet';

export interface PipelineFigures {
  p50_ms: number;
  p95_ms: number;
  per_s: number;
  /** CPU ms per inference of each process (its name → ms), over the measured window */
  cpu_ms: Record<string, number>;
  /** requests measured (after the warm-up) and how many of them failed */
  measured: number;
  failed: number;
  /** the placements the requests took, layer by layer, and how often */
  placements: Record<string, number>;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function figures(latenciesMs: number[], seconds: number, cpuMs: Record<string, number>, failed: number, placements: Record<string, number>): PipelineFigures {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    p50_ms: round(percentile(sorted, 50), 3),
    p95_ms: round(percentile(sorted, 95), 3),
    per_s: round(sorted.length / Math.max(seconds, 1e-9), 1),
    cpu_ms: cpuMs,
    measured: sorted.length + failed,
    failed,
    placements,
  };
}

/** The sum of every process's CPU ms per inference. */
export const totalCpu = (f: PipelineFigures): number => round(Object.values(f.cpu_ms).reduce((a, b) => a + b, 0), 3);
