// The emulated rig end to end (host board always, the Cortex-M7 image under QEMU: CI installs
// it), as `npm run hil` runs it; plus the rig file checks. Without QEMU or the ARM toolchain the
// rig runs without its QEMU board, reporting that as a skipped case (under CI: a failed one).
import test from 'ava';
import { describeMissingTools, missingTools } from '@layerfleet/test-support';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRig, runRig, toJUnitXml } from '../src/index.js';

const RIG = resolve(dirname(fileURLToPath(import.meta.url)), '../../rigs/emulated.json');
const qemuMissing = missingTools(['arm-none-eabi-gcc', 'qemu-system-arm']);

test('the emulated rig passes every suite on the host board, and on the QEMU board where it can run, and reports JUnit XML', async (t) => {
  t.timeout(600_000);
  const report = mkdtempSync(join(tmpdir(), 'lf-hil-report-'));
  const run = await runRig(RIG, { report, log: () => {} });
  const failures = run.cases.filter((c) => c.failure !== undefined);
  t.deepEqual(failures.map((c) => `${c.suite} / ${c.name}: ${c.failure}`), []);
  const skipped = run.cases.filter((c) => c.skipped !== undefined);
  t.deepEqual(skipped.map((c) => `${c.suite} / ${c.name}: ${c.skipped}`), qemuMissing.length === 0 ? [] : [`rig / emulate qemu-1: qemu-1 (qemu board): ${describeMissingTools(qemuMissing)}`]);
  const boardsRun = qemuMissing.length === 0 ? ['host-1', 'qemu-1'] : ['host-1'];
  for (const board of boardsRun) {
    const layers = run.cases.filter((c) => c.suite === `bit-exact ${board}` && /provisioned and bit-exact/.test(c.name));
    t.is(layers.length, 5, `${board}: one case per LeNet layer`);
  }
  for (const suite of ['split-inference', 'line-noise', 'unplug']) {
    const c = run.cases.find((x) => x.suite === suite);
    t.truthy(c, suite);
    t.regex(c!.output ?? '', /completed 60\/60/, suite);
  }
  t.regex(run.cases.find((x) => x.suite === 'line-noise')!.output ?? '', /pressed reset on board/);
  t.regex(run.cases.find((x) => x.suite === 'unplug')!.output ?? '', /unplugged board/);
  const xml = readFileSync(run.junitPath, 'utf8');
  t.regex(xml, new RegExp(`<testsuites name="emulated" tests="${run.cases.length}" failures="0" skipped="${skipped.length}"`));
  for (const c of skipped) t.true(xml.includes(`<skipped message="${c.skipped!}"/>`), xml); // nothing in it needs escaping
  t.is((xml.match(/<testcase /g) ?? []).length, run.cases.length);
  const svg = (name: string) => readFileSync(join(report, name), 'utf8');
  for (const name of ['board-layers.svg', 'fleet-latency.svg']) t.regex(svg(name), /^<svg[^>]*>[\s\S]*<\/svg>\s*$/, name);
  for (const board of boardsRun) t.true(svg('board-layers.svg').includes(board), `board-layers.svg names ${board}`);
  t.true(svg('fleet-latency.svg').includes('split-inference'), 'fleet-latency.svg names the suites');
  t.regex(readFileSync(join(report, 'summary.txt'), 'utf8'), new RegExp(`${run.cases.length - skipped.length} passed, 0 failed, ${skipped.length} skipped`));
});

test('a rig file with a mistake is refused naming the field', (t) => {
  t.throws(() => parseRig({ name: 'x', boards: [] }, 'r.json'), { message: /rig r.json: boards: expected a non-empty array/ });
  t.throws(() => parseRig({ name: 'x', boards: [{ name: 'a', emulate: 'arduino' }] }, 'r.json'), { message: /boards\[0\]\.emulate: expected "host" or "qemu"/ });
  t.throws(() => parseRig({ name: 'x', boards: [{ name: 'a', port: '/dev/x', usbSerial: '1' }] }, 'r.json'), { message: /exactly one of/ });
  t.throws(() => parseRig({ name: 'x', boards: [{ name: 'a', emulate: 'host' }, { name: 'a', emulate: 'qemu' }] }, 'r.json'), { message: /a is named twice/ });
  t.throws(() => parseRig({ name: 'x', boards: [{ name: 'a', emulate: 'host' }], suites: ['smoke'] }, 'r.json'), { message: /unknown suite "smoke"/ });
  t.throws(() => parseRig({ name: 'x', boards: [{ name: 'a', emulate: 'host' }], fleet: { inferences: 1 } }, 'r.json'), { message: /fleet.inferences/ });
  const rig = parseRig({ name: 'x', boards: [{ name: 'n', usbSerial: '066D' }] }, 'r.json');
  t.deepEqual(rig.suites, ['bit-exact', 'split-inference', 'line-noise', 'unplug']);
  t.is(rig.fleet.inferences, 60);
  t.deepEqual(rig.boardHost, { id: 'pi-1', macsBudget: 0.4e6, boardMacsBudget: 5e6 });
  t.throws(() => parseRig({ name: 'x', boards: [{ name: 'a', emulate: 'host' }], agents: { boardHost: { id: 'a/b' } } }, 'r.json'), { message: /agents.boardHost.id/ });
});

test('JUnit XML escapes what it carries and counts failures and skips', (t) => {
  const xml = toJUnitXml('r<1>', [
    { suite: 's', name: 'a & b', seconds: 1, failure: 'got "x" <y>\nmore' },
    { suite: 's', name: 'c', seconds: 0, skipped: 'no board' },
    { suite: 't', name: 'd', seconds: 0.5, output: 'bell\u0007' },
  ]);
  t.regex(xml, /<testsuites name="r&lt;1&gt;" tests="3" failures="1" skipped="1"/);
  t.regex(xml, /<failure message="got &quot;x&quot; &lt;y&gt;">/);
  t.regex(xml, /name="a &amp; b"/);
  t.regex(xml, /<system-out>bell\?<\/system-out>/);
  t.notRegex(xml, /\u0007/);
});
