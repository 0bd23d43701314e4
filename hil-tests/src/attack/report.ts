/** The attack suite's report as text: one row per attack, the flood, and rejections by kind. */
import type { SuiteReport } from './suite.js';

const kinds = (counts: Record<string, number>) => Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ') || '—';

export function formatAttackReport(r: SuiteReport): string {
  const lines: string[] = [];
  const width = Math.max(...r.attacks.map((a) => a.name.length));
  lines.push('attack'.padEnd(width) + '  verdict   counted (gateway | attacked device w1)');
  for (const a of r.attacks) {
    const where = [kinds(a.observed.gateway), ...(Object.keys(a.observed.w1).length ? [`w1: ${kinds(a.observed.w1)}`] : [])].join(' | ');
    lines.push(`${a.name.padEnd(width)}  ${a.refused ? 'refused ' : 'FAILED  '}  ${where}${a.error ? `  (${a.error})` : ''}`);
  }
  const f = r.flood;
  lines.push('');
  lines.push(`connection flood: ${f.connects} CONNECTs with false credentials (${f.refusedByConnack} refused by CONNACK, ${f.closedWithoutAnswer} closed on arrival, ${f.accepted} accepted) + ${f.idleSockets} idle sockets, over ${(f.ms / 1000).toFixed(1)} s`);
  lines.push(`  counted by the gateway: ${kinds(f.counted)} (${f.countedAll ? 'every connection' : 'NOT every connection'})`);
  const { before, duringFlood } = r.legitimate;
  const row = (label: string, l: typeof before) =>
    `  ${label}: ${l.completed}/${l.requested} inferences completed (${l.correct} correct), ${l.perSecond.toFixed(1)}/s, p50 ${l.p50Ms.toFixed(0)} ms, p95 ${l.p95Ms.toFixed(0)} ms`;
  lines.push('legitimate service:');
  lines.push(row('before the flood', before));
  lines.push(row('during the flood', duringFlood));
  lines.push(`  throughput during the flood / before: ${(duringFlood.perSecond / before.perSecond).toFixed(2)}×`);
  lines.push('');
  lines.push(`rejections by kind, gateway: ${kinds(r.rejections.gateway)}`);
  lines.push(`rejections by kind, w1: ${kinds(r.rejections.w1)}`);
  return lines.join('\n');
}
