/** The demo's figures from the gateway's per-inference telemetry. */
export interface InferenceTelemetry {
  requestId: string;
  outcome: 'completed' | 'failed';
  attempts: number;
  placement: string[];
  predicted?: number;
  label?: number;
  correct?: boolean;
  totalMs?: number;
  reason?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(outcomes: InferenceTelemetry[], inferences: number, dataPlaneBytes: number, wallSeconds: number, rejections: unknown, strategy: string) {
  const completed = outcomes.filter((o) => o.outcome === 'completed');
  const failed = outcomes.filter((o) => o.outcome === 'failed');
  const correct = completed.filter((o) => o.predicted === o.label).length;
  const latencies = completed.map((o) => o.totalMs ?? NaN).filter(Number.isFinite).sort((a, b) => a - b);
  const placements: Record<string, number> = {};
  const devices = new Set<string>();
  for (const o of completed) {
    const key = o.placement.join('→');
    placements[key] = (placements[key] ?? 0) + 1;
    for (const d of o.placement) devices.add(d);
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    strategy,
    inferences,
    completed: completed.length,
    failed: failed.length,
    accuracy: completed.length ? round((correct / completed.length) * 1e4) / 1e4 : 0,
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    devices_used: [...devices].sort(),
    bytes_per_inference: Math.round(dataPlaneBytes / Math.max(1, inferences)),
    throughput_per_s: round(outcomes.length / wallSeconds),
    replanned: outcomes.filter((o) => o.attempts > 1).length,
    placements,
    failure_reasons: failed.map((o) => o.reason ?? 'unknown'),
    rejections: rejections ?? {},
  };
}
