// Hostile input for the serial framing, with CI's budget: the properties themselves are in
// hostile-serial.properties.ts (`npm run fuzz` runs them with more).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import {
  anyBodyFailsItsCheck, boardSpellingDecodesAlike, cobsDecodeIsBounded, cobsRoundTrip, damagedFrameRefused, frameRoundTrip, junkIsFrameError,
  splitterCutsExactlyTheFrames,
} from './hostile-serial.properties.js';

test('cobsDecode of arbitrary bytes is a CobsError or data no longer than its input', async (t) => {
  await checkAsInCi(cobsDecodeIsBounded);
  t.pass();
});

test('cobsEncode/cobsDecode round-trip any data, without a zero byte and within cobsMaxEncodedLength', async (t) => {
  await checkAsInCi(cobsRoundTrip);
  t.pass();
});

test('decodeFrame of arbitrary bytes is a FrameError of a known kind (a frame only with a matching CRC)', async (t) => {
  const kinds = await checkAsInCi(junkIsFrameError);
  t.deepEqual([...kinds].sort(), ['cobs', 'crc', 'short', 'too-long']);
});

test('valid COBS around any body gives exactly the check that body fails: short, too-long, crc, version — or the frame', async (t) => {
  const kinds = await checkAsInCi(anyBodyFailsItsCheck);
  t.deepEqual([...kinds].sort(), ['crc', 'frame', 'short', 'too-long', 'version']);
});

test('encodeFrame/decodeFrame round-trip every type, seq and payload up to MAX_PAYLOAD', async (t) => {
  await checkAsInCi(frameRoundTrip);
  t.pass();
});

test('frames as the board spells them decode to the same frames', async (t) => {
  const { differ } = await checkAsInCi(boardSpellingDecodesAlike);
  t.true(differ > 0);
});

test('a damaged frame is refused; it decodes only when it is another COBS spelling of the very same body', async (t) => {
  const { refused, respelled } = await checkAsInCi(damagedFrameRefused);
  t.true(refused > 4900, `${refused} refused, ${respelled} respelled`);
});

test('the splitter cuts any chunking of frames mixed with garbage into exactly the frames sent, in order', async (t) => {
  await checkAsInCi(splitterCutsExactlyTheFrames);
  t.pass();
});
