// The firmware core's own C tests (firmware/test/test_core.c: CRC, COBS, the CBOR decoder on
// random input, mutated layer blobs, 20 000 fuzzed frames against an in-memory board), built
// with AddressSanitizer and UndefinedBehaviorSanitizer so any out-of-bounds access or undefined
// behaviour aborts the run.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FIRMWARE_DIR } from '../src/index.js';

test('the core passes its C unit and fuzz tests under ASan and UBSan', async (t) => {
  t.timeout(240_000);
  const { stdout } = await promisify(execFile)('make', ['-s', '-C', FIRMWARE_DIR, 'check'], { maxBuffer: 16 << 20 });
  t.regex(stdout, /firmware: (\d+) frames, \d+ answers, \d+ refusals/);
  const frames = Number(/firmware: (\d+) frames/.exec(stdout)![1]);
  t.true(frames >= 20_000, `${frames} frames fuzzed`);
  t.regex(stdout, /^ok \(0 failures\)$/m);
  t.notRegex(stdout, /FAIL/);
});
