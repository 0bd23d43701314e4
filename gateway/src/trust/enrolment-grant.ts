/**
 * What entitles a device to enrol: an operator's one-time token (enrolment-tokens.ts), or the
 * vouch of an enrolled board host for a board under its id (protocol/src/vouch.ts). A host
 * vouches for at most the number of boards it was enrolled with (`enroll --boards N`), so one
 * compromised host cannot mint identities without bound (each identity is a separate exposure
 * account for the planner's privacy constraint). A vouched board takes its host's owner and
 * trust flag and may not vouch in turn.
 */
import { checkVouch, isVouch, parseVouch } from '@layerfleet/protocol';
import type { DeviceStore } from './device-store.js';
import { checkEnrolmentToken, consumeEnrolmentToken, type TokenGrant } from './enrolment-tokens.js';

export function checkEnrolmentGrant(stateDir: string, store: DeviceStore, id: string, token: string, now = Date.now()): TokenGrant | string {
  if (!isVouch(token)) return checkEnrolmentToken(stateDir, id, token, now);
  const vouch = parseVouch(token);
  if (typeof vouch === 'string') return vouch;
  const host = store.active(vouch.hostId);
  if (!host) return `vouch from ${vouch.hostId}, which is not enrolled or was revoked`;
  const places = host.maxBoards ?? 0;
  const held = store.list().filter((d) => d.vouchedBy === host.id && d.revokedAt === undefined && d.id !== id).length;
  if (held >= places) return `host ${host.id} may vouch for ${places} board${places === 1 ? '' : 's'} and has ${held} enrolled (enroll it again with more --boards, or revoke one)`;
  const bad = checkVouch(id, vouch, Buffer.from(host.signPublic, 'hex'), now);
  return bad ?? { id, owner: host.owner, trusted: host.trusted, vouchedBy: host.id };
}

/** Spends what granted the enrolment: a token is used up; a vouch is not stored, so nothing to spend. */
export function spendEnrolmentGrant(stateDir: string, id: string, grant: TokenGrant): void {
  if (!grant.vouchedBy) consumeEnrolmentToken(stateDir, id);
}
