// The inner COSE_Sign1 checked by a second independent library, cose-kit (EdDSA via node:crypto).
// Separate file from the @auth0/cose test: both register tag 18 in cbor-x's global table.
import test from 'ava';
import { coseVerify } from 'cose-kit';
import { createPublicKey } from 'node:crypto';
import { decodeCoseEncrypt, decryptParsed } from '../src/cose-encrypt.js';
import { decodeSign1, encodeSign1 } from '../src/cose-sign1.js';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import { seal } from '../src/envelope.js';
import { generateDeviceKeys } from '../src/keys.js';
import { independentCek, independentDecrypt } from './fixtures/independent-ecdh-ss.js';

const alice = generateDeviceKeys('alice');
const bob = generateDeviceKeys('bob');
const alicePublic = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(alice.signPublic).toString('base64url') }, format: 'jwk' });

for (const suite of [nativeCrypto, portableCrypto]) {
  test(`cose-kit verifies the inner COSE_Sign1 sealed by ${suite.name}, and not a corrupted one`, async (t) => {
    const env = seal({ sender: alice, recipient: bob, topic: 'lf/v1/dev/bob/in', seq: 1, ts: Date.now(), payload: new Uint8Array(2000).fill(9) }, suite);
    const sign1 = decryptParsed(decodeCoseEncrypt(env), bob.kexPrivate, suite);
    const ok = await coseVerify(sign1, alicePublic);
    t.true(ok.isValid);

    const ours = decodeSign1(sign1);
    const sig = ours.signature.slice();
    sig[63]! ^= 0x40;
    const bad = await coseVerify(encodeSign1(ours.protectedBytes, ours.payload, sig), alicePublic);
    t.false(bad.isValid);
  });
}

for (const suite of [nativeCrypto, portableCrypto]) {
  test(`ECDH-SS (-27) sealed by ${suite.name}: decrypted by an independent derivation, its COSE_Sign1 verified by cose-kit`, async (t) => {
    const env = seal({ sender: alice, recipient: bob, topic: 'lf/v1/dev/bob/in', seq: 2, ts: Date.now(), payload: new Uint8Array(2000).fill(7), keyAgreement: 'ecdh-ss' }, suite);
    // Only the structure is read with our decoder here; @auth0/cose parses it in the other interop file.
    const parsed = decodeCoseEncrypt(env);
    if (parsed.recipient.alg !== -27) return t.fail(`recipient alg ${parsed.recipient.alg}`);
    const sign1 = independentDecrypt(independentCek(bob, alice.kexPublic, parsed.recipient.partyUNonce), parsed.iv, parsed.ciphertext);
    t.true((await coseVerify(sign1, alicePublic)).isValid);
  });
}
