/**
 * One-time enrolment tokens, issued by `layerfleet enroll` and kept in
 * `<state>/enrolment-tokens.json` as SHA-256 digests (a copy of the state directory does not
 * hand out tokens). A token names the device id it enrols, its owner and trust flag, and
 * expires; it is consumed when enrolment completes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertDeviceId } from '@layerfleet/protocol';
import { writeJsonAtomic } from '@layerfleet/protocol';

export const TOKENS_FILE = 'enrolment-tokens.json';

interface StoredToken { id: string; owner: string; trusted: boolean; boards?: number; sha256: string; expiresAt: number }

export interface TokenGrant {
  id: string;
  owner: string;
  trusted: boolean;
  /** boards the device may vouch for once enrolled (a board host) */
  boards?: number;
  /** set when a board host's vouch, not a token, grants the enrolment */
  vouchedBy?: string;
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

function load(stateDir: string): StoredToken[] {
  try {
    const parsed = JSON.parse(readFileSync(join(stateDir, TOKENS_FILE), 'utf8')) as { tokens?: StoredToken[] };
    return Array.isArray(parsed.tokens) ? parsed.tokens : [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`${join(stateDir, TOKENS_FILE)}: ${(err as Error).message}`);
  }
}

function save(stateDir: string, tokens: StoredToken[]): void {
  writeJsonAtomic(join(stateDir, TOKENS_FILE), { tokens });
}

/** Issues a token for `id`; any earlier unused token for the same id stops working. */
export function issueEnrolmentToken(stateDir: string, grant: TokenGrant, ttlMs = 24 * 3600_000, now = Date.now()): string {
  assertDeviceId(grant.id, 'enroll: id');
  const token = `lfe1.${grant.id}.${randomBytes(24).toString('base64url')}`;
  const kept = load(stateDir).filter((t) => t.id !== grant.id && t.expiresAt > now);
  save(stateDir, [...kept, { ...grant, sha256: digest(token).toString('hex'), expiresAt: now + ttlMs }]);
  return token;
}

/** The grant a token carries for `id`, or why it is refused. Does not consume it. */
export function checkEnrolmentToken(stateDir: string, id: string, token: string, now = Date.now()): TokenGrant | string {
  if (token.length > 128) return 'token too long';
  const want = digest(token);
  const found = load(stateDir).find((t) => t.id === id && timingSafeEqual(Buffer.from(t.sha256, 'hex'), want));
  if (!found) return `no enrolment token like that for ${id}`;
  if (found.expiresAt <= now) return `the enrolment token for ${id} expired`;
  return { id: found.id, owner: found.owner, trusted: found.trusted, ...(found.boards ? { boards: found.boards } : {}) };
}

/** Consumes the token of `id` (after its enrolment completed). */
export function consumeEnrolmentToken(stateDir: string, id: string): void {
  save(stateDir, load(stateDir).filter((t) => t.id !== id));
}
