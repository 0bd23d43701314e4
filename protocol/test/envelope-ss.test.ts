// ECDH-SS + HKDF-256 (-27) envelopes: round trips, the recipient-side checks on the sender's static
// key (-2), replay protection that a fresh (or reused) PartyU nonce cannot get around, the cached pair
// secret and its invalidation when keys rotate, and which mode SecureEndpoint picks.
import test from 'ava';
import { decodeCbor, encodeCbor } from '../src/cbor.js';
import { decodeCoseEncrypt, decryptParsed, encryptStaticToRecipient, encryptToRecipient } from '../src/cose-encrypt.js';
import { signSign1 } from '../src/cose-sign1.js';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import type { CryptoSuite } from '../src/crypto-suite.js';
import { encodeContent } from '../src/envelope-content.js';
import { EnvelopeError, open, seal, type EnvelopeRejection, type OpenOptions, type SealInput } from '../src/envelope.js';
import { generateDeviceKeys, publicKeysOf, type DeviceKeys } from '../src/keys.js';
import { ReplayWindow } from '../src/replay-window.js';
import { Rejected, SecureEndpoint } from '../src/secure-endpoint.js';
import { StaticSecrets } from '../src/static-secrets.js';
import { topics } from '../src/topics.js';
import { toHex as H } from '../src/hex.js';

const alice = generateDeviceKeys('alice');
const bob = generateDeviceKeys('bob');
const carol = generateDeviceKeys('carol');
const everyone = new Map([alice, bob, carol].map((k) => [k.id, k]));
const TOPIC = topics.deviceInbox('bob');
const NOW = 1_760_000_000_000;
const payload = new TextEncoder().encode('activation bytes');

const input = (over: Partial<SealInput> = {}): SealInput =>
  ({ sender: alice, recipient: bob, topic: TOPIC, seq: 7, ts: NOW, payload, keyAgreement: 'ecdh-ss', ...over });
const opts = (over: Partial<OpenOptions> = {}): OpenOptions => ({
  recipient: bob, topic: TOPIC, now: NOW,
  senderKey: (id) => everyone.get(id)?.signPublic,
  senderKexKey: (id) => everyone.get(id)?.kexPublic,
  ...over,
});

function rejects(t: import('ava').ExecutionContext, bytes: Uint8Array, o: OpenOptions, reason: EnvelopeRejection, message?: RegExp): void {
  const err = t.throws(() => open(bytes, o), { instanceOf: EnvelopeError });
  t.is(err?.reason, reason, err?.message);
  if (message) t.regex(err?.message ?? '', message);
}

/** The recipient's protected alg and unprotected labels of an envelope. */
function recipientOf(env: Uint8Array): { alg: unknown; labels: Map<number, unknown> } {
  const outer = decodeCbor(env.subarray(2), 'test') as unknown[];
  const [prot, unprot] = (outer[3] as unknown[][])[0]!;
  return { alg: (decodeCbor(prot as Uint8Array, 'test') as Map<number, unknown>).get(1), labels: unprot as Map<number, unknown> };
}

/** A suite that counts its X25519 agreements. */
function counting(suite: CryptoSuite = nativeCrypto): { suite: CryptoSuite; x25519: () => number } {
  let n = 0;
  return { suite: { ...suite, x25519: (a, b) => { n++; return suite.x25519(a, b); } }, x25519: () => n };
}

test('ECDH-SS seal then open returns what was sealed, with both suites and across them', (t) => {
  const pairs: Array<[CryptoSuite, CryptoSuite]> = [[nativeCrypto, nativeCrypto], [portableCrypto, portableCrypto], [nativeCrypto, portableCrypto], [portableCrypto, nativeCrypto]];
  for (const [by, at] of pairs) {
    const got = open(seal(input(), by), opts({ suite: at }));
    t.deepEqual(got, { sender: 'alice', recipient: 'bob', topic: TOPIC, seq: 7, ts: NOW, payload }, `${by.name} → ${at.name}`);
  }
  const fixed = { partyUNonce: new Uint8Array(16).fill(9), iv: new Uint8Array(12).fill(5) };
  t.is(H(seal(input(fixed), nativeCrypto)), H(seal(input(fixed), portableCrypto)), 'same bytes from both suites');
});

test('the ECDH-SS recipient: {1: -27}, the sender\'s static key (-2), kid (4), a fresh 16-byte PartyU nonce (-22) per message', (t) => {
  const a = seal(input());
  const b = seal(input());
  const r = recipientOf(a);
  t.is(r.alg, -27);
  t.deepEqual([...r.labels.keys()], [-2, 4, -22]);
  t.is(H((r.labels.get(-2) as Map<number, unknown>).get(-2) as Uint8Array), H(alice.kexPublic));
  t.deepEqual([...(r.labels.get(-2) as Map<number, unknown>).entries()].filter(([k]) => k !== -2), [[1, 1], [-1, 4]], 'COSE_Key kty OKP, crv X25519');
  t.is(new TextDecoder().decode(r.labels.get(4) as Uint8Array), 'bob');
  t.is((r.labels.get(-22) as Uint8Array).length, 16);
  t.not(H(r.labels.get(-22) as Uint8Array), H(recipientOf(b).labels.get(-22) as Uint8Array));
  // ECDH-ES stays as it was: ephemeral key (-1), kid (4)
  const es = recipientOf(seal(input({ keyAgreement: 'ecdh-es' })));
  t.is(es.alg, -25);
  t.deepEqual([...es.labels.keys()], [-1, 4]);
  // the SS envelope is only the nonce longer: a COSE_Key either way
  t.is(a.length, seal(input({ keyAgreement: 'ecdh-es' })).length + 2 + 16);
});

test('open accepts both -25 and -27 on input; an -27 envelope is self-contained: the recipient key and the signer\'s key open it', (t) => {
  for (const keyAgreement of ['ecdh-es', 'ecdh-ss'] as const) {
    t.is(open(seal(input({ keyAgreement })), opts()).sender, 'alice', keyAgreement);
  }
  t.true(decryptParsed(decodeCoseEncrypt(seal(input())), bob.kexPrivate, nativeCrypto).length > 0);
  // Without a static key lookup (a tool reading a capture) the key is taken as it comes: it proves
  // what an ephemeral key would, and the signature still proves the sender.
  const { senderKexKey: _, ...withoutLookup } = opts();
  t.is(open(seal(input()), withoutLookup).sender, 'alice');
});

/** `env` with its recipient's unprotected label `label` set to `value`. */
function withRecipientLabel(env: Uint8Array, label: number, value: unknown): Uint8Array {
  const outer = decodeCbor(env.subarray(2), 'test') as unknown[];
  ((outer[3] as unknown[][])[0]![1] as Map<number, unknown>).set(label, value);
  return Uint8Array.from([0xd8, 0x60, ...encodeCbor(outer)]);
}

test('wrong static key: an unknown signer, another device\'s key, a key the sender does not hold, a rotated key, a small-order key', (t) => {
  // The recipient has no static key for the signer (first contact must use -25).
  rejects(t, seal(input()), opts({ senderKexKey: () => undefined }), 'unknown-sender', /"alice" is not a known device: no static key to check the ECDH-SS static key \(-2\) against/);

  // Carol encrypts with her own static key, but the COSE_Sign1 inside is alice's.
  const alicesSign1 = signSign1('alice', encodeContent({ to: 'bob', topic: TOPIC, seq: 1, ts: NOW, body: payload }), alice.signSeed, nativeCrypto);
  const byCarol = encryptStaticToRecipient(alicesSign1, { senderStatic: carol.kexPublic, recipientId: 'bob', sharedSecret: nativeCrypto.x25519(carol.kexPrivate, bob.kexPublic) }, nativeCrypto);
  rejects(t, byCarol, opts(), 'static-key-mismatch', /static key \(-2\) is not the static key of "alice", the COSE_Sign1's signer/);

  // Mallory puts alice's static key in the header but can only agree with a key of her own: no decryption.
  const mallory = generateDeviceKeys('mallory');
  const forged = encryptStaticToRecipient(alicesSign1, { senderStatic: alice.kexPublic, recipientId: 'bob', sharedSecret: nativeCrypto.x25519(mallory.kexPrivate, bob.kexPublic) }, nativeCrypto);
  rejects(t, forged, opts(), 'decrypt-failed');
  // ... and with her own key in it, it decrypts but is not alice's.
  const own = encryptStaticToRecipient(alicesSign1, { senderStatic: mallory.kexPublic, recipientId: 'bob', sharedSecret: nativeCrypto.x25519(mallory.kexPrivate, bob.kexPublic) }, nativeCrypto);
  rejects(t, own, opts(), 'static-key-mismatch');

  // Bob knows alice by a newer key than the one this envelope was made with.
  rejects(t, seal(input()), opts({ senderKexKey: (id) => (id === 'alice' ? generateDeviceKeys('alice').kexPublic : undefined) }), 'static-key-mismatch');

  // A small-order static key: the agreement is refused, named, never a crash.
  rejects(t, withRecipientLabel(seal(input()), -2, new Map<number, unknown>([[1, 1], [-1, 4], [-2, new Uint8Array(32)]])), opts(), 'malformed', /static key \(-2\) unusable/);
});

test('replays are refused whatever the PartyU nonce: the same envelope, the same Sign1 under a fresh nonce or under ECDH-ES, a reused nonce', (t) => {
  const replay = new ReplayWindow();
  const o = opts({ replay });
  const env = seal(input({ seq: 100 }));
  t.is(open(env, o).seq, 100);
  rejects(t, env, o, 'replay');

  // Whoever can re-encrypt the signed message (the sender, with its static key) gets a new nonce and a
  // new content key, but the signed seq is the same: refused.
  const sign1 = decryptParsed(decodeCoseEncrypt(env), bob.kexPrivate, nativeCrypto);
  const secret = nativeCrypto.x25519(alice.kexPrivate, bob.kexPublic);
  rejects(t, encryptStaticToRecipient(sign1, { senderStatic: alice.kexPublic, recipientId: 'bob', sharedSecret: secret }, nativeCrypto), o, 'replay');
  rejects(t, encryptToRecipient(sign1, bob, nativeCrypto), o, 'replay');

  // A sender that reuses a nonce: nothing is accepted twice because of it.
  const nonce = new Uint8Array(16).fill(1);
  const first = seal(input({ seq: 101, partyUNonce: nonce }));
  const again = seal(input({ seq: 101, partyUNonce: nonce }));
  t.is(open(first, o).seq, 101);
  rejects(t, again, o, 'replay');
  t.is(open(seal(input({ seq: 102, partyUNonce: nonce })), o).seq, 102);
});

test('an altered or ill-sized PartyU nonce never opens: decrypt-failed or malformed, and nothing is recorded', (t) => {
  const replay = new ReplayWindow();
  const env = seal(input({ seq: 200, partyUNonce: new Uint8Array(16).fill(0xab) }));
  const at = Buffer.from(env).indexOf(Buffer.from(new Uint8Array(16).fill(0xab)));
  const flipped = env.slice();
  flipped[at + 3]! ^= 0x01;
  rejects(t, flipped, opts({ replay }), 'decrypt-failed');
  t.is(open(env, opts({ replay })).seq, 200, 'the refused copy did not use up the seq');

  for (const bad of [new Uint8Array(15), new Uint8Array(65), 12345, 'nonce', null]) {
    rejects(t, withRecipientLabel(env, -22, bad), opts(), 'malformed', /PartyU nonce \(-22\) must be a byte string of 16–64 bytes/);
  }
});

test('ECDH-SS recipients refuse the headers that would derive the key another way (-1, -3, salt, other party info) and a static key that is not one', (t) => {
  const env = seal(input());
  for (const label of [-1, -3, -20, -21, -23, -24, -25, -26]) {
    rejects(t, withRecipientLabel(env, label, new Uint8Array(16)), opts(), 'malformed', /is not used with ECDH-SS here/);
  }
  rejects(t, withRecipientLabel(env, -2, new Uint8Array(32)), opts(), 'malformed', /static key \(-2\)/);
  rejects(t, withRecipientLabel(env, -2, new Map<number, unknown>([[1, 1], [-1, 6], [-2, alice.signPublic]])), opts(), 'malformed', /static key \(-2\)/);
  rejects(t, withRecipientLabel(env, -2, new Map<number, unknown>([[1, 1], [-1, 4], [-2, alice.kexPublic], [-4, alice.kexPrivate]])), opts(), 'malformed', /static key \(-2\)/);
  const nonCanonical = Uint8Array.from(Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'));
  rejects(t, withRecipientLabel(env, -2, new Map<number, unknown>([[1, 1], [-1, 4], [-2, nonCanonical]])), opts(), 'malformed', /not a canonical X25519/);
});

test('StaticSecrets: one X25519 agreement per pair of keys, bounded, recomputed when either key changes', (t) => {
  const { suite, x25519 } = counting();
  const secrets = new StaticSecrets(2);
  const s1 = secrets.secret(bob.kexPublic, alice, suite);
  for (let i = 0; i < 5; i++) t.is(secrets.secret(bob.kexPublic, alice, suite), s1);
  t.is(x25519(), 1);
  t.is(H(s1), H(nativeCrypto.x25519(bob.kexPrivate, alice.kexPublic)), 'the same secret from the other side');

  const bob2 = generateDeviceKeys('bob');
  t.not(H(secrets.secret(bob2.kexPublic, alice, suite)), H(s1), 'peer key changed: recomputed, not the stale secret');
  const alice2 = generateDeviceKeys('alice');
  t.is(secrets.peek(bob2.kexPublic, alice2), undefined, 'own key changed: no stale secret');
  secrets.secret(bob2.kexPublic, alice2, suite);
  t.is(x25519(), 3, 'own key changed: recomputed');

  const dave = generateDeviceKeys('dave');
  secrets.secret(carol.kexPublic, alice, suite);
  secrets.secret(dave.kexPublic, alice, suite);
  t.is(secrets.size, 2, 'bounded: the least recently used entry went');
  secrets.forget(dave.kexPublic);
  t.is(secrets.size, 1);
  secrets.clear();
  t.is(secrets.size, 0);
  t.throws(() => new StaticSecrets(0), { instanceOf: RangeError });
});

test('seal and open through StaticSecrets compute the pair secret once on each side; a static key that fails its check is not kept', (t) => {
  const sender = counting();
  const receiver = counting();
  const sealing = new StaticSecrets();
  const opening = new StaticSecrets();
  for (let seq = 1; seq <= 20; seq++) {
    const env = seal(input({ seq, secrets: sealing }), sender.suite);
    t.is(open(env, opts({ secrets: opening, suite: receiver.suite })).seq, seq);
  }
  t.is(sender.x25519(), 1);
  t.is(receiver.x25519(), 1);
  t.is(sealing.computed + opening.computed, 2);
  // Mallory's key in a header costs her envelope an agreement, but takes no place in the cache.
  const mallory = generateDeviceKeys('mallory');
  const sign1 = signSign1('alice', encodeContent({ to: 'bob', topic: TOPIC, seq: 99, ts: NOW, body: payload }), alice.signSeed, nativeCrypto);
  const env = encryptStaticToRecipient(sign1, { senderStatic: mallory.kexPublic, recipientId: 'bob', sharedSecret: nativeCrypto.x25519(mallory.kexPrivate, bob.kexPublic) }, nativeCrypto);
  rejects(t, env, opts({ secrets: opening }), 'static-key-mismatch');
  t.is(opening.size, 1);
  t.is(opening.peek(mallory.kexPublic, bob), undefined);
});

function pair(keyAgreement?: 'ecdh-es' | 'ecdh-ss'): { a: SecureEndpoint; b: SecureEndpoint } {
  const a = new SecureEndpoint(alice, keyAgreement ? { keyAgreement } : {});
  const b = new SecureEndpoint(bob);
  a.addPeer(publicKeysOf(bob));
  b.addPeer(publicKeysOf(alice));
  return { a, b };
}
const heartbeat = { t: 'heartbeat', bootId: 'b', queue: 0 } as const;
const hello = (k: DeviceKeys) => ({ t: 'hello', sign: k.signPublic, kex: k.kexPublic, bootId: 'b', caps: { macsPerSecond: 1, measuredMacsPerSecond: 1, memoryBytes: 1, rateBitsPerSecond: 1, role: 'worker' } }) as const;

test('SecureEndpoint seals to known peers with ECDH-SS, introductions with ECDH-ES, and opens both', (t) => {
  const { a, b } = pair();
  t.is(a.keyAgreement, 'ecdh-ss');
  const hb = a.seal('bob', TOPIC, heartbeat);
  t.is(recipientOf(hb).alg, -27);
  t.is(b.open(TOPIC, hb).message.t, 'heartbeat');
  const hi = a.seal('bob', TOPIC, hello(alice));
  t.is(recipientOf(hi).alg, -25, 'hello: the recipient may not hold the sender\'s keys yet');
  t.is(b.open(TOPIC, hi).message.t, 'hello');
  // A recipient that has not met alice opens her hello (self-certified) but not her ECDH-SS heartbeat.
  const stranger = new SecureEndpoint(bob);
  t.is(stranger.open(TOPIC, a.seal('bob', TOPIC, hello(alice)), true).message.t, 'hello');
  t.is(t.throws(() => stranger.open(TOPIC, a.seal('bob', TOPIC, heartbeat)), { instanceOf: Rejected })?.reason, 'unknown-sender');

  const es = pair('ecdh-es');
  const forcedEs = es.a.seal('bob', TOPIC, heartbeat);
  t.is(recipientOf(forcedEs).alg, -25);
  t.is(es.b.open(TOPIC, forcedEs).sender, 'alice');
});

test('SecureEndpoint: the pair secret is computed once, and forgotten when the peer\'s keys rotate or its own keys change', (t) => {
  const { a, b } = pair();
  for (let i = 0; i < 10; i++) b.open(TOPIC, a.seal('bob', TOPIC, heartbeat));
  t.is(a.secrets.computed, 1);
  t.is(b.secrets.computed, 1);
  t.is(b.secrets.size, 1);

  // Same keys again (every plan lists its peers): the secret stays.
  b.addPeer(publicKeysOf(alice));
  t.is(b.secrets.size, 1);

  // Alice rotates: bob takes her new keys and forgets the old secret; envelopes under the old static
  // key are refused as stale-key, the new ones open.
  const oldEnvelope = a.seal('bob', TOPIC, heartbeat);
  const alice2 = generateDeviceKeys('alice');
  b.rotatePeer(publicKeysOf(alice2), alice.signPublic);
  t.is(b.secrets.size, 0);
  const stale = t.throws(() => b.open(TOPIC, oldEnvelope), { instanceOf: Rejected });
  t.is(stale?.reason, 'stale-key', stale?.message);
  a.rekey(alice2);
  t.is(a.secrets.size, 0, 'own keys changed: every secret dropped');
  t.is(b.open(TOPIC, a.seal('bob', TOPIC, heartbeat)).sender, 'alice');
  t.is(a.secrets.computed, 2);
  t.is(b.secrets.computed, 2);

  // addPeer with another kex key (a plan naming new keys) forgets too.
  const carolEndpoint = new SecureEndpoint(carol);
  carolEndpoint.addPeer(publicKeysOf(bob));
  b.addPeer(publicKeysOf(carol));
  b.open(topics.deviceInbox('bob'), carolEndpoint.seal('bob', TOPIC, heartbeat));
  const carol2 = generateDeviceKeys('carol');
  b.addPeer(publicKeysOf(carol2));
  const c2 = new SecureEndpoint(carol2);
  c2.addPeer(publicKeysOf(bob));
  t.is(b.open(TOPIC, c2.seal('bob', TOPIC, heartbeat)).sender, 'carol');
  t.is(t.throws(() => b.open(TOPIC, carolEndpoint.seal('bob', TOPIC, heartbeat)), { instanceOf: Rejected })?.reason, 'static-key-mismatch');
});

test('SecureEndpoint with staged keys opens ECDH-SS sealed to the next key, as a rotation\'s answer is', (t) => {
  const { a, b } = pair();
  const bob2 = generateDeviceKeys('bob');
  b.stage(bob2);
  a.addPeer(publicKeysOf(bob2));
  t.is(b.open(TOPIC, a.seal('bob', TOPIC, heartbeat)).sender, 'alice', 'sealed to the staged key');
  b.unstage();
  t.is(t.throws(() => b.open(TOPIC, a.seal('bob', TOPIC, heartbeat)), { instanceOf: Rejected })?.reason, 'decrypt-failed');
});
