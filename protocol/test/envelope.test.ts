import test from 'ava';
import { encodeCbor, tagged } from '../src/cbor.js';
import { decodeCoseEncrypt, encryptToRecipient } from '../src/cose-encrypt.js';
import { decodeSign1, encodeSign1, signSign1 } from '../src/cose-sign1.js';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import { encodeContent } from '../src/envelope-content.js';
import { EnvelopeError, MAX_ENVELOPE_BYTES, open, seal, type EnvelopeRejection, type OpenOptions, type SealInput } from '../src/envelope.js';
import { generateDeviceKeys, type DeviceKeys } from '../src/keys.js';
import { ReplayWindow } from '../src/replay-window.js';
import { toHex as H } from '../src/hex.js';

const alice = generateDeviceKeys('alice');
const bob = generateDeviceKeys('bob');
const carol = generateDeviceKeys('carol');
const known = new Map([alice, bob, carol].map((k) => [k.id, k.signPublic]));
const TOPIC = 'lf/v1/dev/bob/in';
const NOW = 1_760_000_000_000;

function input(over: Partial<SealInput> = {}): SealInput {
  return { sender: alice, recipient: bob, topic: TOPIC, seq: 7, ts: NOW, payload: new TextEncoder().encode('activation bytes'), ...over };
}

function opts(over: Partial<OpenOptions> = {}): OpenOptions {
  return { recipient: bob, topic: TOPIC, senderKey: (id) => known.get(id), now: NOW, ...over };
}

function rejects(t: import('ava').ExecutionContext, bytes: Uint8Array, o: OpenOptions, reason: EnvelopeRejection, message?: RegExp): void {
  const err = t.throws(() => open(bytes, o), { instanceOf: EnvelopeError });
  t.is(err?.reason, reason, err?.message);
  if (message) t.regex(err?.message ?? '', message);
}

/** Sign `content` as `signer`, encrypt it to `to`: lets tests build envelopes `seal` would never make. */
function sealRaw(sign1: Uint8Array, to: DeviceKeys = bob): Uint8Array {
  return encryptToRecipient(sign1, to, nativeCrypto);
}

test('seal then open returns what was sealed, with both suites', (t) => {
  for (const suite of [nativeCrypto, portableCrypto]) {
    const env = seal(input({ seq: 1_000_000_000_000 }), suite);
    const got = open(env, opts({ suite }));
    t.deepEqual(got, { sender: 'alice', recipient: 'bob', topic: TOPIC, seq: 1_000_000_000_000, ts: NOW, payload: input().payload }, suite.name);
  }
});

test('native and portable suites produce identical envelopes and open each other\'s', (t) => {
  const fixed = { ephemeralPrivate: new Uint8Array(32).fill(3), iv: new Uint8Array(12).fill(5) };
  const n = seal(input(fixed), nativeCrypto);
  const p = seal(input(fixed), portableCrypto);
  t.is(H(n), H(p));
  t.deepEqual(open(n, opts({ suite: portableCrypto })).payload, input().payload);
  t.deepEqual(open(p, opts({ suite: nativeCrypto })).payload, input().payload);
  // and random ephemeral keys/IVs really are random
  t.not(H(seal(input())), H(seal(input())));
});

test('envelope layout is the one DESIGN.md specifies', (t) => {
  const env = seal(input());
  t.is(H(env.subarray(0, 8)), 'd860' + '84' + '44a1011818'); // tag 96, [h'{1: 24}', ...
  const outer = decodeCoseEncrypt(env);
  t.is(outer.iv.length, 12);
  t.is(outer.recipient.kid, 'bob');
  t.is(H(outer.recipient.protectedBytes), 'a1013818');
  const sign1 = signSign1('alice', encodeContent({ to: 'bob', topic: TOPIC, seq: 7, ts: NOW, body: input().payload }), alice.signSeed, nativeCrypto);
  // tag 18, [h'{1: -8, 4: h"alice"}', ...
  t.is(H(sign1.subarray(0, 13)), 'd2' + '84' + '4a' + 'a2' + '0127' + '04' + '45616c696365');
  const parsed = decodeSign1(sign1);
  t.is(parsed.kid, 'alice');
  // the signed content: {1: "bob", 2: topic, 3: 7, 4: ts, 5: body}
  t.is(H(parsed.payload.subarray(0, 7)), 'a501' + '63626f62' + '02');
});

test('rejections carry distinct reasons', (t) => {
  const env = seal(input());

  rejects(t, env, opts({ recipient: carol }), 'wrong-recipient', /"bob", this device is "carol"/);

  const ct = decodeCoseEncrypt(env).ciphertext;
  const at = Buffer.from(env).indexOf(Buffer.from(ct));
  t.true(at > 0);
  const flipped = env.slice();
  flipped[at + 10]! ^= 0x01;
  rejects(t, flipped, opts(), 'decrypt-failed', /Poly1305 tag/);

  rejects(t, env, opts({ senderKey: () => undefined }), 'unknown-sender', /"alice" is not a known device/);
  rejects(t, env, opts({ senderKey: () => carol.signPublic }), 'bad-signature', /key of "alice"/);
  rejects(t, env, opts({ topic: 'lf/v1/dev/bob/other' }), 'topic-mismatch', /signed topic \(2\)/);
  rejects(t, env.subarray(0, env.length - 1), opts(), 'malformed');
  rejects(t, env, opts({ maxBytes: env.length - 1 }), 'oversize');
  rejects(t, new Uint8Array(MAX_ENVELOPE_BYTES + 1), opts(), 'oversize');

  const replay = new ReplayWindow();
  t.is(open(env, opts({ replay })).seq, 7);
  rejects(t, env, opts({ replay }), 'replay');
  rejects(t, seal(input({ ts: NOW - 10 * 60_000 })), opts({ replay: new ReplayWindow() }), 'stale');
  rejects(t, seal(input({ ts: NOW + 10 * 60_000 })), opts({ replay: new ReplayWindow() }), 'future');
});

test('a flipped byte in the inner signature is bad-signature', (t) => {
  const good = decodeSign1(signSign1('alice', encodeContent({ to: 'bob', topic: TOPIC, seq: 1, ts: NOW, body: new Uint8Array(3) }), alice.signSeed, nativeCrypto));
  t.is(open(sealRaw(encodeSign1(good.protectedBytes, good.payload, good.signature)), opts()).seq, 1);
  const sig = good.signature.slice();
  sig[17]! ^= 0x80;
  rejects(t, sealRaw(encodeSign1(good.protectedBytes, good.payload, sig)), opts(), 'bad-signature');
  rejects(t, seal(input({ sender: { ...alice, signSeed: carol.signSeed } })), opts(), 'bad-signature');
});

test('a message signed for someone else and re-encrypted to us is recipient-mismatch', (t) => {
  // carol received alice's message and forwards it, re-encrypted, to bob
  const forCarol = signSign1('alice', encodeContent({ to: 'carol', topic: TOPIC, seq: 2, ts: NOW, body: new Uint8Array(1) }), alice.signSeed, nativeCrypto);
  rejects(t, sealRaw(forCarol), opts(), 'recipient-mismatch', /signed to \(1\) is "carol"/);
});

test('inner layer that is not a valid COSE_Sign1 is malformed-inner', (t) => {
  rejects(t, sealRaw(encodeCbor([1, 2, 3])), opts(), 'malformed-inner', /tag 18/);
  rejects(t, sealRaw(tagged(18, encodeCbor([1, 2, 3]))), opts(), 'malformed-inner', /RFC 9052 §4\.2/);
  const prot = encodeCbor(new Map<number, unknown>([[1, -7], [4, new TextEncoder().encode('alice')]])); // ES256
  rejects(t, sealRaw(encodeSign1(prot, new Uint8Array(1), new Uint8Array(64))), opts(), 'malformed-inner', /alg \(1\) must be -8/);
  const good = decodeSign1(signSign1('alice', encodeCbor(['not', 'a', 'map']), alice.signSeed, nativeCrypto));
  rejects(t, sealRaw(encodeSign1(good.protectedBytes, good.payload, good.signature)), opts(), 'malformed-inner', /signed content: expected a map/);
});

test('a refused message does not consume its sequence number', (t) => {
  const replay = new ReplayWindow();
  const env = seal(input({ seq: 42 }));
  rejects(t, env, opts({ replay, topic: 'lf/v1/dev/bob/elsewhere' }), 'topic-mismatch');
  rejects(t, env, opts({ replay, senderKey: () => carol.signPublic }), 'bad-signature');
  t.is(open(env, opts({ replay })).seq, 42);
});

test('seal refuses bad input naming the field', (t) => {
  t.throws(() => seal(input({ topic: 'lf/v1/#' })), { instanceOf: TypeError, message: /^topic:/ });
  t.throws(() => seal(input({ seq: -1 })), { instanceOf: TypeError, message: /^seq:/ });
  t.throws(() => seal(input({ ts: 1.5 })), { instanceOf: TypeError, message: /^ts:/ });
  t.throws(() => seal(input({ recipient: { id: 'a/b', kexPublic: bob.kexPublic } })), { message: /^recipient\.id:/ });
  t.throws(() => seal(input({ recipient: { id: 'bob', kexPublic: new Uint8Array(31) } })), { message: /recipient\.kexPublic: expected 32 bytes/ });
  t.throws(() => seal(input({ iv: new Uint8Array(8) })), { message: /^iv: expected 12 bytes/ });
  t.throws(() => seal(input({ payload: new Uint8Array(MAX_ENVELOPE_BYTES) })), { instanceOf: RangeError, message: /MAX_ENVELOPE_BYTES/ });
});

test('senderKey sees the unverified body, but the signature still decides', (t) => {
  const env = seal(input({ payload: Uint8Array.of(0xaa, 0xbb) }));
  let seen: Uint8Array | undefined;
  // a self-certifying lookup that trusts whatever key the body "announces" — here carol's
  rejects(t, env, opts({ senderKey: (_id, body) => { seen = body; return carol.signPublic; } }), 'bad-signature');
  t.deepEqual(seen, Uint8Array.of(0xaa, 0xbb));
});
