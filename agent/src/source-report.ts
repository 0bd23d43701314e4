/**
 * What a source run comes to: counts, failure reasons grouped and counted, latency percentiles
 * and the rate the `infer`s actually went out at — the source's summary line and its `--json`.
 */
import type { SourceResult, SourceStats } from './source.js';

export interface SourceSummary {
  sent: number;
  completed: number;
  failed: number;
  correct: number;
  /** reason → how many requests failed with it, most frequent first */
  failure_reasons: Record<string, number>;
  p50_ms: number | null;
  p95_ms: number | null;
  /** `infer`s per second between the first and the last one sent */
  send_rate_per_s: number | null;
  declared_rate_per_s: number | null;
}

export function summarizeSource(results: SourceResult[], stats: SourceStats, declaredRate?: number): SourceSummary {
  const failed = results.filter((r) => r.error !== undefined);
  const completed = results.filter((r) => r.error === undefined);
  const counts = new Map<string, number>();
  for (const r of failed) counts.set(r.error!, (counts.get(r.error!) ?? 0) + 1);
  const ms = completed.map((r) => r.ms).sort((a, b) => a - b);
  const pct = (p: number) => ms.length === 0 ? null : Math.round(ms[Math.min(ms.length - 1, Math.max(0, Math.ceil((p / 100) * ms.length) - 1))]! * 100) / 100;
  const span = stats.firstSentAt !== undefined && stats.lastSentAt !== undefined ? (stats.lastSentAt - stats.firstSentAt) / 1000 : 0;
  return {
    sent: stats.sent,
    completed: completed.length,
    failed: failed.length,
    correct: completed.filter((r) => r.predicted === r.label).length,
    failure_reasons: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
    p50_ms: pct(50),
    p95_ms: pct(95),
    send_rate_per_s: stats.sent > 1 && span > 0 ? Math.round(((stats.sent - 1) / span) * 100) / 100 : null,
    declared_rate_per_s: declaredRate ?? null,
  };
}

/** One progress line: sent, answered, failed, in flight. */
export function progressLine(id: string, s: SourceStats, total: number): string {
  return `[${id}] sent ${s.sent}/${total}, answered ${s.answered}, failed ${s.failed}, in flight ${s.inFlight}`;
}
