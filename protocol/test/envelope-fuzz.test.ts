// Whatever bytes arrive, open throws EnvelopeError and nothing else. The random-bytes property is
// in envelope-fuzz.properties.ts (`npm run fuzz` runs it with more cases).
import test from 'ava';
import { checkAsInCi } from '@layerfleet/test-support';
import { ReplayWindow } from '../src/replay-window.js';
import { env, opts, outcome, randomBytesBehindValidPrefix } from './envelope-fuzz.properties.js';

test('every truncation of a valid envelope is refused with EnvelopeError', (t) => {
  t.is(outcome(env), 'opened');
  const reasons = new Set<string>();
  for (let len = 0; len < env.length; len++) reasons.add(outcome(env.subarray(0, len)));
  t.deepEqual([...reasons], ['malformed']);
});

test('every single-bit flip of a valid envelope is refused with EnvelopeError or changes nothing signed', (t) => {
  const reasons = new Set<string>();
  for (let i = 0; i < env.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const m = env.slice();
      m[i]! ^= 1 << bit;
      reasons.add(outcome(m));
    }
  }
  // Flips in unauthenticated places that keep the structure valid can only break decryption,
  // never yield a different opened message; nothing may open except byte-identical input.
  t.false(reasons.has('opened'));
  t.true(reasons.has('malformed'));
  t.true(reasons.has('decrypt-failed'));
  t.true(reasons.has('wrong-recipient'));
});

test('random bytes, and random bytes behind a valid COSE_Encrypt prefix, throw only EnvelopeError', async (t) => {
  await checkAsInCi(randomBytesBehindValidPrefix);
  // hostile structure: deep nesting, huge declared lengths, non-bytes input
  for (const hex of ['81'.repeat(100_000), '9b00000000ffffffff', 'd8609a05f5e100', '5bffffffffffffffff', 'd860' + '84' + 'bf'.repeat(1000)]) {
    t.not(outcome(Buffer.from(hex, 'hex')), 'opened');
  }
  t.is(outcome('not bytes' as unknown as Uint8Array), 'malformed');
  t.is(outcome(env, { ...opts, replay: new ReplayWindow() }), 'opened');
});
