// Entry point of `npm run fuzz -- --runs N [--seed S] [--only TEXT]`: every hostile-input
// property (the *.properties.ts files of every workspace, see discover-fuzz-targets.ts) with N
// cases each from one seed, and the firmware's C frame fuzzer with N frames from the same seed;
// a table of decoder, property, cases, failures and time on stdout, progress on stderr, and
// fast-check's shrunk report (seed and path, for a regression case) of every property that failed.
//
// It lives in test-support, next to the FuzzTarget shape it runs, because test-support depends on
// no package: the properties are found at run time, so nothing here has to list them.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { discoverFuzzTargets, type FoundTarget } from './discover-fuzz-targets.js';
import { FRAME_FUZZER, runFrameFuzzer } from './frame-fuzzer.js';
import { fuzzProgress } from './fuzz-progress.js';
import { fuzzRun, type FuzzRunResult } from './fuzz-run.js';
import { formatDuration, formatFuzzTable, type FuzzRow } from './fuzz-table.js';
import type { FuzzFixture } from './fuzz-target.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const USAGE = 'usage: npm run fuzz -- --runs N [--seed S] [--only TEXT]';

/** A whole number in [min, max] from a flag's text. */
function wholeNumber(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new Error(`--${name}: expected a whole number from ${min} to ${max}, got ${text}\n${USAGE}`);
  return n;
}

interface Report { readonly row: FuzzRow; readonly report?: string | undefined }

const reportOf = (decoder: string, property: string, { cases, failures, ms, report }: FuzzRunResult): Report =>
  ({ row: { decoder, property, cases, failures, ms }, report });

/** Runs each found target, starting a fixture at its first target of a file and stopping it after the file's last. */
async function runTargets(found: FoundTarget[], runs: number, seed: number, position: (i: number) => string): Promise<Report[]> {
  const progress = fuzzProgress();
  const reports: Report[] = [];
  const files = [...new Set(found.map((f) => f.file))];
  let i = 0;
  for (const targets of files.map((file) => found.filter((f) => f.file === file))) {
    const fixtures = new Map<FuzzFixture<unknown>, unknown>();
    try {
      for (const { target } of targets) {
        progress.start(`${position(i++)} ${target.decoder}: ${target.claim}`, runs);
        let result: FuzzRunResult;
        try {
          const { fixture } = target;
          if (fixture && !fixtures.has(fixture)) fixtures.set(fixture, await fixture.start());
          const running = fixture ? fixtures.get(fixture) : undefined;
          result = await fuzzRun(target, running, { numRuns: runs, seed, onCase: (n) => progress.cases(n) });
        } catch (err) {
          // A target that cannot even run (its fixture did not start) is a failure of that row, not of the run.
          result = { cases: 0, failures: 1, ms: 0, report: `could not run: ${(err as Error)?.stack ?? String(err)}` };
        }
        progress.finish(`${result.failures} failures in ${result.cases.toLocaleString('en-US')} cases, ${formatDuration(result.ms)}`);
        reports.push(reportOf(target.decoder, target.claim, result));
      }
    } finally {
      for (const [fixture, running] of fixtures) await fixture.stop(running);
    }
  }
  return reports;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' } }, strict: true });
  if (values.runs === undefined) throw new Error(USAGE);
  const runs = wholeNumber('runs', values.runs, 1, Number.MAX_SAFE_INTEGER);
  // One seed for every target and for the C fuzzer; a non-negative int32 reads the same in both.
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : wholeNumber('seed', values.seed, 0, 2 ** 31 - 1);
  const only = values.only?.toLowerCase();
  const matches = (...texts: string[]) => only === undefined || texts.some((t) => t.toLowerCase().includes(only));

  const found = (await discoverFuzzTargets(ROOT)).filter((f) => matches(f.file, f.exportName, f.target.decoder, f.target.claim));
  const withFrames = matches(FRAME_FUZZER.decoder, FRAME_FUZZER.claim, 'fuzz-frames', 'firmware');
  const count = found.length + (withFrames ? 1 : 0);
  const position = (i: number) => `[${i + 1}/${count}]`;
  console.error(`fuzz: ${count} properties, ${runs.toLocaleString('en-US')} cases each, seed ${seed}`);

  const reports = await runTargets(found, runs, seed, position);
  if (withFrames) {
    const progress = fuzzProgress();
    progress.start(`${position(found.length)} ${FRAME_FUZZER.decoder}: ${FRAME_FUZZER.claim}`, runs);
    const result = await runFrameFuzzer(ROOT, runs, seed, (n) => progress.cases(n));
    progress.finish(`${result.failures} failures in ${result.cases.toLocaleString('en-US')} frames, ${formatDuration(result.ms)}`);
    reports.push(reportOf(FRAME_FUZZER.decoder, FRAME_FUZZER.claim, result));
  }

  console.log(formatFuzzTable(reports.map((r) => r.row)));
  console.log(`\nseed ${seed}: npm run fuzz -- --runs ${runs} --seed ${seed}${values.only === undefined ? '' : ` --only '${values.only}'`} repeats this run`);
  const failed = reports.filter((r) => r.row.failures > 0);
  for (const { row, report } of failed) console.log(`\n## ${row.decoder}: ${row.property} (${row.failures} of ${row.cases} cases failed)\n${report ?? ''}`);
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
  console.error(`fuzz: ${err.message}`);
  process.exit(2);
});
