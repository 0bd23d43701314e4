/**
 * Key rotation's proof of possession. An enrolled device sends `rotate` {sign, kex, proof} in an
 * envelope signed with its CURRENT key (so only the device can ask); `proof` is Ed25519 by the
 * NEW signing key over
 *
 *   "layerfleet-rotate-v1" 0x00 id 0x00 ‖ old sign key ‖ new sign key ‖ new kex key   (3 × 32 bytes)
 *
 * so the new key cannot be someone else's (whoever names a key must hold it), and a proof made for
 * one device or one old key is worth nothing for another. The id cannot contain 0x00 (device ids
 * are [A-Za-z0-9_.-]) and the keys have fixed lengths, so the string parses one way only. The
 * context differs from the MQTT credential's and from COSE's "Signature1", so none of these
 * signatures can be taken for another. The gateway answers `rotated` sealed to the new kex key,
 * which proves that key: only its holder reads the answer.
 */
import { createHash } from 'node:crypto';
import { bytesEqual } from './bytes.js';
import { nativeCrypto } from './crypto-native.js';
import type { CryptoSuite } from './crypto-suite.js';
import type { DeviceKeys } from './keys.js';
import type { MessageOf } from './messages.js';
import { assertDeviceId } from './topics.js';

const CONTEXT = 'layerfleet-rotate-v1';

/** What people compare to tell keys apart: the first 16 hex digits of SHA-256 of a signing public key. */
export function keyFingerprint(signPublic: Uint8Array): string {
  return createHash('sha256').update(signPublic).digest('hex').slice(0, 16);
}

export function rotationProofBytes(id: string, oldSign: Uint8Array, newSign: Uint8Array, newKex: Uint8Array): Uint8Array {
  assertDeviceId(id, 'rotation proof: id');
  for (const [name, k] of [['old sign', oldSign], ['new sign', newSign], ['new kex', newKex]] as const) {
    if (k.length !== 32) throw new RangeError(`rotation proof: ${name} key must be 32 bytes, got ${k.length}`);
  }
  const head = new TextEncoder().encode(`${CONTEXT}\u0000${id}\u0000`);
  const out = new Uint8Array(head.length + 96);
  out.set(head, 0);
  out.set(oldSign, head.length);
  out.set(newSign, head.length + 32);
  out.set(newKex, head.length + 64);
  return out;
}

/** The `rotate` message moving `oldSignPublic`'s device to `next`. */
export function rotateMessage(oldSignPublic: Uint8Array, next: DeviceKeys, suite: CryptoSuite = nativeCrypto): MessageOf<'rotate'> {
  const proof = suite.ed25519Sign(next.signSeed, rotationProofBytes(next.id, oldSignPublic, next.signPublic, next.kexPublic));
  return { t: 'rotate', sign: next.signPublic, kex: next.kexPublic, proof };
}

/**
 * null when `m` is a sound rotation of device `id` away from `oldSign`; otherwise why not.
 * `retired` are keys the device held before: going back to one would revive a key that may have
 * been stolen, which is what rotating was for.
 */
export function checkRotation(id: string, oldSign: Uint8Array, m: MessageOf<'rotate'>, retired: Uint8Array[] = [], suite: CryptoSuite = nativeCrypto): string | null {
  if (bytesEqual(m.sign, oldSign)) return 'rotate.sign is the current signing key (nothing to rotate)';
  if (retired.some((k) => bytesEqual(k, m.sign))) return 'rotate.sign is a key this device held before (a retired key is never taken back)';
  if (!suite.ed25519Verify(m.sign, rotationProofBytes(id, oldSign, m.sign, m.kex), m.proof)) {
    return 'rotate.proof does not verify with the new signing key over this device id and its current key (not the holder of the new key, or a proof made for another rotation)';
  }
  try {
    // A small-order kex key would leave nothing to seal `rotated`, or anything after it, to.
    suite.x25519(suite.randomBytes(32), m.kex);
  } catch {
    return 'rotate.kex is not a usable X25519 public key (small order)';
  }
  return null;
}
