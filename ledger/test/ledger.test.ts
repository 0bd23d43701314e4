import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { generateDeviceKeys } from '@layerfleet/protocol';
import {
  Ledger, LedgerError, ledgerFile, ledgerTelemetry, signClaim, signerFromKeys, verifyLedger, type KeyLookup,
} from '../src/index.js';
import { MAGIC, frameRecord, readFrame } from '../src/frame.js';
import { decodeEntry } from '../src/entry.js';

import { ledgerFixture } from '@layerfleet/test-support';

const { edgeA, edgeB, gw, lookup, now } = ledgerFixture(generateDeviceKeys);
const keeper = signerFromKeys(gw);

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lf-ledger-test-'));
  dirs.push(dir);
  return dir;
}
test.after.always(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

/** A closed ledger of `n` entries: two enrolments, then placements by the gateway and layers signed by the devices. */
async function fixture(n = 20): Promise<{ dir: string; bytes: Uint8Array; offsets: number[] }> {
  const dir = await freshDir();
  const ledger = await Ledger.open(dir, { keeper, now });
  await ledger.append({ action: 'enrol', data: { device: 'edge-a', signPublic: edgeA.signPublic, owner: 'alice' } });
  await ledger.append({ action: 'enrol', data: { device: 'edge-b', signPublic: edgeB.signPublic, owner: 'bob' } });
  for (let i = 2; i < n; i++) {
    if (i % 3 === 0) await ledger.appendSigned(signClaim({ action: 'layer', data: { requestId: `r${i}`, layers: [2, 3] } }, signerFromKeys(i % 2 ? edgeA : edgeB), now));
    else await ledger.append({ action: 'placement', data: { requestId: `r${i}`, devices: ['cam1', 'edge-a', 'cam1'] } });
  }
  await ledger.close();
  const bytes = new Uint8Array(await readFile(ledgerFile(dir)));
  return { dir, bytes, offsets: recordOffsets(bytes) };
}

function recordOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = MAGIC.length; o < bytes.length;) {
    const f = readFrame(bytes, o);
    if (!f.ok) throw new Error(`fixture: bad frame at ${o}`);
    out.push(o);
    o = f.end;
  }
  return out;
}

async function withBytes(bytes: Uint8Array): Promise<string> {
  const dir = await freshDir();
  await Ledger.open(dir, { keeper }).then((l) => l.close());
  await writeFile(ledgerFile(dir), bytes);
  return dir;
}

test('append, close, reopen: entries survive, seq and chain continue, proofs verify against the root', async (t) => {
  const dir = await freshDir();
  let ledger = await Ledger.open(dir, { keeper, now });
  t.is(ledger.recovered, null);
  t.is(ledger.head().count, 0);
  const e0 = await ledger.append({ action: 'enrol', data: { device: 'edge-a', signPublic: edgeA.signPublic } });
  const e1 = await ledger.appendSigned(signClaim({ action: 'result', data: { requestId: 'r1', ok: true } }, signerFromKeys(edgeA), now));
  t.deepEqual([e0.seq, e1.seq], [0, 1]);
  t.deepEqual(e0.prev, new Uint8Array(32));
  t.deepEqual(e1.prev, e0.hash);
  t.is(e1.actor, 'edge-a');
  t.deepEqual(e1.data, { ok: true, requestId: 'r1' });
  const head = ledger.head();
  await ledger.close();

  ledger = await Ledger.open(dir, { keeper, now });
  t.is(ledger.recovered, null);
  t.deepEqual(ledger.head(), head);
  // the device key came back from the ledger's own enrol entry
  const e2 = await ledger.appendSigned(signClaim({ action: 'layer', data: { requestId: 'r2' } }, signerFromKeys(edgeA), now));
  t.is(e2.seq, 2);
  t.is(Buffer.from(e2.prev).toString('hex'), head.lastHash);
  for (const [seq, e] of [e0, e1, e2].entries()) t.true(Ledger.verifyInclusion(e.hash, ledger.proof(seq), ledger.root()));
  t.false(Ledger.verifyInclusion(e1.hash, ledger.proof(0), ledger.root()));
  const payload = ledgerTelemetry(ledger.head(), 42);
  t.deepEqual(Object.keys(payload).sort(), ['count', 'lastHash', 'lastTs', 'root', 'ts']);
  t.is(payload.count, 3);
  t.is(JSON.parse(JSON.stringify(payload)).root, payload.root);
  await ledger.close();
  const report = await verifyLedger(dir, lookup);
  t.true(report.ok, report.problems[0]?.message);
  t.is(report.root, payload.root);
});

test('a torn last record is cut on open at every offset inside it, and reported; earlier entries stay', async (t) => {
  const { bytes, offsets } = await fixture(20);
  const last = offsets[offsets.length - 1]!;
  for (let cut = last + 1; cut < bytes.length; cut++) {
    const dir = await withBytes(bytes.subarray(0, cut));
    const ledger = await Ledger.open(dir, { keeper, now });
    t.deepEqual(ledger.recovered && { offset: ledger.recovered.offset, length: ledger.recovered.length }, { offset: last, length: cut - last }, `cut at ${cut}`);
    t.is(ledger.head().count, 19);
    t.is((await stat(ledgerFile(dir))).size, last, 'the file was truncated to the last whole record');
    if (cut % 32 === 0 || cut === bytes.length - 1) {
      const e = await ledger.append({ action: 'note', data: { text: 'after recovery' } });
      t.is(e.seq, 19);
      await ledger.close();
      const report = await verifyLedger(dir, lookup);
      t.true(report.ok, report.problems[0]?.message);
      t.is(report.entries, 20);
    } else {
      await ledger.close();
    }
  }
});

test('a last record whose length reached the disk but whose body did not (zeros) is cut too', async (t) => {
  const { bytes, offsets } = await fixture(5);
  const last = offsets[4]!;
  const torn = bytes.slice();
  torn.fill(0, last + 4);
  const ledger = await Ledger.open(await withBytes(torn), { keeper, now });
  t.is(ledger.recovered?.offset, last);
  t.regex(ledger.recovered!.why, /CRC/);
  t.is(ledger.head().count, 4);
  await ledger.close();
});

test('a header torn while the file was created is rewritten; anything else that is not a ledger is refused', async (t) => {
  const dir = await withBytes(MAGIC.subarray(0, 3));
  const ledger = await Ledger.open(dir, { keeper, now });
  t.deepEqual(ledger.recovered, { offset: 0, length: 3, why: 'header torn when the file was created' });
  await ledger.append({ action: 'note', data: {} });
  await ledger.close();
  t.true((await verifyLedger(dir, lookup)).ok);
  for (const junk of [Uint8Array.of(1, 2, 3), new TextEncoder().encode('{"devices": []}\n')]) {
    const err = await t.throwsAsync(Ledger.open(await withBytes(junk), { keeper }), { instanceOf: LedgerError });
    t.is(err?.code, 'not-a-ledger');
  }
});

test('damage in the middle is refused on open, naming the entry and its byte offset', async (t) => {
  const { bytes, offsets } = await fixture(20);
  const at = offsets[5]!;
  const cases: Array<[string, Uint8Array, RegExp]> = [];
  const body = bytes.slice(); body[at + 40]! ^= 0x10;
  cases.push(['a body byte', body, /CRC/]);
  const crc = bytes.slice(); crc[offsets[6]! - 1]! ^= 0x01;
  cases.push(['a CRC byte', crc, /CRC/]);
  const long = bytes.slice(); new DataView(long.buffer).setUint32(at, 60_000);
  cases.push(['a length prefix that now runs past the end of the file', long, /past the end/]);
  const removed = Buffer.concat([bytes.subarray(0, at), bytes.subarray(offsets[6]!)]);
  cases.push(['a removed entry', removed, /seq 6 where 5 belongs/]);
  for (const [what, damaged, why] of cases) {
    const before = Buffer.from(damaged);
    const dir = await withBytes(damaged);
    const err = await t.throwsAsync(Ledger.open(dir, { keeper }), { instanceOf: LedgerError }, what);
    t.is(err?.code, 'corrupt', what);
    t.regex(err!.message, new RegExp(`entry 5 \\(byte ${at}\\)`), what);
    t.regex(err!.message, why, what);
    t.deepEqual(Buffer.from(await readFile(ledgerFile(dir))), before, `${what}: open left the file as it was`);
  }
});

test('an altered last entry with a recomputed CRC is refused (its seal does not verify), and so is another gateway\'s ledger', async (t) => {
  const { bytes, offsets } = await fixture(6);
  const last = offsets[5]!;
  const e = decodeEntry(readFrameBody(bytes, last));
  const forged = Buffer.from(e.body);
  const i = forged.indexOf(Buffer.from('r5'));
  t.true(i > 0);
  forged[i + 1] = '9'.charCodeAt(0);
  const damaged = Buffer.concat([bytes.subarray(0, last), frameRecord(forged)]);
  const err = await t.throwsAsync(Ledger.open(await withBytes(damaged), { keeper }), { instanceOf: LedgerError });
  t.regex(err!.message, /entry 5 is not sealed by the key of "gateway"/);

  const other = signerFromKeys(generateDeviceKeys('gateway'));
  const err2 = await t.throwsAsync(Ledger.open(await withBytes(bytes), { keeper: other }), { instanceOf: LedgerError });
  t.regex(err2!.message, /another gateway key/);
});

function readFrameBody(bytes: Uint8Array, at: number): Uint8Array {
  const f = readFrame(bytes, at);
  if (!f.ok) throw new Error(f.why);
  return f.body;
}

test('concurrent appends from several signers are written in call order', async (t) => {
  const dir = await freshDir();
  const ledger = await Ledger.open(dir, { keeper, now, maxBatch: 16 });
  await ledger.append({ action: 'enrol', data: { device: 'edge-a', signPublic: edgeA.signPublic } });
  const a = signerFromKeys(edgeA);
  const calls = Array.from({ length: 150 }, (_, i) => (i % 4 === 1
    ? ledger.appendSigned(signClaim({ action: 'layer', data: { i } }, a, now))
    : i % 4 === 2 ? ledger.append({ action: 'result', data: { i } }, a) : ledger.append({ action: 'placement', data: { i } })));
  const entries = await Promise.all(calls);
  t.deepEqual(entries.map((e) => e.seq), entries.map((_, i) => i + 1));
  t.deepEqual(entries.map((e) => e.data.i), entries.map((_, i) => i));
  for (let i = 1; i < entries.length; i++) t.deepEqual(entries[i]!.prev, entries[i - 1]!.hash);
  await ledger.close();
  const report = await verifyLedger(dir, lookup);
  t.true(report.ok, report.problems[0]?.message);
  t.deepEqual(report.actors, { gateway: 76, 'edge-a': 75 });
});

test('what would fail verify is refused at append time, with a typed error, and does not disturb the queue', async (t) => {
  const dir = await freshDir();
  const ledger = await Ledger.open(dir, { keeper, now });
  const a = signerFromKeys(edgeA);
  const rejected = async (p: Promise<unknown>, re: RegExp) => {
    const err = await t.throwsAsync(p, { instanceOf: LedgerError });
    t.is(err?.code, 'rejected');
    t.regex(err!.message, re);
  };
  await rejected(ledger.appendSigned(signClaim({ action: 'layer', data: {} }, a)), /unknown actor edge-a/);
  await ledger.append({ action: 'enrol', data: { device: 'edge-a', signPublic: edgeA.signPublic } });
  const good = signClaim({ action: 'layer', data: { requestId: 'r1' } }, a);
  const bent = Uint8Array.from(good); bent[bent.length - 1]! ^= 1;
  await rejected(ledger.appendSigned(bent), /signature by edge-a does not verify/);
  await rejected(ledger.appendSigned(signClaim({ action: 'layer', data: {} }, { ...a, sign: signerFromKeys(edgeB).sign })), /signature by edge-a/);
  await rejected(ledger.append({ action: 'note', data: {} }, signerFromKeys(edgeB)), /unknown actor edge-b/);
  await rejected(ledger.appendSigned(signClaim({ action: 'enrol', data: { device: 'edge-b', signPublic: edgeB.signPublic } }, a)), /only the gateway may/);
  await rejected(ledger.append({ action: 'enrol', data: { device: 'edge-b' } }), /signPublic must be/);
  await rejected(ledger.appendSigned(Uint8Array.of(1, 2, 3)), /signed claim/);
  await rejected(ledger.append({ action: 'nonsense' as 'note', data: {} }), /action "nonsense"/);
  await rejected(ledger.append({ action: 'note', data: { f: () => 1 } }), /ledger claim\.data\.f: a function cannot be recorded/);
  await rejected(ledger.append({ action: 'note', data: { x: Number.NaN } }), /NaN cannot be recorded/);
  await rejected(ledger.append({ action: 'note', data: { blob: new Uint8Array(70_000) } }), /over the 65536-byte limit/);
  const ok = await ledger.appendSigned(good);
  t.is(ok.seq, 1);
  await ledger.append({ action: 'revoke', data: { device: 'edge-a', why: 'stolen' } });
  await rejected(ledger.appendSigned(signClaim({ action: 'layer', data: {} }, a)), /^ledger: actor edge-a was revoked at entry 2$/);
  t.deepEqual(ledger.enrolled('edge-a'), { signPublic: edgeA.signPublic, revokedAt: 2 });
  t.is(ledger.enrolled('edge-b'), undefined);
  // all or nothing: a batch with one bad claim records none of it
  await rejected(ledger.appendMany([
    { action: 'enrol', data: { device: 'edge-b', signPublic: edgeB.signPublic } },
    { action: 'revoke', data: { device: 'gateway' } },
  ]), /revoke of the gateway itself/);
  t.is(ledger.enrolled('edge-b'), undefined);
  t.is(ledger.head().count, 3);
  await ledger.close();
  await t.throwsAsync(ledger.append({ action: 'note' }), { instanceOf: LedgerError, message: /closed/ });
  const report = await verifyLedger(dir, lookup);
  t.true(report.ok, report.problems[0]?.message);
  t.is(report.entries, 3);
});

test('devices never enrolled in the ledger are checked with keyLookup, by the ledger and by verify', async (t) => {
  const dir = await freshDir();
  const withB: KeyLookup = (id) => (id === 'edge-b' ? edgeB.signPublic : lookup(id));
  const ledger = await Ledger.open(dir, { keeper, now, keyLookup: withB });
  await ledger.appendSigned(signClaim({ action: 'result', data: { requestId: 'x' } }, signerFromKeys(edgeB)));
  await ledger.close();
  t.true((await verifyLedger(dir, withB)).ok);
  const without = await verifyLedger(dir, lookup);
  t.false(without.ok);
  t.is(without.problems[0]!.message, 'entry 0: unknown actor edge-b (no earlier \'enrol\' entry and no key given for it)');
});

test('open on hostile files: a LedgerError or a reported cut, never another exception', async (t) => {
  const { bytes, offsets } = await fixture(4);
  let seed = 99;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const inputs = [
    random(100), Buffer.concat([MAGIC, random(500)]), Buffer.concat([MAGIC, new Uint8Array(64)]),
    Buffer.concat([bytes, random(30)]), Buffer.concat([bytes.subarray(0, offsets[2]!), random(40), bytes.subarray(offsets[2]!)]),
    Buffer.concat([MAGIC, frameRecord(random(50)), bytes.subarray(offsets[0]!)]),
  ];
  for (const [i, input] of inputs.entries()) {
    try {
      const ledger = await Ledger.open(await withBytes(input), { keeper, now });
      t.truthy(ledger.recovered, `input ${i} opened, so something must have been cut`);
      await ledger.close();
    } catch (err) {
      t.true(err instanceof LedgerError, `input ${i}: ${String(err)}`);
    }
  }
});

test('a failure while committing stops the ledger: that batch and everything queued behind it reject; reopening recovers', async (t) => {
  const dir = await freshDir();
  let failing = false;
  const flaky = { ...keeper, sign: (m: Uint8Array) => {
    if (failing && Buffer.from(m).includes(Buffer.from('ledger v1 entry'))) throw new Error('simulated EIO');
    return keeper.sign(m);
  } };
  const ledger = await Ledger.open(dir, { keeper: flaky, now });
  await ledger.append({ action: 'note', data: { n: 0 } });
  failing = true;
  const results = await Promise.allSettled([0, 1, 2].map((n) => ledger.append({ action: 'note', data: { n } })));
  t.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  t.regex(String((results[0] as PromiseRejectedResult).reason), /a write failed \(simulated EIO\); reopen the ledger/);
  await t.throwsAsync(ledger.append({ action: 'note' }), { instanceOf: LedgerError, message: /a write failed/ });
  t.is(ledger.head().count, 1);
  await ledger.close();
  const again = await Ledger.open(dir, { keeper, now });
  t.is(again.head().count, 1);
  t.is((await again.append({ action: 'note' })).seq, 1);
  await again.close();
});
