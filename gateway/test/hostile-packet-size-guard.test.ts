// Hostile input for PacketSizeGuard, with CI's budget: the properties themselves are in
// hostile-packet-size-guard.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import { MAX_MQTT_PACKET_BYTES } from '../src/packet-size-guard.js';
import {
  anyStreamSameVerdictForEveryCut, oversizeCutBeforeItsBody, overTheDefaultLimitRefused, packetsUnderTheLimitPass, feedGuard, remainingLength,
} from './hostile-packet-size-guard.properties.js';

test('any byte stream, cut anywhere, passes unchanged or ends in a PacketSizeError — the same for every cut', async (t) => {
  await checkAsInCi(anyStreamSameVerdictForEveryCut);
  t.pass();
});

test('well-formed packets under the limit all pass, in any pieces', async (t) => {
  await checkAsInCi(packetsUnderTheLimitPass);
  t.pass();
});

test('a packet declaring more than the limit is cut before any byte of its body passes', async (t) => {
  await checkAsInCi(oversizeCutBeforeItsBody);
  t.pass();
});

test('at the default limit: MAX_MQTT_PACKET_BYTES declared is let through, one more is refused; a 5-byte length is malformed', async (t) => {
  t.is(feedGuard([Uint8Array.from([0x30, ...remainingLength(MAX_MQTT_PACKET_BYTES)])]).error, undefined);
  await checkAsInCi(overTheDefaultLimitRefused);
  t.regex(feedGuard([Uint8Array.of(0x30, 0x80, 0x80, 0x80, 0x80, 0x01)], Number.MAX_SAFE_INTEGER).error ?? '', /more than 4 bytes/);
});
