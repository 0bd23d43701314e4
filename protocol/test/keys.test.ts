import test from 'ava';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCoseKey } from '../src/cose-key.js';
import { nativeCrypto } from '../src/crypto-native.js';
import { portableCrypto } from '../src/crypto-portable.js';
import {
  decodePublicKeys,
  encodePublicKeys,
  generateDeviceKeys,
  loadDeviceKeys,
  loadOrCreateDeviceKeys,
  publicKeysOf,
  saveDeviceKeys,
} from '../src/keys.js';
import { encodeCbor } from '../src/cbor.js';
import { coseKeyToMap } from '../src/cose-key.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lf-keys-'));
}

test('generated keys are consistent across suites', (t) => {
  const k = generateDeviceKeys('agent-1');
  t.deepEqual(portableCrypto.ed25519PublicFromSeed(k.signSeed), k.signPublic);
  t.deepEqual(portableCrypto.x25519PublicFromPrivate(k.kexPrivate), k.kexPublic);
  t.throws(() => generateDeviceKeys('bad/id'), { message: /id/ });
});

test('save writes <id>.sign.cose and <id>.kex.cose, mode 0600, and load reads them back', async (t) => {
  const root = await tempDir();
  try {
    const dir = join(root, 'nested', 'keys'); // mkdir -p
    const k = generateDeviceKeys('cam1');
    await saveDeviceKeys(dir, k);
    t.deepEqual((await readdir(dir)).sort(), ['cam1.kex.cose', 'cam1.sign.cose']);
    for (const f of ['cam1.kex.cose', 'cam1.sign.cose']) t.is((await stat(join(dir, f))).mode & 0o777, 0o600, f);
    const sign = decodeCoseKey(await readFile(join(dir, 'cam1.sign.cose')), { crv: 'Ed25519', private: true, kid: 'cam1' });
    t.deepEqual(sign.d, k.signSeed);
    t.deepEqual(await loadDeviceKeys(dir, 'cam1'), k);
    t.deepEqual(await loadDeviceKeys(dir, 'cam1', portableCrypto), k);
    t.is(await loadDeviceKeys(dir, 'other'), null);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('loadOrCreateDeviceKeys creates once, then returns the same keys', async (t) => {
  const dir = await tempDir();
  try {
    const first = await loadOrCreateDeviceKeys(dir, 'gw');
    const second = await loadOrCreateDeviceKeys(dir, 'gw');
    t.deepEqual(second, first);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('corrupt, mismatched or half-present key files are errors naming the file', async (t) => {
  const dir = await tempDir();
  try {
    const k = generateDeviceKeys('dev9');
    await saveDeviceKeys(dir, k);
    const signPath = join(dir, 'dev9.sign.cose');
    const kexPath = join(dir, 'dev9.kex.cose');

    await writeFile(signPath, Uint8Array.of(0xa1, 0x01));
    await t.throwsAsync(loadDeviceKeys(dir, 'dev9'), { message: new RegExp(`^${signPath}: .*not well-formed CBOR`) });

    // x that does not belong to d
    const other = generateDeviceKeys('dev9');
    await writeFile(signPath, encodeCbor(coseKeyToMap({ crv: 'Ed25519', kid: 'dev9', x: other.signPublic, d: k.signSeed })));
    await t.throwsAsync(loadDeviceKeys(dir, 'dev9'), { message: new RegExp(`^${signPath}: .*x \\(-2\\) does not match`) });

    // the X25519 file holding an Ed25519 key
    await writeFile(signPath, encodeCbor(coseKeyToMap({ crv: 'Ed25519', kid: 'dev9', x: k.signPublic, d: k.signSeed })));
    await writeFile(kexPath, encodeCbor(coseKeyToMap({ crv: 'Ed25519', kid: 'dev9', x: k.signPublic, d: k.signSeed })));
    await t.throwsAsync(loadDeviceKeys(dir, 'dev9'), { message: `${kexPath}: COSE_Key: crv (-1) must be 4 (X25519), got 6` });

    // kid of another device
    await writeFile(kexPath, encodeCbor(coseKeyToMap({ crv: 'X25519', kid: 'dev8', x: k.kexPublic, d: k.kexPrivate })));
    await t.throwsAsync(loadDeviceKeys(dir, 'dev9'), { message: /kid \(2\) must be "dev9", got "dev8"/ });

    await rm(kexPath);
    await t.throwsAsync(loadDeviceKeys(dir, 'dev9'), { message: `${kexPath}: missing, but ${signPath} exists` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('public keys encode as a COSE_KeySet and decode back; private keys are refused', (t) => {
  const k = generateDeviceKeys('rpi-3');
  const pk = publicKeysOf(k);
  t.deepEqual(Object.keys(pk).sort(), ['id', 'kexPublic', 'signPublic']);
  t.deepEqual(decodePublicKeys(encodePublicKeys(pk)), pk);

  const withPrivate = encodeCbor([coseKeyToMap({ crv: 'Ed25519', kid: 'rpi-3', x: k.signPublic, d: k.signSeed }), coseKeyToMap({ crv: 'X25519', kid: 'rpi-3', x: k.kexPublic })]);
  t.throws(() => decodePublicKeys(withPrivate), { message: /^COSE_KeySet\[0\]: d \(-4\) present/ });
  const mixedKid = encodeCbor([coseKeyToMap({ crv: 'Ed25519', kid: 'a', x: k.signPublic }), coseKeyToMap({ crv: 'X25519', kid: 'b', x: k.kexPublic })]);
  t.throws(() => decodePublicKeys(mixedKid), { message: /kid \(2\) differs/ });
  const twoEd = encodeCbor([coseKeyToMap({ crv: 'Ed25519', kid: 'a', x: k.signPublic }), coseKeyToMap({ crv: 'Ed25519', kid: 'a', x: k.signPublic })]);
  t.throws(() => decodePublicKeys(twoEd), { message: /one Ed25519 .* and one X25519/ });
  t.throws(() => decodePublicKeys(encodeCbor([1])), { message: /expected an array of 2 COSE_Keys/ });
});

test('nativeCrypto is the default suite for generateDeviceKeys', (t) => {
  const k = generateDeviceKeys('n1', nativeCrypto);
  t.is(k.signSeed.length, 32);
  t.notDeepEqual(k.signSeed, generateDeviceKeys('n1').signSeed);
});
