// The fuzz runner's result table: one row per property (and the C frame fuzzer), as a Markdown
// table padded to line up in a terminal too.

export interface FuzzRow {
  readonly decoder: string;
  readonly property: string;
  readonly cases: number;
  readonly failures: number;
  readonly ms: number;
}

/** "850 ms", "12.3 s", "4 min 05 s" */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export function formatFuzzTable(rows: readonly FuzzRow[]): string {
  const header = ['decoder', 'property', 'cases', 'failures', 'time'];
  const cells = rows.map((r) => [r.decoder, r.property, r.cases.toLocaleString('en-US'), String(r.failures), formatDuration(r.ms)]);
  const total = rows.reduce((sum, r) => ({ cases: sum.cases + r.cases, failures: sum.failures + r.failures, ms: sum.ms + r.ms }), { cases: 0, failures: 0, ms: 0 });
  cells.push([`all (${rows.length})`, '', total.cases.toLocaleString('en-US'), String(total.failures), formatDuration(total.ms)]);
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = [false, false, true, true, true];
  const line = (c: string[]) => `| ${c.map((x, i) => (numeric[i] ? x.padStart(width[i]!) : x.padEnd(width[i]!))).join(' | ')} |`;
  const rule = `|${width.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...cells.slice(0, -1).map(line), line(cells.at(-1)!)].join('\n');
}
