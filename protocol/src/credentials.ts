/**
 * MQTT credentials derived from a device's signing key, not a shared password: the CONNECT
 * username is the device id, the password a CBOR array [ts, signature] where the signature is
 * Ed25519 over "layerfleet-mqtt-v1" 0x00 id 0x00 ts (decimal). The broker checks it against the
 * key registered at enrolment and refuses a timestamp outside ±maxSkewMs, which bounds how long
 * a captured CONNECT can be replayed (TLS closes that window on untrusted networks).
 *
 * Enrolment itself connects as `enrol:<id>` with the one-time token as password.
 */
import { decodeCbor, encodeCbor } from './cbor.js';
import { nativeCrypto } from './crypto-native.js';
import type { CryptoSuite } from './crypto-suite.js';
import type { DeviceKeys } from './keys.js';

const CONTEXT = 'layerfleet-mqtt-v1';
export const ENROL_USERNAME_PREFIX = 'enrol:';
/** The read-only dashboard account (telemetry only). */
export const DASHBOARD_USERNAME = 'dashboard';
/** The largest CONNECT password the broker reads at all. */
export const MAX_PASSWORD_BYTES = 256;

function signedBytes(id: string, ts: number): Uint8Array {
  return new TextEncoder().encode(`${CONTEXT}\u0000${id}\u0000${ts}`);
}

export interface MqttCredentials { username: string; password: Buffer }

export function mqttCredentials(keys: DeviceKeys, now = Date.now(), suite: CryptoSuite = nativeCrypto): MqttCredentials {
  const sig = suite.ed25519Sign(keys.signSeed, signedBytes(keys.id, now));
  return { username: keys.id, password: Buffer.from(encodeCbor([now, sig])) };
}

/** null when `password` is a valid credential of `id` under `signPublic`; otherwise why not. */
export function checkMqttCredentials(id: string, password: Uint8Array | undefined, signPublic: Uint8Array, now: number, maxSkewMs = 5 * 60_000, suite: CryptoSuite = nativeCrypto): string | null {
  if (!password || password.length === 0) return 'no password';
  if (password.length > MAX_PASSWORD_BYTES) return `password of ${password.length} bytes, the limit is ${MAX_PASSWORD_BYTES}`;
  let value: unknown;
  try {
    value = decodeCbor(password, 'password');
  } catch {
    return 'password is not a [ts, signature] CBOR array';
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || !Number.isSafeInteger(value[0]) || !(value[1] instanceof Uint8Array)) {
    return 'password is not a [ts, signature] CBOR array';
  }
  const [ts, sig] = value as [number, Uint8Array];
  if (Math.abs(now - ts) > maxSkewMs) return `credential timestamp ${ts} is ${Math.round((now - ts) / 1000)} s from the broker's clock (limit ±${maxSkewMs / 1000} s)`;
  if (sig.length !== 64 || !suite.ed25519Verify(signPublic, signedBytes(id, ts), sig)) return 'signature does not verify with the enrolled key';
  return null;
}
