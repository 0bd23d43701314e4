// Device actions signed by the devices: the ledger takes a device's claim with the key it holds for
// the device and no other, and the gateway records each hop and result of a finished request in the
// device's own words when its claim holds up, else as its own witness entry, counted.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { decodeSignedClaim, generateDeviceKeys, Rejections, type DeviceKeys, type HopTiming } from '@layerfleet/protocol';
import { Ledger, LedgerError, ledgerFile, readLedgerEntries, signClaim, signerFromKeys, verifyLedger, type ClaimInput, type LedgerEntry } from '@layerfleet/ledger';
import { outcomeTelemetry, recordOutcome } from '../src/device-claims.js';
import type { Outcome } from '../src/standing-routes.js';
import { ledgerFixture } from '@layerfleet/test-support';

const { edgeA, edgeB, lookup, now, gw } = ledgerFixture(generateDeviceKeys);
const keeper = signerFromKeys(gw);

const dirs: string[] = [];
test.after.always(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

const cam = generateDeviceKeys('cam');
const w1 = generateDeviceKeys('w1');

/** A ledger where cam and w1 are enrolled, and what recordOutcome needs around it. */
async function fleet(): Promise<{ dir: string; ledger: Ledger; rejections: Rejections; logs: string[]; record(o: Outcome): void }> {
  const dir = await mkdtemp(join(tmpdir(), 'lf-device-claims-'));
  dirs.push(dir);
  const ledger = await Ledger.open(dir, { keeper, now });
  for (const k of [cam, w1]) await ledger.append({ action: 'enrol', data: { device: k.id, signPublic: k.signPublic } });
  const logs: string[] = [];
  const rejections = new Rejections();
  const gatewayRecord = (c: ClaimInput) => { ledger.append(c).catch((err: Error) => logs.push(`LEDGER WRITE FAILED: ${err.message}`)); };
  return { dir, ledger, rejections, logs, record: (o) => recordOutcome(o, { ledger, record: gatewayRecord, rejections, log: (l) => logs.push(l) }) };
}

const entriesOf = (dir: string): Promise<LedgerEntry[]> => readLedgerEntries(ledgerFile(dir));

/** A hop as an honest agent makes it: the device signs {device, requestId, attempt, layers, ms}. */
function hop(keys: DeviceKeys, requestId: string, layers: number[], ms = 1.5, attempt = 0): HopTiming {
  return { device: keys.id, layers, ms, claim: signClaim({ action: 'layer', data: { device: keys.id, requestId, attempt, layers, ms } }, signerFromKeys(keys)) };
}
const resultClaim = (keys: DeviceKeys, requestId: string, predicted: number, label?: number) =>
  signClaim({ action: 'result', data: { requestId, source: keys.id, outcome: 'completed', predicted, ...(label === undefined ? {} : { label }) } }, signerFromKeys(keys));

function completed(requestId: string, hops: HopTiming[], claim?: Uint8Array): Outcome {
  return {
    requestId, source: 'cam', model: 'lenet5', outcome: 'completed', attempts: 1, placement: ['cam', 'w1', 'w1', 'cam'],
    predicted: 7, label: 7, correct: true, totalMs: 12, hops, ...(claim ? { resultClaim: claim } : {}),
  };
}

test('appendSigned takes a device claim with the key the ledger holds for it, and no other', async (t) => {
  const { dir, ledger } = await fleet();
  const refused = async (bytes: Uint8Array, re: RegExp) => {
    const err = await t.throwsAsync(ledger.appendSigned(bytes), { instanceOf: LedgerError });
    t.is(err?.code, 'rejected');
    t.regex(err!.message, re);
  };
  const claim = (keys: DeviceKeys | { id: string; signSeed: Uint8Array; signPublic: Uint8Array }, requestId: string) =>
    signClaim({ action: 'layer', data: { device: keys.id, requestId, attempt: 0, layers: [1, 2], ms: 1 } }, signerFromKeys(keys));

  const accepted = await ledger.appendSigned(claim(w1, 'r1'));
  t.deepEqual([accepted.actor, accepted.action, accepted.data.requestId], ['w1', 'layer', 'r1']);
  // another key under w1's name: a stranger's, or a device's own signing for w1
  await refused(claim(generateDeviceKeys('w1'), 'r2'), /^ledger: signature by w1 does not verify with its enrolled key$/);
  await refused(claim({ ...cam, id: 'w1' }, 'r3'), /signature by w1 does not verify/);
  // never enrolled
  await refused(claim(edgeA, 'r4'), /^ledger: unknown actor edge-a \(no earlier 'enrol' entry and no key given for it\)$/);

  // w1 rotates: from the rotate entry on, only the new key speaks for it
  const rotated = generateDeviceKeys('w1');
  const signedBefore = claim(w1, 'r5');
  await ledger.append({ action: 'rotate', data: { device: 'w1', signPublic: rotated.signPublic } });
  await refused(signedBefore, /signature by w1 does not verify with its enrolled key/);
  await refused(claim(w1, 'r6'), /signature by w1 does not verify/);
  t.is((await ledger.appendSigned(claim(rotated, 'r7'))).data.requestId, 'r7');
  await ledger.close();

  const report = await verifyLedger(dir, lookup);
  t.true(report.ok, report.problems[0]?.message);
  t.deepEqual(report.actors, { gateway: 3, w1: 2 });
  t.deepEqual([report.signedBy, report.witnessed], [{ gateway: 3, devices: 2 }, 0]);
});

test('an honest outcome goes in as the devices signed it: each hop by its device, the result by the source, in order', async (t) => {
  const { dir, ledger, rejections, logs, record } = await fleet();
  const hops = [hop(cam, 'r1', [0], 0.25), hop(w1, 'r1', [1, 2], 3.75, 0), hop(cam, 'r1', [3], 0.5)];
  record(completed('r1', hops, resultClaim(cam, 'r1', 7, 7)));
  // a result from an earlier attempt (re-planned meanwhile) is as good as any
  record({ ...completed('r2', [hop(cam, 'r2', [0]), hop(w1, 'r2', [1, 2], 2, 1), hop(cam, 'r2', [3])], resultClaim(cam, 'r2', 7)), attempts: 3 });
  await ledger.close();
  t.deepEqual(rejections.toJSON(), {});
  t.deepEqual(logs, []);

  const entries = (await entriesOf(dir)).slice(2);
  t.deepEqual(entries.map((e) => `${e.actor} ${e.action} ${e.data.requestId}`), [
    'cam layer r1', 'w1 layer r1', 'cam layer r1', 'cam result r1',
    'cam layer r2', 'w1 layer r2', 'cam layer r2', 'cam result r2',
  ]);
  t.deepEqual(entries[1]!.data, { device: 'w1', requestId: 'r1', attempt: 0, layers: [1, 2], ms: 3.75 });
  t.deepEqual(entries[3]!.data, { requestId: 'r1', source: 'cam', outcome: 'completed', predicted: 7, label: 7 });
  t.deepEqual(entries[1]!.claimBytes, decodeSignedClaim(hops[1]!.claim!).claimBytes, 'the very bytes w1 signed');

  const report = await verifyLedger(dir, lookup);
  t.true(report.ok, report.problems[0]?.message);
  t.deepEqual([report.signedBy, report.witnessed], [{ gateway: 2, devices: 8 }, 0]);
});

test('a hop or result whose claim is missing, altered, misplaced or signed with the wrong key is counted and witnessed instead', async (t) => {
  const { dir, ledger, rejections, logs, record } = await fleet();
  const stranger = generateDeviceKeys('w1');
  const good = hop(w1, 'r1', [1, 2]);
  const flipped = Uint8Array.from(good.claim!); flipped[flipped.length - 1]! ^= 1;
  const bad: Array<[HopTiming, RegExp]> = [
    [{ device: 'w1', layers: [1, 2], ms: 1.5 }, /none was sent/],
    [{ ...good, claim: flipped }, /signature does not verify with w1's key in the ledger/],
    [{ ...good, claim: Uint8Array.of(1, 2, 3) }, /signed claim/],
    [{ ...good, layers: [1] }, /it names layers \[1,2\], the hop \[1\]/],
    [{ ...good, ms: 0.1 }, /it says 1\.5 ms, the hop 0\.1/],
    [{ ...hop(w1, 'r0', [1, 2]) }, /it names request "r0"/],
    [{ ...hop(w1, 'r1', [1, 2], 1.5, 1) }, /attempt 1 was never planned \(1 attempts\)/],
    [{ ...hop(cam, 'r1', [1, 2]), device: 'w1' }, /it is signed by cam, not by the hop's device/],
    [{ ...hop(stranger, 'r1', [1, 2]) }, /signature does not verify with w1's key/],
    [{ ...hop(edgeB, 'r1', [1, 2]) }, /the ledger holds no key for edge-b/],
    [{ device: 'w1', layers: [1, 2], ms: 1.5, claim: signClaim({ action: 'result', data: { requestId: 'r1' } }, signerFromKeys(w1)) }, /it is a 'result' claim/],
    [good, /the same claim came twice in one trace/],
  ];
  record(completed('r1', [good, ...bad.map(([h]) => h)], resultClaim(cam, 'r1', 3)));
  record(completed('r2', [], resultClaim(w1, 'r2', 7)));
  record(completed('r3', []));
  await ledger.close();

  t.is(rejections.toJSON()['ledger-claim'], bad.length + 3);
  // the same checks one at a time, after the good hop, to read each one's detail
  for (const [h, re] of bad) {
    const f = await fleet();
    const counting = new Rejections();
    recordOutcome(completed('r1', [good, h], resultClaim(cam, 'r1', 7)), { ledger: f.ledger, record: (c) => void f.ledger.append(c), rejections: counting, log: () => {} });
    t.deepEqual(counting.toJSON(), { 'ledger-claim': 1 });
    const detail = counting.lastDetail.get('ledger-claim') ?? '';
    t.regex(detail, re, `hop ${JSON.stringify({ ...h, claim: h.claim?.length })}`);
    t.regex(detail, /^layer claim of [\w-]+ for request cam\/r1: .*; recorded as witnessed by the gateway$/);
    await f.ledger.close();
  }
  t.regex(rejections.lastDetail.get('ledger-claim')!, /^result claim of cam for request cam\/r3: none was sent/);
  t.deepEqual(logs, []);

  const entries = (await entriesOf(dir)).slice(2);
  // every hop is on record, in trace order: the good one in w1's words, the rest in the gateway's
  t.deepEqual(entries.map((e) => `${e.actor} ${e.action} ${e.data.requestId}${e.data.witnessed ? ' witnessed' : ''}`), [
    'w1 layer r1', ...bad.map(() => 'gateway layer r1 witnessed'), 'gateway result r1 witnessed',
    'gateway result r2 witnessed', 'gateway result r3 witnessed',
  ]);
  t.deepEqual(entries[1]!.data, { device: 'w1', requestId: 'r1', layers: [1, 2], ms: 1.5, witnessed: true });
  t.deepEqual(entries.at(-1)!.data, { requestId: 'r3', source: 'cam', outcome: 'completed', predicted: 7, witnessed: true });
  const report = await verifyLedger(dir, lookup);
  t.true(report.ok, report.problems[0]?.message);
  t.deepEqual([report.signedBy, report.witnessed], [{ gateway: 2 + bad.length + 3, devices: 1 }, bad.length + 3]);
});

test('a failed request is the gateway\'s own finding; a ledger that cannot write never makes recording throw', async (t) => {
  const { dir, ledger, rejections, logs, record } = await fleet();
  record({ requestId: 'r1', source: 'cam', model: 'lenet5', outcome: 'failed', attempts: 3, placement: [], reason: 'gave up' });
  await ledger.close();
  t.deepEqual(rejections.toJSON(), {});
  const [entry] = (await entriesOf(dir)).slice(2);
  t.deepEqual([entry!.actor, entry!.data], ['gateway', { requestId: 'r1', source: 'cam', outcome: 'failed', reason: 'gave up' }]);

  t.notThrows(() => record(completed('r2', [hop(w1, 'r2', [1, 2])], resultClaim(cam, 'r2', 7))));
  await new Promise((r) => setTimeout(r, 50));
  t.true(logs.length >= 2 && logs.every((l) => /^LEDGER WRITE FAILED: .*the ledger is closed/.test(l)), logs.join('\n'));
});

test('telemetry gets the outcome as plain JSON, without the signed claims', (t) => {
  const o = completed('r1', [hop(cam, 'r1', [0]), hop(w1, 'r1', [1, 2])], resultClaim(cam, 'r1', 7));
  const shown = JSON.parse(JSON.stringify(outcomeTelemetry(o))) as Record<string, unknown>;
  t.deepEqual(shown.hops, [{ device: 'cam', layers: [0], ms: 1.5 }, { device: 'w1', layers: [1, 2], ms: 1.5 }]);
  t.false('resultClaim' in shown);
  t.is(shown.predicted, 7);
  t.truthy(o.hops![0]!.claim, 'the outcome itself keeps them');
});
