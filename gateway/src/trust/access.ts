/**
 * The broker's authenticate hook for a gateway that admits only enrolled devices (see
 * broker-acl.ts for what each role may do afterwards).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkMqttCredentials, DASHBOARD_USERNAME, ENROL_USERNAME_PREFIX } from '@layerfleet/protocol';
import type { Authenticator } from '../broker.js';
import type { DeviceStore } from './device-store.js';
import { checkEnrolmentGrant } from './enrolment-grant.js';

export const DASHBOARD_SECRET_FILE = 'dashboard.secret';

/** The read-only dashboard password, created (mode 0600) on first use of a state directory. */
export function dashboardSecret(stateDir: string): string {
  const path = join(stateDir, DASHBOARD_SECRET_FILE);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const secret = randomBytes(24).toString('base64url');
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function enrolledOnly(store: DeviceStore, stateDir: string, now: () => number = Date.now): Authenticator {
  const dashboard = dashboardSecret(stateDir);
  return (clientId, username, password) => {
    if (username === undefined) return 'no credentials (this gateway admits enrolled devices only)';
    if (username === DASHBOARD_USERNAME) return password && same(password.toString('utf8'), dashboard) ? { kind: 'dashboard' } : 'wrong dashboard password';
    if (username.startsWith(ENROL_USERNAME_PREFIX)) {
      const id = username.slice(ENROL_USERNAME_PREFIX.length);
      if (clientId !== id) return `enrolment of ${id} must connect with client id ${id}`;
      if (store.active(id)) return `${id} is already enrolled`;
      const grant = checkEnrolmentGrant(stateDir, store, id, password?.toString('utf8') ?? '', now());
      return typeof grant === 'string' ? grant : { kind: 'enrolling', id };
    }
    if (clientId !== username) return `client id ${JSON.stringify(clientId)} differs from user name ${JSON.stringify(username)}`;
    const device = store.get(username);
    if (!device) return `${username} is not enrolled`;
    if (device.revokedAt !== undefined) return `${username} was revoked (${device.revokedWhy ?? 'no reason given'})`;
    const bad = checkMqttCredentials(username, password, Buffer.from(device.signPublic, 'hex'), now());
    return bad === null ? { kind: 'device', id: username } : `${username}: ${bad}`;
  };
}
