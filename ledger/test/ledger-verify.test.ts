import { createHash, hash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Encoder } from 'cbor-x';
import { mulberry32 } from '@layerfleet/models';
import { nativeCrypto } from '@layerfleet/protocol';
import {
  Ledger, ledgerFile, signClaim, signerFromKeys, verifyLedger, verifyLedgerBytes, type LedgerReport, type VerifyOptions,
} from '../src/index.js';
import { MAGIC, frameRecord, readFrame } from '../src/frame.js';
import { sealEntry } from '../src/entry.js';

import { ledgerFixture } from '@layerfleet/test-support';
import { generateDeviceKeys } from '@layerfleet/protocol';

const { edgeA, edgeB, gw, lookup, now } = ledgerFixture(generateDeviceKeys);
const keeper = signerFromKeys(gw);
const cbor = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, pack: false });

// Ed25519 verification memoised on its exact inputs: the same answer node:crypto gives, but each
// distinct (key, message, signature) is checked once, so thousands of verify runs stay cheap.
const memo = new Map<string, boolean>();
const memoVerify = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean => {
  const k = hash('sha256', Buffer.concat([pub, sig, msg]), 'hex');
  let v = memo.get(k);
  if (v === undefined) memo.set(k, (v = nativeCrypto.ed25519Verify(pub, msg, sig)));
  return v;
};
const check = (bytes: Uint8Array, opts: VerifyOptions = {}): LedgerReport => verifyLedgerBytes(bytes, lookup, { verifySignature: memoVerify, ...opts });

let fixtureBytes: Promise<{ bytes: Uint8Array; offsets: number[]; report: LedgerReport }> | undefined;
/** One 20-entry ledger shared by the tests: enrolments, gateway placements, device-signed layers. */
function fixture() {
  return (fixtureBytes ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-ledger-verify-'));
    try {
      const ledger = await Ledger.open(dir, { keeper, now });
      await ledger.append({ action: 'enrol', data: { device: 'edge-a', signPublic: edgeA.signPublic } });
      await ledger.append({ action: 'enrol', data: { device: 'edge-b', signPublic: edgeB.signPublic } });
      for (let i = 2; i < 20; i++) {
        if (i % 3 === 0) await ledger.appendSigned(signClaim({ action: 'layer', data: { requestId: `r${i}`, layers: [2, 3] } }, signerFromKeys(i % 2 ? edgeA : edgeB), now));
        else await ledger.append({ action: i % 3 === 1 ? 'placement' : 'weights', data: { requestId: `r${i}`, to: 'edge-a', bytes: 156 * i } });
      }
      const head = ledger.head();
      await ledger.close();
      const bytes = new Uint8Array(await readFile(ledgerFile(dir)));
      const report = await verifyLedger(dir, lookup);
      if (report.root !== head.root) throw new Error('fixture: verify and the ledger disagree on the root');
      return { bytes, offsets: offsetsOf(bytes), report };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })());
}

function offsetsOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = MAGIC.length; o < bytes.length;) {
    const f = readFrame(bytes, o);
    if (!f.ok) throw new Error(`bad frame at ${o}`);
    out.push(o);
    o = f.end;
  }
  return out;
}

/** The file with record `k` replaced by `frame` (or removed). */
function splice(bytes: Uint8Array, offsets: number[], k: number, ...frames: Uint8Array[]): Uint8Array {
  const end = offsets[k + 1] ?? bytes.length;
  return Buffer.concat([bytes.subarray(0, offsets[k]!), ...frames, bytes.subarray(end)]);
}
const frameAt = (bytes: Uint8Array, offsets: number[], k: number) => bytes.subarray(offsets[k]!, offsets[k + 1] ?? bytes.length);

/** Record `k` decoded down to its CBOR maps, edited by `edit`, re-encoded with a fresh, valid CRC — signatures left as they were. */
function reforge(bytes: Uint8Array, offsets: number[], k: number, edit: (entry: Map<string, unknown>, claim: Map<string, unknown>) => void): Uint8Array {
  const f = readFrame(bytes, offsets[k]!);
  if (!f.ok) throw new Error(f.why);
  const [entryBytes, seal] = cbor.decode(f.body) as [Uint8Array, Uint8Array];
  const entry = cbor.decode(entryBytes) as Map<string, unknown>;
  const claim = cbor.decode(entry.get('claim') as Uint8Array) as Map<string, unknown>;
  edit(entry, claim);
  entry.set('claim', cbor.encode(claim));
  return splice(bytes, offsets, k, frameRecord(cbor.encode([cbor.encode(entry), seal])));
}

test('an intact ledger verifies: entries, root, actors', async (t) => {
  const { report, bytes } = await fixture();
  t.true(report.ok);
  t.is(report.entries, 20);
  t.deepEqual(report.actors, { gateway: 14, 'edge-a': 3, 'edge-b': 3 });
  t.deepEqual(report.problems, []);
  const { path, ...fromBytes } = report;
  t.true(path!.endsWith('ledger/ledger.bin'));
  t.deepEqual(check(bytes), fromBytes, 'the same report from the bytes as from the directory');
});

test('changing any single byte makes verify fail, naming the record (or header byte) it is in', async (t) => {
  const { bytes, offsets } = await fixture();
  const recordOf = (p: number) => { let k = -1; for (const [i, o] of offsets.entries()) if (o <= p) k = i; return k; };
  const rng = mulberry32(7);
  let failures = 0;
  for (const delta of ['bit', 'random'] as const) {
    const copy = bytes.slice();
    for (let p = 0; p < copy.length; p++) {
      const original = copy[p]!;
      copy[p] = original ^ (delta === 'bit' ? 1 << (p % 8) : 1 + Math.floor(rng() * 255));
      const r = check(copy);
      copy[p] = original;
      const first = r.problems[0];
      const k = p < MAGIC.length ? -1 : recordOf(p);
      const named = first && !r.ok && first.index === k && first.byteOffset === (k < 0 ? p : offsets[k])
        && (k < 0 ? first.message.startsWith(`byte ${p}:`) : first.message.startsWith(`entry ${k} `) || first.message.startsWith(`byte ${offsets[k]}: torn record at the end`));
      if (!named) {
        failures++;
        t.fail(`byte ${p} (${delta}): ${JSON.stringify(first)} (ok=${r.ok})`);
      }
    }
  }
  t.is(failures, 0);
  t.true(bytes.length > 20 * 200, `${bytes.length} bytes were each changed twice`);
});

// A re-encoded record has a new hash, so the next entry's prev no longer matches it: reported too.
const chained = (k: number) => `entry ${k + 1}: hash chain broken (its prev does not match entry ${k}'s hash)`;

test('a ledger of a few hundred entries: 400 single-byte changes spread over it each fail, naming the record', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-ledger-verify-'));
  let bytes: Uint8Array;
  try {
    const ledger = await Ledger.open(dir, { keeper, now });
    await ledger.append({ action: 'enrol', data: { device: 'edge-a', signPublic: edgeA.signPublic } });
    const a = signerFromKeys(edgeA);
    for (let b = 0; b < 3; b++) {
      await ledger.appendMany(Array.from({ length: 100 }, (_, i) => ({ action: 'placement' as const, data: { requestId: `r${b}.${i}`, devices: ['cam1', 'edge-a', 'cam1'] } })));
      await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.appendSigned(signClaim({ action: 'result', data: { requestId: `r${b}.${i}`, label: i % 10 } }, a, now))));
    }
    await ledger.close();
    bytes = new Uint8Array(await readFile(ledgerFile(dir)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const offsets = offsetsOf(bytes);
  t.is(offsets.length, 361);
  t.true(check(bytes).ok);
  const rng = mulberry32(3);
  for (let n = 0; n < 400; n++) {
    const p = n < 8 ? n * Math.floor(bytes.length / 8) : Math.floor(rng() * bytes.length);
    const copy = bytes.slice();
    copy[p]! ^= 1 + Math.floor(rng() * 255);
    const first = check(copy).problems[0];
    let k = -1;
    for (const [i, o] of offsets.entries()) if (o <= p) k = i;
    t.is(p < MAGIC.length ? -1 : first?.index, p < MAGIC.length ? -1 : k, `byte ${p}: ${first?.message}`);
    t.truthy(first, `byte ${p}`);
  }
});

test('an edited claim with a recomputed CRC is caught by its actor\'s signature', async (t) => {
  const { bytes, offsets } = await fixture();
  const device = reforge(bytes, offsets, 6, (_, claim) => { (claim.get('data') as Map<string, unknown>).set('layers', [2, 3, 4]); });
  t.deepEqual(check(device).problems.map((p) => p.message), ['entry 6: signature by edge-b does not verify', chained(6)]);
  const own = reforge(bytes, offsets, 7, (_, claim) => { (claim.get('data') as Map<string, unknown>).set('to', 'edge-b'); });
  t.deepEqual(check(own).problems.map((p) => p.message), ['entry 7: signature by gateway does not verify', chained(7)]);
  const actor = reforge(bytes, offsets, 6, (_, claim) => { claim.set('actor', 'edge-a'); });
  t.deepEqual(check(actor).problems.map((p) => p.message), ['entry 6: signature by edge-a does not verify', chained(6)]);
  const last = reforge(bytes, offsets, 19, (_, claim) => { (claim.get('data') as Map<string, unknown>).set('bytes', 0); });
  t.deepEqual(check(last).problems.map((p) => p.message), ['entry 19: signature by gateway does not verify']);
});

test('edited entry fields with a recomputed CRC are caught by the chain, the seq or the seal', async (t) => {
  const { bytes, offsets } = await fixture();
  const ts = reforge(bytes, offsets, 8, (entry) => { entry.set('ts', BigInt(entry.get('ts') as bigint) + 1n); });
  t.deepEqual(check(ts).problems.map((p) => p.message), ['entry 8: seal by gateway does not verify', chained(8)]);
  const prev = reforge(bytes, offsets, 8, (entry) => { entry.set('prev', new Uint8Array(32).fill(9)); });
  t.deepEqual(check(prev).problems.map((p) => p.message), ['entry 8: hash chain broken (its prev does not match entry 7\'s hash)', chained(8)]);
  const seq = reforge(bytes, offsets, 8, (entry) => { entry.set('seq', 10); });
  t.is(check(seq).problems[0]!.message, 'entry 8 (seq 10): seq 10 follows 7 — an entry is missing or reordered');
  const back = reforge(bytes, offsets, 8, (entry) => { entry.set('ts', 5); });
  t.regex(check(back).problems[0]!.message, /^entry 8: recorded at 5, before entry 7 \(\d+\) — time went backwards$/);
});

test('a removed, a duplicated and a swapped entry are each named', async (t) => {
  const { bytes, offsets } = await fixture();
  t.deepEqual(check(splice(bytes, offsets, 9)).problems.map((p) => p.message), ['entry 9 (seq 10): seq 10 follows 8 — an entry is missing or reordered']);
  // without entry 0 (edge-a's enrolment) edge-a's later claims have no key either
  t.deepEqual(check(splice(bytes, offsets, 0)).problems.map((p) => p.message).slice(0, 2), [
    'entry 0 (seq 1): seq 1, but a ledger starts at 0 — its first entries are missing',
    'entry 2 (seq 3): unknown actor edge-a (no earlier \'enrol\' entry and no key given for it)',
  ]);
  const dup = splice(bytes, offsets, 9, frameAt(bytes, offsets, 9), frameAt(bytes, offsets, 9));
  t.deepEqual(check(dup).problems.map((p) => p.message), ['entry 10 (seq 9): seq 9 follows 9 — an entry is missing or reordered']);
  const swapped = Buffer.concat([bytes.subarray(0, offsets[4]!), frameAt(bytes, offsets, 5), frameAt(bytes, offsets, 4), bytes.subarray(offsets[6]!)]);
  t.deepEqual(check(swapped).problems.map((p) => p.message), [
    'entry 4 (seq 5): seq 5 follows 3 — an entry is missing or reordered',
    'entry 5 (seq 4): seq 4 follows 5 — an entry is missing or reordered',
  ]);
});

test('entries cut from the end pass alone, and fail against a pinned head', async (t) => {
  const { bytes, offsets, report } = await fixture();
  const short = bytes.subarray(0, offsets[18]!);
  t.true(check(short).ok, 'whole records cut from the end leave a consistent, shorter ledger');
  t.deepEqual(check(short, { pinned: { count: 20, root: report.root } }).problems.map((p) => p.message), ['the ledger holds 18 entries but was pinned at 20 — entries were removed from its end']);
  t.true(check(bytes, { pinned: { count: 20, root: report.root } }).ok);
  t.true(check(bytes, { pinned: { count: 18, root: check(short).root } }).ok, 'an older pinned head is a prefix of the current one');
  t.regex(check(bytes, { pinned: { count: 18, root: report.root } }).problems[0]!.message, /first 18 entries do not hash to the pinned root/);
});

test('actors: unknown, revoked, or doing what only the gateway may, are named', async (t) => {
  let prev = new Uint8Array(32);
  const frames: Uint8Array[] = [];
  const add = (signer: ReturnType<typeof signerFromKeys>, action: 'enrol' | 'revoke' | 'layer', data: Record<string, unknown>) => {
    const [claimBytes, sig] = cbor.decode(signClaim({ action, data, ts: 1 }, signer)) as [Uint8Array, Uint8Array];
    const body = sealEntry({ seq: frames.length, ts: 1000 + frames.length, prev, claimBytes, sig }, keeper);
    prev = new Uint8Array(createHash('sha256').update(body).digest());
    frames.push(frameRecord(body));
  };
  const a = signerFromKeys(edgeA), b = signerFromKeys(edgeB);
  add(a, 'layer', {});                                                        // 0: not enrolled yet
  add(keeper, 'enrol', { device: 'edge-a', signPublic: edgeA.signPublic });   // 1
  add(a, 'layer', {});                                                        // 2: fine
  add(a, 'enrol', { device: 'edge-b', signPublic: edgeB.signPublic });        // 3: a device enrolling another
  add(b, 'layer', {});                                                        // 4: so edge-b is still unknown
  add(keeper, 'revoke', { device: 'edge-a' });                                // 5
  add(a, 'layer', {});                                                        // 6: revoked
  const r = check(Buffer.concat([MAGIC, ...frames]));
  t.deepEqual(r.problems.map((p) => p.message), [
    'entry 0: unknown actor edge-a (no earlier \'enrol\' entry and no key given for it)',
    'entry 3: enrol of edge-b by edge-a — only the gateway may',
    'entry 4: unknown actor edge-b (no earlier \'enrol\' entry and no key given for it)',
    'entry 6: actor edge-a was revoked at entry 5',
  ]);
  const noGateway = verifyLedgerBytes(Buffer.concat([MAGIC, ...frames]), () => undefined);
  t.is(noGateway.problems[0]!.message, 'no public key for the gateway "gateway": no seal can be checked');
});

test('random bytes, random files and every truncation give problems, never a crash', async (t) => {
  const { bytes, offsets } = await fixture();
  const rng = mulberry32(11);
  const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
  for (let i = 0; i < 300; i++) {
    const n = Math.floor(rng() * 3000);
    const inputs = [random(n), Buffer.concat([MAGIC, random(n)]), Buffer.concat([bytes.subarray(0, Math.floor(rng() * bytes.length)), random(n % 64)])];
    for (const [kind, input] of inputs.entries()) {
      const r = check(input);
      if (kind === 0 || (kind === 1 && n > 0)) t.false(r.ok, `input ${i}.${kind}`);
      for (const p of r.problems) t.true(typeof p.message === 'string' && Number.isInteger(p.index) && p.byteOffset >= 0 && p.byteOffset <= input.length);
    }
  }
  // records with a valid frame but CBOR garbage inside: the CRC cannot save a hostile writer
  for (const body of [random(40), cbor.encode([1, 2]), cbor.encode([new Uint8Array(3), new Uint8Array(64)]), Uint8Array.of(0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), new Uint8Array(5000).fill(0x81)]) {
    const r = check(Buffer.concat([MAGIC, frameRecord(body), frameAt(bytes, offsets, 0)]));
    t.false(r.ok);
    t.regex(r.problems[0]!.message, /^entry 0 \(byte 8\): /);
  }
  for (let cut = 0; cut <= bytes.length; cut++) {
    const r = check(bytes.subarray(0, cut));
    const boundary = cut === MAGIC.length || offsets.includes(cut) || cut === bytes.length;
    t.is(r.ok, boundary, `cut at ${cut}`);
    if (!boundary) t.regex(r.problems[0]!.message, cut < MAGIC.length ? /ends inside its 8-byte header/ : /torn record at the end|record CRC does not match/);
  }
});
