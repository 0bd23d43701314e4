/**
 * `npm run hil -- [--rig FILE] [--report DIR] [--suites a,b] [--verbose]`: brings up the rig's
 * boards (emulated ones started here, real ones found by USB serial number or port), runs the
 * suites and writes DIR/junit.xml (default hil-report/) plus a short summary. Without --rig it
 * runs the emulated rig (rigs/emulated.json). Exit 0 only when no case failed.
 *
 * An emulated board this machine lacks the programs for (QEMU, the ARM toolchain) is left out of
 * the run and reported as a skipped case naming them; under CI (CI=true), which installs them,
 * as a failed one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMissingPrograms, missingEmulatorPrograms, startEmulatedBoard, type EmulatedBoard, type EmulatedTarget } from '@layerfleet/firmware-bindings';
import type { FleetBoard } from '@layerfleet/fleet';
import { barChart } from '@layerfleet/report';
import { findPortByUsbSerial } from '@layerfleet/firmware-bindings';
import { summaryLines, toJUnitXml, type CaseResult } from './junit.js';
import { loadRig, SUITE_NAMES, type RigBoard, type SuiteName } from './rig.js';
import { bitExactSuite } from './suites/bit-exact.js';
import { fleetSuite } from './suites/fleet-suites.js';

/** The rig `npm run hil` runs when given none: the host board and the Cortex-M7 one under QEMU. */
export const EMULATED_RIG = resolve(dirname(fileURLToPath(import.meta.url)), '../../rigs/emulated.json');

export interface HilRun { cases: CaseResult[]; junitPath: string; summary: string[] }

export interface RigOptions {
  report?: string;
  suites?: SuiteName[];
  verbose?: boolean;
  log?: (line: string) => void;
  /** An emulated board that cannot run here fails the run instead of being skipped; default: under CI (CI=true). */
  requireEveryBoard?: boolean;
}

export async function runRig(rigPath: string, options: RigOptions = {}): Promise<HilRun> {
  const rig = loadRig(rigPath);
  const log = options.log ?? ((line: string) => console.error(line));
  const suites = options.suites ?? rig.suites;
  const requireEveryBoard = options.requireEveryBoard ?? process.env['CI'] === 'true';
  const cases: CaseResult[] = [];
  const boards: FleetBoard[] = [];
  for (const b of rig.boards) {
    const port = realPort(b);
    if (port === null) {
      const target = (b as { emulate: EmulatedTarget }).emulate;
      const missing = await missingEmulatorPrograms(target);
      if (missing.length === 0) boards.push({ emulate: target, name: b.name });
      else cases.push(unavailableBoard(b.name, target, describeMissingPrograms(missing), requireEveryBoard));
    } else if (port === undefined) cases.push({ suite: 'rig', name: `find ${b.name}`, seconds: 0, failure: `no serial port with USB serial number ${(b as { usbSerial: string }).usbSerial} (is it plugged in?)` });
    else boards.push({ port, name: b.name });
  }
  if (suites.includes('bit-exact')) {
    for (const b of boards) {
      let emulator: EmulatedBoard | undefined;
      try {
        if ('emulate' in b) emulator = await startEmulatedBoard(b.emulate, { id: b.name! });
        const port = emulator?.port ?? (b as { port: string }).port;
        log(`bit-exact: ${b.name} on ${port}`);
        cases.push(...(await bitExactSuite(b.name!, port, log)));
      } catch (err) {
        cases.push({ suite: `bit-exact ${b.name}`, name: 'start', seconds: 0, failure: (err as Error).message });
      } finally {
        await emulator?.stop();
      }
    }
  }
  for (const name of suites) {
    if (name === 'bit-exact') continue;
    log(`${name}: running the fleet…`);
    cases.push(await fleetSuite(name, { rig, boards, log, verbose: options.verbose === true }));
  }
  const dir = resolve(options.report ?? 'hil-report');
  mkdirSync(dir, { recursive: true });
  const junitPath = join(dir, 'junit.xml');
  writeFileSync(junitPath, toJUnitXml(rig.name, cases));
  const summary = summaryLines(rig.name, cases);
  writeFileSync(join(dir, 'summary.txt'), `${summary.join('\n')}\n`);
  writeCharts(dir, rig.name, cases);
  return { cases, junitPath, summary };
}

/** The pictures: each board's time per LeNet layer, and each fleet suite's latency. */
function writeCharts(dir: string, rig: string, cases: CaseResult[]): void {
  const perLayer = cases.filter((c) => c.figures?.['boardMs'] !== undefined);
  const boards = [...new Set(perLayer.map((c) => c.suite.replace(/^bit-exact /, '')))];
  if (boards.length > 0) {
    const layers = [...new Set(perLayer.map((c) => c.name.split(':')[0]!))];
    writeFileSync(join(dir, 'board-layers.svg'), barChart({
      title: `${rig}: one LeNet layer on each board (its own cycle counter)`, yLabel: 'ms per run', logY: true, groups: layers,
      series: boards.map((b) => ({ name: b, values: layers.map((l) => perLayer.find((c) => c.suite === `bit-exact ${b}` && c.name.startsWith(`${l}:`))?.figures?.['boardMs']) })),
    }));
  }
  const fleet = cases.filter((c) => c.figures?.['p50Ms'] !== undefined);
  if (fleet.length > 0) {
    writeFileSync(join(dir, 'fleet-latency.svg'), barChart({
      title: `${rig}: request to result at the source`, yLabel: 'ms', groups: fleet.map((c) => c.suite),
      series: [{ name: 'p50', values: fleet.map((c) => c.figures!['p50Ms']) }, { name: 'p95', values: fleet.map((c) => c.figures!['p95Ms']) }],
    }));
  }
}

/** The case of an emulated board left out of the run, checked before anything starts so no suite waits on it. */
function unavailableBoard(name: string, target: EmulatedTarget, why: string, required: boolean): CaseResult {
  const reason = `${name} (${target} board): ${why}`;
  return { suite: 'rig', name: `emulate ${name}`, seconds: 0, ...(required ? { failure: `${reason}; under CI (CI=true) every board of the rig must run` } : { skipped: reason }) };
}

/** null for an emulated board; the port path of a real one (undefined when it cannot be found). */
function realPort(b: RigBoard): string | null | undefined {
  if ('emulate' in b) return null;
  if ('port' in b) return b.port;
  return findPortByUsbSerial(b.usbSerial);
}

export async function main(argv: string[]): Promise<number> {
  let rigPath: string | undefined;
  let report: string | undefined;
  let suites: SuiteName[] | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--rig') rigPath = argv[++i];
    else if (arg === '--report') report = argv[++i];
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--suites') {
      suites = (argv[++i] ?? '').split(',') as SuiteName[];
      for (const s of suites) if (!SUITE_NAMES.includes(s)) throw new Error(`--suites: unknown suite ${JSON.stringify(s)} (known: ${SUITE_NAMES.join(', ')})`);
    } else throw new Error(`hil: unknown argument ${JSON.stringify(arg)} (usage: [--rig FILE] [--report DIR] [--suites a,b] [--verbose])`);
  }
  if (!rigPath) {
    rigPath = EMULATED_RIG;
    console.error(`hil: no --rig given; running the emulated rig ${rigPath}`);
  }
  const run = await runRig(rigPath, { ...(report ? { report } : {}), ...(suites ? { suites } : {}), verbose });
  console.log(run.summary.join('\n'));
  console.log(`JUnit XML: ${run.junitPath}`);
  return run.cases.some((c) => c.failure !== undefined) ? 1 : 0;
}
