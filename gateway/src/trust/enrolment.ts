/**
 * The gateway's side of enrolment. A device connected with its one-time token sends `enrol`,
 * signed with the key it announces (proof of the signing key); the gateway answers with a
 * `challenge` nonce encrypted to the key-agreement key it announced; the device returns the
 * nonce in `confirm`, which only the holder of that private key could read (proof of the
 * key-agreement key). Then the device is recorded in the device store with its owner and trust
 * flag, the token is spent, and `enrolled` tells the device to reconnect with its key-derived
 * credentials.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Message, MessageOf, PublicDeviceKeys, Rejections } from '@layerfleet/protocol';
import type { DeviceStore } from './device-store.js';
import { checkEnrolmentGrant, spendEnrolmentGrant } from './enrolment-grant.js';
import type { TokenGrant } from './enrolment-tokens.js';

interface Pending { keys: PublicDeviceKeys; nonce: Buffer; grant: TokenGrant; expires: number }

export interface EnrolmentDeps {
  store: DeviceStore;
  stateDir: string;
  addPeer(keys: PublicDeviceKeys): void;
  send(to: string, message: Message): void;
  rejections: Rejections;
  log(line: string): void;
  /** Called once a device is enrolled (the ledger records it). */
  enrolled?(id: string, owner: string, trusted: boolean, keys: PublicDeviceKeys): void;
}

const CHALLENGE_MS = 60_000;

export class Enrolment {
  private readonly pending = new Map<string, Pending>();
  constructor(private readonly deps: EnrolmentDeps) {}

  enrol(from: string, m: MessageOf<'enrol'>, now = Date.now()): void {
    const { rejections } = this.deps;
    const grant = checkEnrolmentGrant(this.deps.stateDir, this.deps.store, from, m.token, now);
    if (typeof grant === 'string') return rejections.count('enrolment', `enrol from ${from}: ${grant}`);
    if (this.deps.store.active(from)) return rejections.count('enrolment', `enrol from ${from}: already enrolled`);
    if (this.pending.size >= 1000) return rejections.count('enrolment', `enrol from ${from}: too many enrolments in progress`);
    const keys = { id: from, signPublic: m.sign, kexPublic: m.kex };
    const nonce = randomBytes(32);
    this.pending.set(from, { keys, nonce, grant, expires: now + CHALLENGE_MS });
    this.deps.addPeer(keys);
    this.deps.send(from, { t: 'challenge', nonce });
  }

  confirm(from: string, m: MessageOf<'confirm'>, now = Date.now()): void {
    const { rejections } = this.deps;
    const p = this.pending.get(from);
    if (!p || p.expires < now) return rejections.count('enrolment', `confirm from ${from}: no challenge outstanding`);
    if (m.nonce.length !== p.nonce.length || !timingSafeEqual(Buffer.from(m.nonce), p.nonce)) {
      this.pending.delete(from);
      return rejections.count('enrolment', `confirm from ${from}: wrong nonce (not the holder of the key-agreement key it announced)`);
    }
    this.pending.delete(from);
    const { owner, trusted, boards, vouchedBy } = p.grant;
    this.deps.store.add({
      id: from, owner, trusted, enrolledAt: now,
      signPublic: Buffer.from(p.keys.signPublic).toString('hex'), kexPublic: Buffer.from(p.keys.kexPublic).toString('hex'),
      ...(boards ? { maxBoards: boards } : {}), ...(vouchedBy ? { vouchedBy } : {}),
    });
    spendEnrolmentGrant(this.deps.stateDir, from, p.grant);
    this.deps.log(`device ${from} enrolled (owner ${owner}${trusted ? ', trusted' : ''}${vouchedBy ? `, vouched for by ${vouchedBy}` : ''}${boards ? `, may vouch for ${boards} boards` : ''})`);
    this.deps.enrolled?.(from, owner, trusted, p.keys);
    this.deps.send(from, { t: 'enrolled', owner, trusted });
  }
}
