/**
 * A device's two long-term key pairs — Ed25519 to sign, X25519 to receive encrypted envelopes —
 * and how they live on disk (`<id>.sign.cose`, `<id>.kex.cose`: private COSE_Keys, mode 0600)
 * and on the wire (a COSE_KeySet of the two public keys, for capability announcements).
 */
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesEqual } from './bytes.js';
import { decodeCbor, describe, encodeCbor } from './cbor.js';
import { CoseKeyError, coseKeyFromMap, coseKeyToMap, decodeCoseKey, encodeCoseKey } from './cose-key.js';
import { nativeCrypto } from './crypto-native.js';
import type { CryptoSuite } from './crypto-suite.js';
import { assertDeviceId } from './topics.js';

export interface DeviceKeys {
  id: string;
  /** Ed25519 private key (the 32-byte seed of RFC 8032 §5.1.5). */
  signSeed: Uint8Array;
  signPublic: Uint8Array;
  /** X25519 private scalar (RFC 7748 §5), unclamped as generated. */
  kexPrivate: Uint8Array;
  kexPublic: Uint8Array;
}

export interface PublicDeviceKeys {
  id: string;
  signPublic: Uint8Array;
  kexPublic: Uint8Array;
}

export function generateDeviceKeys(id: string, suite: CryptoSuite = nativeCrypto): DeviceKeys {
  assertDeviceId(id, 'generateDeviceKeys: id');
  const signSeed = suite.randomBytes(32);
  const kexPrivate = suite.randomBytes(32);
  return {
    id,
    signSeed,
    signPublic: suite.ed25519PublicFromSeed(signSeed),
    kexPrivate,
    kexPublic: suite.x25519PublicFromPrivate(kexPrivate),
  };
}

export function publicKeysOf(k: DeviceKeys | PublicDeviceKeys): PublicDeviceKeys {
  return { id: k.id, signPublic: k.signPublic, kexPublic: k.kexPublic };
}

/** `suffix` names another pair beside the live one (key rotation stages the next keys as `.new`). */
export function keyFilePaths(dir: string, id: string, suffix = ''): { sign: string; kex: string } {
  assertDeviceId(id, 'key file id');
  return { sign: join(dir, `${id}.sign.cose${suffix}`), kex: join(dir, `${id}.kex.cose${suffix}`) };
}

export async function saveDeviceKeys(dir: string, keys: DeviceKeys, suffix = ''): Promise<void> {
  const paths = keyFilePaths(dir, keys.id, suffix);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writePrivate(paths.sign, encodeCoseKey({ crv: 'Ed25519', kid: keys.id, x: keys.signPublic, d: keys.signSeed }));
  await writePrivate(paths.kex, encodeCoseKey({ crv: 'X25519', kid: keys.id, x: keys.kexPublic, d: keys.kexPrivate }));
}

/**
 * Writes through a temporary file and a rename so that a crash never leaves a half-written key
 * file, and creates it 0600 so the private key is never readable by others, not even briefly.
 */
async function writePrivate(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, bytes, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600); // in case a umask or filesystem widened it
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * The device's keys from `dir`, or null when neither file exists. A file that exists without its
 * partner, does not decode, or whose public key does not match its private key is an error
 * naming that file — better to stop than to silently mint a new identity.
 */
export async function loadDeviceKeys(dir: string, id: string, suite: CryptoSuite = nativeCrypto, suffix = ''): Promise<DeviceKeys | null> {
  const paths = keyFilePaths(dir, id, suffix);
  const [signBytes, kexBytes] = await Promise.all([readIfExists(paths.sign), readIfExists(paths.kex)]);
  if (signBytes === null && kexBytes === null) return null;
  if (signBytes === null) throw new Error(`${paths.sign}: missing, but ${paths.kex} exists`);
  if (kexBytes === null) throw new Error(`${paths.kex}: missing, but ${paths.sign} exists`);

  const sign = readKeyFile(paths.sign, signBytes, 'Ed25519', id, (d) => suite.ed25519PublicFromSeed(d));
  const kex = readKeyFile(paths.kex, kexBytes, 'X25519', id, (d) => suite.x25519PublicFromPrivate(d));
  return { id, signSeed: sign.d, signPublic: sign.x, kexPrivate: kex.d, kexPublic: kex.x };
}

function readKeyFile(
  path: string,
  bytes: Uint8Array,
  crv: 'Ed25519' | 'X25519',
  id: string,
  derivePublic: (d: Uint8Array) => Uint8Array,
): { x: Uint8Array; d: Uint8Array } {
  let key;
  try {
    key = decodeCoseKey(bytes, { crv, private: true, kid: id });
  } catch (err) {
    if (err instanceof CoseKeyError) throw new Error(`${path}: ${err.message}`);
    throw err;
  }
  const d = key.d!;
  if (!bytesEqual(derivePublic(d), key.x)) throw new Error(`${path}: COSE_Key: x (-2) does not match the public key derived from d (-4)`);
  return { x: key.x, d };
}

async function readIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function loadOrCreateDeviceKeys(dir: string, id: string, suite: CryptoSuite = nativeCrypto): Promise<DeviceKeys> {
  const existing = await loadDeviceKeys(dir, id, suite);
  if (existing) return existing;
  const keys = generateDeviceKeys(id, suite);
  await saveDeviceKeys(dir, keys);
  return keys;
}

/** A COSE_KeySet (RFC 9052 §7: `[+COSE_Key]`) of the Ed25519 then the X25519 public key. */
export function encodePublicKeys(pk: PublicDeviceKeys): Uint8Array {
  assertDeviceId(pk.id, 'encodePublicKeys: id');
  return encodeCbor([
    coseKeyToMap({ crv: 'Ed25519', kid: pk.id, x: pk.signPublic }),
    coseKeyToMap({ crv: 'X25519', kid: pk.id, x: pk.kexPublic }),
  ]);
}

/**
 * Reads what `encodePublicKeys` writes: exactly one Ed25519 and one X25519 public key, in either
 * order, with the same kid, which must be a valid device id. A set carrying a private key is
 * refused: announcing one is a bug that should be loud.
 */
export function decodePublicKeys(bytes: Uint8Array): PublicDeviceKeys {
  let value: unknown;
  try {
    value = decodeCbor(bytes, 'COSE_KeySet');
  } catch (err) {
    throw new CoseKeyError((err as Error).message);
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new CoseKeyError(`COSE_KeySet: expected an array of 2 COSE_Keys (RFC 9052 §7), got ${describe(value)}`);
  }
  const keys = value.map((v, i) => coseKeyFromMap(v, { private: false }, `COSE_KeySet[${i}]`));
  const sign = keys.find((k) => k.crv === 'Ed25519');
  const kex = keys.find((k) => k.crv === 'X25519');
  if (!sign || !kex) throw new CoseKeyError('COSE_KeySet: expected one Ed25519 (crv 6) and one X25519 (crv 4) key');
  if (sign.kid === undefined) throw new CoseKeyError('COSE_KeySet: Ed25519 key has no kid (2)');
  if (kex.kid !== sign.kid) {
    throw new CoseKeyError(`COSE_KeySet: kid (2) differs between the keys (${JSON.stringify(sign.kid)} vs ${JSON.stringify(kex.kid)})`);
  }
  try {
    assertDeviceId(sign.kid, 'COSE_KeySet: kid (2)');
  } catch (err) {
    throw new CoseKeyError((err as Error).message);
  }
  return { id: sign.kid, signPublic: sign.x, kexPublic: kex.x };
}
