/**
 * `plan --explain` as text: per layer, what each constraint rules out and each device's slack;
 * then, for the placement found, each device's slack over all its layers. Figures use SI prefixes;
 * a negative slack is what the device lacks.
 */
import { fmt, type Instance, type LayerExplanation, type PlacementSlack, type Slack } from '@layerfleet/planner';

const TITLES: Record<string, string> = { '4.a': '4.a memory', '4.b': '4.b compute', '4.c': '4.c link', eq6: 'privacy (eq. 6)', '4.e/4.f': '4.e/4.f source at both ends' };

const slackCells = (s: Slack) => [
  `${fmt(s.macsPerSecond)} MAC/s`, `${fmt(s.memoryBytes)} B`, s.linkBitsPerSecond === null ? '–' : `${fmt(s.linkBitsPerSecond)} b/s`, s.privacyLayers === null ? '–' : `${s.privacyLayers} layers`,
];

function table(rows: string[][], indent: string): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function explainText(inst: Instance, layers: LayerExplanation[], placed: PlacementSlack[] | null): string {
  const out: string[] = [`${inst.model.name} from ${inst.source} at ${fmt(inst.requestRate)} requests/s, privacy maxExposedFraction ${inst.privacy.maxExposedFraction}, minHidden ${inst.privacy.minHidden}; ${inst.devices.length} devices`];
  for (const l of layers) {
    out.push('', `layer ${l.layer} ${l.name}: ${fmt(l.macs)} MACs, ${fmt(l.weightBytes)} B of weights, ${fmt(l.outputBytes)} B out${l.placedOn ? ` — placed on ${l.placedOn}` : ''}`);
    const ruled = Object.keys(TITLES).flatMap((code) => { const ids = l.ruledOut[code as keyof typeof l.ruledOut]; return ids && ids.length ? [[code, ids] as const] : []; });
    out.push(ruled.length ? `  ruled out: ${ruled.map(([code, ids]) => `${TITLES[code]}: ${ids.join(', ')}`).join('; ')}` : '  ruled out: none');
    out.push(table([['DEVICE', 'FITS', 'MAC/s SLACK', 'MEMORY SLACK', 'LINK SLACK', 'PRIVACY SLACK'], ...l.devices.map((d) => [d.id, d.fits ? 'yes' : 'no', ...slackCells(d.slack)])], '  '));
  }
  if (placed) {
    out.push('', 'the placement, per device over all its layers:');
    out.push(table([['DEVICE', 'LAYERS', 'MAC/s SLACK', 'MEMORY SLACK', 'LINK SLACK', 'PRIVACY SLACK'], ...placed.map((p) => [p.id, p.layers.join(','), ...slackCells(p.slack)])], '  '));
  }
  return out.join('\n');
}
