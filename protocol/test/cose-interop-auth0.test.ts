// The inner COSE_Sign1 checked by a COSE library this project did not write: @auth0/cose
// (EdDSA through node:crypto). It cannot open the whole envelope (its Encrypt takes only direct
// recipients, DESIGN.md), so our code decrypts and the library verifies.
// Kept in its own file: @auth0/cose and cose-kit both register tag 18 in cbor-x's global table.
import test from 'ava';
import { Algorithms, Encrypt, Headers, Sign1 } from '@auth0/cose';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { decodeCoseEncrypt, decryptParsed, encryptToRecipient } from '../src/cose-encrypt.js';
import { decodeSign1, encodeSign1, verifySign1 } from '../src/cose-sign1.js';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import { decodeContent, encodeContent } from '../src/envelope-content.js';
import { open, seal } from '../src/envelope.js';
import { generateDeviceKeys } from '../src/keys.js';
import { independentCek, independentDecrypt } from './fixtures/independent-ecdh-ss.js';

const alice = generateDeviceKeys('alice');
const bob = generateDeviceKeys('bob');
const TOPIC = 'lf/v1/dev/bob/in';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const alicePublic = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(alice.signPublic) }, format: 'jwk' });

function innerSign1(): Uint8Array {
  const env = seal({ sender: alice, recipient: bob, topic: TOPIC, seq: 3, ts: Date.now(), payload: Uint8Array.of(1, 2, 3) });
  return decryptParsed(decodeCoseEncrypt(env), bob.kexPrivate, nativeCrypto);
}

test('@auth0/cose verifies the inner COSE_Sign1 and reads the same kid and payload', async (t) => {
  const bytes = innerSign1();
  const msg = Sign1.decode(bytes);
  t.is(msg.alg, Algorithms.EdDSA);
  t.is(Buffer.from(msg.kid!).toString('utf8'), 'alice');
  t.deepEqual(decodeContent(msg.payload).body, Uint8Array.of(1, 2, 3));
  await t.notThrowsAsync(msg.verify(alicePublic, { algorithms: [Algorithms.EdDSA] }));
});

test('@auth0/cose refuses the same Sign1 with one signature byte flipped, or with another key', async (t) => {
  const ours = decodeSign1(innerSign1());
  const sig = ours.signature.slice();
  sig[0]! ^= 0x01;
  const corrupted = Sign1.decode(encodeSign1(ours.protectedBytes, ours.payload, sig));
  await t.throwsAsync(corrupted.verify(alicePublic));
  const other = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(bob.signPublic) }, format: 'jwk' });
  await t.throwsAsync(Sign1.decode(innerSign1()).verify(other));
});

test('a Sign1 made by @auth0/cose verifies with both our suites and opens inside our envelope', async (t) => {
  const alicePrivate = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(alice.signPublic), d: b64(alice.signSeed) }, format: 'jwk' });
  const content = encodeContent({ to: 'bob', topic: TOPIC, seq: 9, ts: Date.now(), body: Uint8Array.of(7) });
  const theirs = await Sign1.sign(
    [[Headers.Algorithm, Algorithms.EdDSA], [Headers.KeyID, new TextEncoder().encode('alice')]],
    undefined,
    content,
    alicePrivate,
  );
  const bytes = new Uint8Array(theirs.encode());
  const parsed = decodeSign1(bytes);
  t.true(verifySign1(parsed, alice.signPublic, nativeCrypto));
  t.true(verifySign1(parsed, alice.signPublic, portableCrypto));
  const opened = open(encryptToRecipient(bytes, bob, nativeCrypto), { recipient: bob, topic: TOPIC, senderKey: () => alice.signPublic });
  t.is(opened.sender, 'alice');
  t.is(opened.seq, 9);
});

test('ECDH-SS (-27): @auth0/cose parses the envelope, an independent derivation decrypts it, @auth0/cose verifies the Sign1 inside', async (t) => {
  for (const suite of [nativeCrypto, portableCrypto]) {
    const env = seal({ sender: alice, recipient: bob, topic: TOPIC, seq: 4, ts: Date.now(), payload: Uint8Array.of(4, 5, 6), keyAgreement: 'ecdh-ss' }, suite);
    const msg = Encrypt.decode(Buffer.from(env));
    t.deepEqual([...msg.protectedHeaders], [[Headers.Algorithm, 24]]);
    t.is(msg.recipients.length, 1);
    const r = msg.recipients[0]!;
    t.deepEqual([...r.protectedHeaders], [[Headers.Algorithm, -27]]);
    const header = (label: number) => r.unprotectedHeaders.get(label as Headers) as Uint8Array;
    const staticKey = r.unprotectedHeaders.get(-2 as Headers) as unknown as Map<number, unknown>;
    t.deepEqual([...staticKey.entries()].map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]),
      [[1, 1], [-1, 4], [-2, Buffer.from(alice.kexPublic).toString('hex')]], 'static key (-2): COSE_Key OKP X25519, alice\'s');
    t.is(Buffer.from(header(Headers.KeyID)).toString('utf8'), 'bob');
    t.is(header(-22).length, 16, 'PartyU nonce (-22)');
    const cek = independentCek(bob, alice.kexPublic, header(-22));
    const sign1 = independentDecrypt(cek, msg.unprotectedHeaders.get(Headers.IV) as Uint8Array, msg.ciphertext);
    const inner = Sign1.decode(sign1);
    t.is(Buffer.from(inner.kid!).toString('utf8'), 'alice');
    t.deepEqual(decodeContent(inner.payload).body, Uint8Array.of(4, 5, 6));
    await t.notThrowsAsync(inner.verify(alicePublic, { algorithms: [Algorithms.EdDSA] }), suite.name);
    // and the independent side tells a wrong static key apart: carol's key against bob's gives another CEK
    const carol = generateDeviceKeys('carol');
    t.throws(() => independentDecrypt(independentCek(bob, carol.kexPublic, header(-22)), msg.unprotectedHeaders.get(Headers.IV) as Uint8Array, msg.ciphertext));
  }
});
