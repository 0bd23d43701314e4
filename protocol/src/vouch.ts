/**
 * A board host vouching for the boards it drives. A microcontroller behind a serial line gets
 * its own device id (`<host>.<board>`) and keys, kept by the host, but no operator is at hand
 * with a token each time a board is plugged in. The host, itself enrolled with a number of board
 * places (`layerfleet enroll --boards N`), signs a short-lived statement naming the board id; it
 * stands in for the one-time token, and the board still proves its own keys during enrolment.
 *
 * Text form (it travels where a token does: the CONNECT password and `enrol.token`):
 *   lfv1.<host id>.<ts ms>.<base64url Ed25519 signature over "layerfleet-vouch-v1" 0 host 0 board 0 ts>
 */
import { nativeCrypto } from './crypto-native.js';
import type { CryptoSuite } from './crypto-suite.js';
import type { DeviceKeys } from './keys.js';

export const VOUCH_PREFIX = 'lfv1.';
const CONTEXT = 'layerfleet-vouch-v1';
/** Longest text form: prefix, a 64-character host id, a 13-digit timestamp, 86 characters of signature. */
export const MAX_VOUCH_LENGTH = 192;

export interface Vouch { hostId: string; ts: number; sig: Uint8Array }

const signedBytes = (hostId: string, boardId: string, ts: number) => new TextEncoder().encode(`${CONTEXT}\u0000${hostId}\u0000${boardId}\u0000${ts}`);

export function vouchFor(host: DeviceKeys, boardId: string, now = Date.now(), suite: CryptoSuite = nativeCrypto): string {
  if (!boardId.startsWith(`${host.id}.`)) throw new Error(`vouchFor: board id ${boardId} is not under host ${host.id} (expected ${host.id}.<board>)`);
  const sig = suite.ed25519Sign(host.signSeed, signedBytes(host.id, boardId, now));
  return `${VOUCH_PREFIX}${host.id}.${now}.${Buffer.from(sig).toString('base64url')}`;
}

export function isVouch(token: string): boolean { return token.startsWith(VOUCH_PREFIX); }

/** The parts of a vouch, or why it is not one. Device ids may hold dots: the last two fields are fixed. */
export function parseVouch(token: string): Vouch | string {
  if (token.length > MAX_VOUCH_LENGTH) return `vouch of ${token.length} characters, the limit is ${MAX_VOUCH_LENGTH}`;
  if (!isVouch(token)) return 'not a vouch';
  const parts = token.slice(VOUCH_PREFIX.length).split('.');
  if (parts.length < 3) return 'vouch is not lfv1.<host>.<ts>.<signature>';
  const sigText = parts.pop()!;
  const tsText = parts.pop()!;
  const hostId = parts.join('.');
  if (!/^\d{1,15}$/.test(tsText)) return `vouch timestamp ${JSON.stringify(tsText)} is not a number`;
  const sig = Buffer.from(sigText, 'base64url');
  if (sig.length !== 64) return `vouch signature of ${sig.length} bytes, expected 64`;
  return { hostId, ts: Number(tsText), sig: new Uint8Array(sig) };
}

/** null when `vouch` is the host's statement for `boardId`, made within ±maxSkewMs; otherwise why not. */
export function checkVouch(boardId: string, vouch: Vouch, hostSignPublic: Uint8Array, now: number, maxSkewMs = 5 * 60_000, suite: CryptoSuite = nativeCrypto): string | null {
  if (!boardId.startsWith(`${vouch.hostId}.`)) return `host ${vouch.hostId} may vouch only for ${vouch.hostId}.<board>, not ${boardId}`;
  if (Math.abs(now - vouch.ts) > maxSkewMs) return `vouch made ${Math.round((now - vouch.ts) / 1000)} s from the gateway's clock (limit ±${maxSkewMs / 1000} s)`;
  if (!suite.ed25519Verify(hostSignPublic, signedBytes(vouch.hostId, boardId, vouch.ts), vouch.sig)) return `vouch signature does not verify with ${vouch.hostId}'s enrolled key`;
  return null;
}
