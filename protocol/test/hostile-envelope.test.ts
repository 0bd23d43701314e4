// Hostile input for the envelope and the SecureEndpoint in front of it, with CI's budget: the
// properties themselves are in hostile-envelope.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import { EnvelopeError } from '../src/envelope.js';
import { Rejected, SecureEndpoint } from '../src/secure-endpoint.js';
import { publicKeysOf } from '../src/keys.js';
import {
  alice, bob, bobsEndpoint, cborSoupNeverOpens, coseEncryptWrongPartRefused, endpointKnownPeerHostilePayload, endpointMutatedHelloOnlyRejected,
  endpointRefusesJunk, HELLO, hostileInnerBehindValidEncryptionRefused, junkBytesNeverOpen, mutatedEnvelopeNeverOpensAsAnother, outcome,
  overMaxEnvelopeBytesRefused, oversizeRefusedFirst, sealToBob, signedHostileContentOpensAsSigned, soupBehindTag96NeverOpens, spiedOptions, TOPIC,
  coseEncryptSsWrongPartRefused, hostileInnerBehindValidSsEncryptionRefused, mutatedSsEnvelopeNeverOpensAsAnother, endpointMutatedSsOnlyRejected, sealToBobSs,
} from './hostile-envelope.properties.js';

test('arbitrary bytes, CBOR-token soup, and soup behind tag 96 never open, and throw only EnvelopeError', async (t) => {
  await checkAsInCi(junkBytesNeverOpen);
  await checkAsInCi(cborSoupNeverOpens);
  await checkAsInCi(soupBehindTag96NeverOpens);
  t.pass();
});

test('a COSE_Encrypt with any part wrong — headers, IV, recipients, ephemeral key, kid — is refused with EnvelopeError', async (t) => {
  const reasons = await checkAsInCi(coseEncryptWrongPartRefused);
  t.true(reasons.has('malformed') && reasons.has('decrypt-failed') && reasons.has('wrong-recipient'), [...reasons].join());
});

test('behind valid encryption, any plaintext or hostile COSE_Sign1 is refused with EnvelopeError', async (t) => {
  const reasons = await checkAsInCi(hostileInnerBehindValidEncryptionRefused);
  t.true(reasons.has('malformed-inner') && reasons.has('bad-signature') && reasons.has('unknown-sender'), [...reasons].join());
});

test('validly signed hostile content either opens as exactly what was signed or is refused with EnvelopeError', async (t) => {
  const { opened } = await checkAsInCi(signedHostileContentOpensAsSigned);
  t.true(opened > 0);
});

test('mutations of a valid envelope never open as a different message', async (t) => {
  const { refused } = await checkAsInCi(mutatedEnvelopeNeverOpensAsAnother);
  t.true(refused > 1400, `${refused} refused`);
});

test('SecureEndpoint.open throws only Rejected: for junk, mutated envelopes, and hostile payloads from a known peer', async (t) => {
  const endpoint = await bobsEndpoint.start();
  await checkAsInCi(endpointRefusesJunk, endpoint);
  await checkAsInCi(endpointMutatedHelloOnlyRejected, endpoint);
  const seen = await checkAsInCi(endpointKnownPeerHostilePayload, endpoint);
  t.true(seen.has('bad-message') && [...seen].every((r) => r === 'bad-message' || r === 'received'), [...seen].join());
  t.is(endpoint.open(TOPIC, sealToBob(HELLO)).message.t, 'hello');
});

test('oversize input is refused as oversize before any decoding or crypto, at any limit', async (t) => {
  const calls = await checkAsInCi(oversizeRefusedFirst);
  // A whole, valid envelope one byte over the limit is still only "oversize".
  const { options, calls: moreCalls } = spiedOptions();
  const valid = sealToBob(new Uint8Array(3000));
  const r = outcome(valid, { ...options, maxBytes: valid.length - 1 });
  t.is(r instanceof EnvelopeError && r.reason, 'oversize');
  t.is(calls.crypto + moreCalls.crypto, 0);
  t.is(calls.senderKey + moreCalls.senderKey, 0);
  const atMax = await checkAsInCi(overMaxEnvelopeBytesRefused);
  t.is(atMax.crypto, 0);
  const endpoint = new SecureEndpoint(bob, { maxBytes: 1000 });
  endpoint.addPeer(publicKeysOf(alice));
  const e = t.throws(() => endpoint.open(TOPIC, sealToBob(new Uint8Array(1000))), { instanceOf: Rejected });
  t.is(e?.reason, 'oversize');
});

test('ECDH-SS: a COSE_Encrypt with any part of its -27 recipient wrong — static key, kid, PartyU nonce, an unused label — is refused with EnvelopeError', async (t) => {
  const reasons = await checkAsInCi(coseEncryptSsWrongPartRefused);
  t.true(reasons.has('malformed') && reasons.has('decrypt-failed') && reasons.has('wrong-recipient'), [...reasons].join());
});

test('ECDH-SS: behind valid -27 encryption, any plaintext or hostile COSE_Sign1 is refused, a signer other than the static key\'s owner as static-key-mismatch', async (t) => {
  const reasons = await checkAsInCi(hostileInnerBehindValidSsEncryptionRefused);
  t.true(reasons.has('malformed-inner') && reasons.has('bad-signature') && reasons.has('static-key-mismatch') && reasons.has('unknown-sender'), [...reasons].join());
});

test('ECDH-SS: mutations of a valid envelope never open as a different message; the endpoint throws only Rejected for them', async (t) => {
  const { refused } = await checkAsInCi(mutatedSsEnvelopeNeverOpensAsAnother);
  t.true(refused > 1400, `${refused} refused`);
  const endpoint = await bobsEndpoint.start();
  await checkAsInCi(endpointMutatedSsOnlyRejected, endpoint);
  t.is(endpoint.open(TOPIC, sealToBobSs(HELLO)).message.t, 'hello');
});
