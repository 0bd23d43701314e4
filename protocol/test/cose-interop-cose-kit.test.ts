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
