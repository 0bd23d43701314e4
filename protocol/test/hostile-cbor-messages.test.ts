// Hostile input for decodeMessage / parseMessage and the CBOR wrapper, with CI's budget: the
// properties themselves are in hostile-cbor-messages.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import { encodeCbor } from '../src/cbor.js';
import { decodeMessage } from '../src/messages.js';
import {
  cborSoupDecodesTyped, decodeCborErrorsNameInput, decodeOutcome, hostileValueDecodesTyped, junkBytesDecodeTyped, justAboveEachLimitRefused, LIMIT_CASES,
  mutatedMessagesDecodeTyped, oneFieldReplacedDecodesTyped, prototypeTypeTagIsUnknown, validMessagesRoundTrip, wrongShapeDecodesTyped,
} from './hostile-cbor-messages.properties.js';

test('arbitrary bytes and CBOR-token soup decode to a message or a MessageError', async (t) => {
  await checkAsInCi(junkBytesDecodeTyped);
  await checkAsInCi(cborSoupDecodesTyped);
  t.pass();
});

test('valid CBOR of the wrong shape — any type tag, any field names, any values — is a message or a MessageError', async (t) => {
  await checkAsInCi(wrongShapeDecodesTyped);
  await checkAsInCi(hostileValueDecodesTyped);
  t.pass();
});

test('a type tag naming an Object.prototype member is an unknown type, not a parser', async (t) => {
  await checkAsInCi(prototypeTypeTagIsUnknown);
  t.pass();
});

test('a valid message with one field replaced by anything, or removed, is a message or a MessageError', async (t) => {
  await checkAsInCi(oneFieldReplacedDecodesTyped);
  t.pass();
});

test('byte-level mutations of valid messages decode to a message or a MessageError', async (t) => {
  await checkAsInCi(mutatedMessagesDecodeTyped);
  t.pass();
});

test('generated valid messages survive encodeMessage/decodeMessage unchanged', async (t) => {
  await checkAsInCi(validMessagesRoundTrip);
  t.pass();
});

test('just above each limit is a MessageError naming the field; at the limit is accepted', async (t) => {
  for (const { field, build, limit } of LIMIT_CASES) t.is(decodeOutcome(() => decodeMessage(encodeCbor(build(limit)))), 'ok', `${field} at its limit`);
  const runs = await checkAsInCi(justAboveEachLimitRefused);
  t.deepEqual([...runs.keys()].sort(), LIMIT_CASES.map((c) => c.field).sort());
  t.is([...runs.values()].reduce((a, b) => a + b, 0), 1420);
});

test('decodeCbor turns every malformed input into an Error that names the input', async (t) => {
  await checkAsInCi(decodeCborErrorsNameInput);
  t.pass();
});
