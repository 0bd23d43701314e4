import test from 'ava';
import { Encoder } from 'cbor-x';
import {
  checkRotation, decodeMessage, encodeMessage, generateDeviceKeys, keyFingerprint, MessageError, Rejected, rotateMessage, rotationProofBytes,
  SecureEndpoint, topics, type MessageOf,
} from '../src/index.js';

const raw = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const old = generateDeviceKeys('edge-a');
const next = generateDeviceKeys('edge-a');

test('rotate and rotated survive encode/decode; bad fields are named', (t) => {
  const m = rotateMessage(old.signPublic, next);
  const back = decodeMessage(encodeMessage(m)) as MessageOf<'rotate'>;
  t.deepEqual([back.t, Buffer.from(back.sign), Buffer.from(back.kex), Buffer.from(back.proof)], ['rotate', Buffer.from(next.signPublic), Buffer.from(next.kexPublic), Buffer.from(m.proof)]);
  t.deepEqual(Buffer.from((decodeMessage(encodeMessage({ t: 'rotated', sign: next.signPublic })) as MessageOf<'rotated'>).sign), Buffer.from(next.signPublic));

  const key = new Uint8Array(32);
  const cases: Array<[unknown, RegExp]> = [
    [{ t: 'rotate', sign: key, kex: key }, /^rotate\.proof: expected a byte string, got nothing/],
    [{ t: 'rotate', sign: key, kex: key, proof: new Uint8Array(63) }, /^rotate\.proof: expected 64 bytes, got 63/],
    [{ t: 'rotate', sign: new Uint8Array(33), kex: key, proof: new Uint8Array(64) }, /^rotate\.sign: expected 32 bytes, got 33/],
    [{ t: 'rotate', sign: key, kex: 'x', proof: new Uint8Array(64) }, /^rotate\.kex: expected a byte string, got text/],
    [{ t: 'rotated', sign: new Uint8Array(31) }, /^rotated\.sign: expected 32 bytes, got 31/],
  ];
  for (const [value, pattern] of cases) t.throws(() => decodeMessage(raw.encode(value)), { instanceOf: MessageError, message: pattern });
});

test('the proof binds id, old key, new sign key and new kex key, and only the new key makes it', (t) => {
  const m = rotateMessage(old.signPublic, next);
  t.is(checkRotation('edge-a', old.signPublic, m), null);
  const stranger = generateDeviceKeys('edge-b');
  t.regex(checkRotation('edge-b', old.signPublic, m) ?? '', /rotate\.proof does not verify/, 'made for another device');
  t.regex(checkRotation('edge-a', stranger.signPublic, m) ?? '', /rotate\.proof does not verify/, 'made for another old key');
  t.regex(checkRotation('edge-a', old.signPublic, { ...m, kex: stranger.kexPublic }) ?? '', /rotate\.proof does not verify/, 'kex swapped');
  t.regex(checkRotation('edge-a', old.signPublic, { ...m, sign: stranger.signPublic }) ?? '', /rotate\.proof does not verify/, "someone else's key, not held");
  t.regex(checkRotation('edge-a', next.signPublic, m) ?? '', /is the current signing key/);
  t.regex(checkRotation('edge-a', old.signPublic, m, [next.signPublic]) ?? '', /a key this device held before/);
  const weak = { ...next, kexPublic: new Uint8Array(32) }; // the all-zero point has small order
  t.regex(checkRotation('edge-a', old.signPublic, rotateMessage(old.signPublic, weak)) ?? '', /rotate\.kex is not a usable X25519/);
  // Fixed-length keys after a 0x00-free id: one way to read the signed bytes.
  t.is(rotationProofBytes('edge-a', old.signPublic, next.signPublic, next.kexPublic).length, 'layerfleet-rotate-v1\0edge-a\0'.length + 96);
  t.throws(() => rotationProofBytes('edge-a', old.signPublic, next.signPublic, new Uint8Array(31)), { message: /new kex key must be 32 bytes, got 31/ });
  t.regex(keyFingerprint(next.signPublic), /^[0-9a-f]{16}$/);
});

test('an endpoint switches keys without resetting its sequence; the peer refuses the old key as stale-key', (t) => {
  const gateway = generateDeviceKeys('gateway');
  const device = new SecureEndpoint(old);
  const gw = new SecureEndpoint(gateway);
  device.addPeer(gateway);
  gw.addPeer(old);
  const inbox = topics.gatewayInbox;
  const heartbeat = { t: 'heartbeat', bootId: 'b', queue: 0 } as const;
  t.is(gw.open(inbox, device.seal('gateway', inbox, heartbeat)).sender, 'edge-a');
  const signedWithOld = device.seal('gateway', inbox, heartbeat);

  // The device stages the new keys: the answer sealed to them opens before it switches.
  device.stage(next);
  gw.rotatePeer({ id: 'edge-a', signPublic: next.signPublic, kexPublic: next.kexPublic }, old.signPublic);
  const ack = gw.seal('edge-a', topics.deviceInbox('edge-a'), { t: 'rotated', sign: next.signPublic });
  t.is(device.open(topics.deviceInbox('edge-a'), ack).message.t, 'rotated');
  device.rekey(next);
  t.is(device.keys.signPublic, next.signPublic);

  // Same sender id, same replay window at the gateway: the next message is accepted as it is.
  t.is(gw.open(inbox, device.seal('gateway', inbox, heartbeat)).sender, 'edge-a');
  const stale = t.throws(() => gw.open(inbox, signedWithOld), { instanceOf: Rejected });
  t.is(stale?.reason, 'stale-key', stale?.message);
  // A forger with keys of its own: with ECDH-SS its static key is not edge-a's, refused before the
  // signature is checked; with ECDH-ES the signature fails.
  const forgerKeys = generateDeviceKeys('edge-a');
  for (const [keyAgreement, reason] of [['ecdh-ss', 'static-key-mismatch'], ['ecdh-es', 'bad-signature']] as const) {
    const forger = new SecureEndpoint(forgerKeys, { keyAgreement });
    forger.addPeer(gateway);
    t.is(t.throws(() => gw.open(inbox, forger.seal('gateway', inbox, heartbeat)), { instanceOf: Rejected })?.reason, reason, keyAgreement);
  }
  t.throws(() => device.rekey(generateDeviceKeys('edge-b')), { message: /rekey: keys of edge-b, but this endpoint is edge-a/ });
});

test('enrolled keys verify a rotate from a device that never said hello, and nothing else', (t) => {
  const gateway = generateDeviceKeys('gateway');
  const gw = new SecureEndpoint(gateway);
  gw.enrolledKeys = (id) => (id === 'edge-a' ? old : undefined);
  const device = new SecureEndpoint(old);
  device.addPeer(gateway);
  const inbox = topics.gatewayInbox;
  t.is(gw.open(inbox, device.seal('gateway', inbox, rotateMessage(old.signPublic, next)), true).message.t, 'rotate');
  t.is(t.throws(() => gw.open(inbox, device.seal('gateway', inbox, { t: 'heartbeat', bootId: 'b', queue: 0 }), true), { instanceOf: Rejected })?.reason, 'unknown-sender');
});
