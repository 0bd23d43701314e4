// Hostile input at the broker's door, as fuzz targets (hostile-connect.test.ts runs them with CI's
// budget, `npm run fuzz` with any): the CONNECT triple (client id, user name, password) the
// enrolled-only authenticator reads, and the topic names and filters the ACL reads after it.
// Whatever a client sends: a role only for exactly the right credential, a reason otherwise; no
// subscription that reaches another device's inbox; nothing thrown.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMqttCredentials, generateDeviceKeys, mqttCredentials, topics } from '@layerfleet/protocol';
import { fuzzTarget, hex, type FuzzFixture, type FuzzTarget } from '@layerfleet/test-support';
import { mayPublish, maySubscribe, type ClientRole } from '../src/broker-acl.js';
import { dashboardSecret, enrolledOnly } from '../src/trust/access.js';
import { DeviceStore } from '../src/trust/device-store.js';
import { issueEnrolmentToken } from '../src/trust/enrolment-tokens.js';

const NOW = 1_760_000_000_000;
const w1 = generateDeviceKeys('w1');
const w2 = generateDeviceKeys('w2');

/** A gateway state directory: w1 enrolled, w2 enrolled then revoked, an enrolment token for w3, the dashboard secret. */
export interface EnrolledState {
  readonly dir: string;
  readonly token: string;
  readonly secret: string;
  readonly authenticate: ReturnType<typeof enrolledOnly>;
}
export const enrolledState: FuzzFixture<EnrolledState> = {
  name: 'gateway state: w1 enrolled, w2 revoked, a token for w3',
  start() {
    const dir = mkdtempSync(join(tmpdir(), 'lf-hostile-connect-'));
    const store = new DeviceStore(dir);
    for (const k of [w1, w2]) store.add({ id: k.id, owner: 'o', trusted: false, signPublic: hex(k.signPublic), kexPublic: hex(k.kexPublic), enrolledAt: NOW });
    store.revoke('w2', 'test', NOW);
    const token = issueEnrolmentToken(dir, { id: 'w3', owner: 'o', trusted: false }, 3600_000, NOW);
    return { dir, token, secret: dashboardSecret(dir), authenticate: enrolledOnly(store, dir, () => NOW) };
  },
  stop({ dir }) { rmSync(dir, { recursive: true, force: true }); },
};

const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
const ids = ['w1', 'w2', 'w3', 'w4', '+', '#', '', ...PROTO_NAMES];
const name = fc.oneof(fc.constantFrom(...ids, 'dashboard', 'enrol:w3', 'enrol:w1', 'enrol:', 'enrol:+', ...ids.map((i) => `enrol:${i}`)), fc.string({ maxLength: 12 }));

/** The roles handed out, for the ava test to see each kind reached. */
export const onlyTheRightCredentialGetsARole: FuzzTarget<Set<string>, EnrolledState> = {
  decoder: 'enrolledOnly (CONNECT)', claim: 'any CONNECT triple: a role only with exactly the right credential', ci: { seed: 901, numRuns: 4000 }, fixture: enrolledState,
  arm({ token, secret, authenticate }) {
    const roles = new Set<string>();
    const goodPasswords = [mqttCredentials(w1, NOW).password, mqttCredentials(w2, NOW).password, mqttCredentials(w1, NOW - 3600_000).password, Buffer.from(token), Buffer.from(secret)];
    const password = fc.oneof(
      fc.constantFrom(undefined, ...goodPasswords),
      fc.tuple(fc.constantFrom(...goodPasswords), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([p, at, x]) => { const b = Buffer.from(p); if (b.length) b[at % b.length]! ^= x; return b; }),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ minLength: 200, maxLength: 4096, size: 'max' }).map((b) => Buffer.from(b)),
    );
    const triple = fc.oneof(
      fc.tuple(name, fc.option(name, { nil: undefined }), password),
      fc.tuple(fc.constantFrom(...ids), password).map(([id, pw]) => [id, id, pw] as const),
      fc.tuple(fc.constantFrom(...ids), password).map(([id, pw]) => [id, `enrol:${id}`, pw] as const),
    );
    return {
      tally: roles,
      property: fc.property(triple, ([clientId, username, pw]) => {
        let verdict: ClientRole | string;
        try {
          verdict = authenticate(clientId, username, pw);
        } catch (err) {
          throw new Error(`authenticate threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
        }
        if (typeof verdict === 'string') { if (verdict.length === 0) throw new Error('empty reason'); return; }
        roles.add(verdict.kind);
        const ok = verdict.kind === 'dashboard' ? username === 'dashboard' && pw?.toString('utf8') === secret
          : verdict.kind === 'enrolling' ? username === 'enrol:w3' && clientId === 'w3' && verdict.id === 'w3' && pw?.toString('utf8') === token
            : verdict.kind === 'device' ? username === 'w1' && clientId === 'w1' && verdict.id === 'w1' && checkMqttCredentials('w1', pw, w1.signPublic, NOW) === null
              : false;
        if (!ok) throw new Error(`${JSON.stringify(clientId)} / ${JSON.stringify(username)} got role ${JSON.stringify(verdict)}`);
      }),
    };
  },
};

/** Does an MQTT filter match a topic name (MQTT 3.1.1 §4.7)? */
function matches(filter: string, topicName: string): boolean {
  const f = filter.split('/');
  const n = topicName.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= n.length || (f[i] !== '+' && f[i] !== n[i])) return false;
  }
  return f.length === n.length;
}

export const noSubscriptionReachesAnotherInbox = fuzzTarget({ decoder: 'maySubscribe, mayPublish', claim: "no role may subscribe to another device's inbox; never throws", ci: { seed: 902, numRuns: 4000 } },
  () => {
    const role: fc.Arbitrary<ClientRole> = fc.oneof(
      fc.constantFrom('w1', 'w3').map((id) => ({ kind: 'device' as const, id })), fc.constant({ kind: 'enrolling' as const, id: 'w3' }),
      fc.constant({ kind: 'dashboard' as const }), fc.constant({ kind: 'open' as const }),
    );
    const level = fc.oneof(fc.constantFrom('+', '#', 'w1', 'w2', 'w3', '', 'in', 'dev', 'lf', 'v1', 'telemetry', 'gw', 'status'), fc.string({ maxLength: 4 }));
    const topic = fc.oneof(fc.constantFrom(topics.gatewayInbox, topics.deviceInbox('w2'), 'lf/v1/dev/+/in', 'lf/v1/dev/#', 'lf/v1/#', '#', '+/+/+/+/+'),
      fc.array(level, { maxLength: 6 }).map((l) => l.join('/')), fc.array(level, { maxLength: 3 }).map((l) => `lf/v1/dev/${l.join('/')}`));
    return fc.property(role, fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 4 })), topic, (r, clientId0, filter) => {
      const clientId = r.kind === 'device' || r.kind === 'enrolling' ? r.id : clientId0;
      const sub = maySubscribe(r, clientId, filter);
      const pub = mayPublish(r, clientId, filter);
      if ((sub !== null && typeof sub !== 'string') || (pub !== null && typeof pub !== 'string')) throw new Error('ACL returned neither null nor a reason');
      const other = ['w1', 'w2', 'w3'].find((id) => id !== clientId && matches(filter, topics.deviceInbox(id)));
      if (sub === null && other) throw new Error(`${r.kind} client ${JSON.stringify(clientId)} may subscribe to ${filter}, which reads ${other}'s inbox`);
    });
  });
