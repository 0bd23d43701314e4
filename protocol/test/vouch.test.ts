import test from 'ava';
import { generateDeviceKeys, vouchFor, parseVouch, checkVouch, MAX_VOUCH_LENGTH, type Vouch } from '../src/index.js';

const host = generateDeviceKeys('pi-1.rack-2');
const now = 1_700_000_000_000;

test('a vouch names its host, time and board; it checks only for that board, key and time', (t) => {
  const text = vouchFor(host, 'pi-1.rack-2.usb-1', now);
  t.true(text.length <= MAX_VOUCH_LENGTH);
  const v = parseVouch(text) as Vouch;
  t.is(v.hostId, 'pi-1.rack-2', 'host ids may hold dots');
  t.is(v.ts, now);
  t.is(checkVouch('pi-1.rack-2.usb-1', v, host.signPublic, now + 60_000), null);
  t.regex(checkVouch('pi-1.rack-2.usb-2', v, host.signPublic, now)!, /signature does not verify/, 'another board of the same host');
  t.regex(checkVouch('pi-7.usb-1', v, host.signPublic, now)!, /may vouch only for pi-1\.rack-2\.<board>/);
  t.regex(checkVouch('pi-1.rack-2.usb-1', v, generateDeviceKeys('x').signPublic, now)!, /does not verify with pi-1\.rack-2's enrolled key/);
  t.regex(checkVouch('pi-1.rack-2.usb-1', v, host.signPublic, now + 6 * 60_000)!, /vouch made 360 s from the gateway's clock \(limit ±300 s\)/);
  t.throws(() => vouchFor(host, 'pi-7.usb-1', now), { message: /not under host pi-1\.rack-2/ });
});

test('text that is not a well-formed vouch says why', (t) => {
  t.is(parseVouch('lfe1.w1.abc'), 'not a vouch');
  t.regex(parseVouch('lfv1.pi-1.x')! as string, /not lfv1\.<host>\.<ts>\.<signature>/);
  t.regex(parseVouch('lfv1.pi-1.12ab.AAAA') as string, /timestamp "12ab" is not a number/);
  t.regex(parseVouch('lfv1.pi-1.123.AAAA') as string, /signature of 3 bytes, expected 64/);
  t.regex(parseVouch(`lfv1.${'a'.repeat(300)}`) as string, /characters, the limit is/);
});
