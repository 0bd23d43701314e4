// Hostile input for the key decoders and the MQTT CONNECT password, with CI's budget: the
// properties themselves are in hostile-keys.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import {
  anyPasswordRefusedButTheSigned, coseKeyAnyLabelWrong, coseKeyRoundTrip, credentialChecker, junkDecodesToKeysOrCoseKeyError, keySetsOfAnyMaps,
  mutatedKeySetDecodesTyped, mutatedPasswordRefused, oversizePasswordRefusedUnverified, publicKeysRoundTrip, W1_PASSWORD,
} from './hostile-keys.properties.js';

test('arbitrary bytes and CBOR-token soup: decodePublicKeys and decodeCoseKey give keys or a CoseKeyError', async (t) => {
  await checkAsInCi(junkDecodesToKeysOrCoseKeyError);
  t.pass();
});

test('COSE_Keys with any label wrong, absent or extra give a key meeting the expectation or a CoseKeyError', async (t) => {
  const outcomes = await checkAsInCi(coseKeyAnyLabelWrong);
  t.deepEqual([...outcomes].sort(), ['ok', 'refused']);
});

test('COSE_KeySets of any two maps, or anything, give public keys or a CoseKeyError', async (t) => {
  const outcomes = await checkAsInCi(keySetsOfAnyMaps);
  t.deepEqual([...outcomes].sort(), ['ok', 'refused']);
});

test('mutations of a valid COSE_KeySet give public keys or a CoseKeyError', async (t) => {
  await checkAsInCi(mutatedKeySetDecodesTyped);
  t.pass();
});

test('encodePublicKeys/decodePublicKeys and encodeCoseKey/decodeCoseKey round-trip generated keys', async (t) => {
  await checkAsInCi(publicKeysRoundTrip);
  await checkAsInCi(coseKeyRoundTrip);
  t.pass();
});

test('any CONNECT password is refused with a reason; only the signed credential, however re-encoded, is accepted', async (t) => {
  await checkAsInCi(anyPasswordRefusedButTheSigned);
  t.is(credentialChecker().check(W1_PASSWORD), null);
  await checkAsInCi(mutatedPasswordRefused);
  const { verifies } = await checkAsInCi(oversizePasswordRefusedUnverified);
  t.is(verifies, 0);
});
