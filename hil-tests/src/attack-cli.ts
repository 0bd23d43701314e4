// Entry point of `npm run attack`: the attack suite against a fresh enrolled-only fleet on this
// machine, its report on stdout, and the figures as pictures. Options:
//   --out DIR         where the report and SVGs go (default attack-report/)
//   --json            the full report as JSON on stdout instead of the table
//   --connects N      CONNECTs in the flood, at least (default 1000); --idle N idle sockets (300)
//   --inferences N    legitimate inferences before and during the flood, at least (default 60)
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFlags, numberFlag, stringFlag, type Flags } from '@layerfleet/cli';
import { barChart } from '@layerfleet/report';
import { runAttackSuite, formatAttackReport, DEFAULT_SUITE, type SuiteReport } from './attack/index.js';

function count(flags: Flags, name: string, fallback: number): number {
  const n = numberFlag(flags, name, fallback);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number, got ${n}`);
  return n;
}

function pictures(r: SuiteReport): Record<string, string> {
  const kinds = Object.entries(r.rejections.gateway).sort((a, b) => b[1] - a[1]);
  const { before, duringFlood } = r.legitimate;
  return {
    'attack-rejections.svg': barChart({
      title: 'Rejections by kind at the gateway (attack suite, log scale)', yLabel: 'rejections', logY: true,
      groups: kinds.map(([k]) => k), series: [{ name: 'gateway', values: kinds.map(([, n]) => n) }], width: 900,
    }),
    'attack-legitimate.svg': barChart({
      title: 'Legitimate inferences before and during the connection flood', yLabel: 'inferences/s · ms',
      groups: ['inferences/s', 'p50 ms', 'p95 ms'],
      series: [
        { name: 'before the flood', values: [before.perSecond, before.p50Ms, before.p95Ms] },
        { name: 'during the flood', values: [duringFlood.perSecond, duringFlood.p50Ms, duringFlood.p95Ms] },
      ],
    }),
  };
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { out: 'string', json: 'boolean', connects: 'string', idle: 'string', inferences: 'string' });
  const out = stringFlag(flags, 'out') ?? 'attack-report';
  const json = flags.json === true;
  const report = await runAttackSuite({
    ...DEFAULT_SUITE,
    inferences: count(flags, 'inferences', DEFAULT_SUITE.inferences),
    floodConnects: count(flags, 'connects', DEFAULT_SUITE.floodConnects),
    idleSockets: count(flags, 'idle', DEFAULT_SUITE.idleSockets),
    log: json ? () => {} : (line) => console.error(`attack: ${line}`),
  });
  const text = formatAttackReport(report);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'attack-report.txt'), `${text}\n`);
  await writeFile(join(out, 'attack-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const [name, svg] of Object.entries(pictures(report))) await writeFile(join(out, name), svg);
  console.log(json ? JSON.stringify(report) : `${text}\n\nreport and pictures in ${out}/`);
  const refused = report.attacks.every((a) => a.refused) && report.flood.accepted === 0 && report.flood.countedAll;
  return refused && report.legitimate.duringFlood.completed === report.legitimate.duringFlood.requested ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
  console.error(`attack: ${err.message}`);
  process.exit(2);
});
