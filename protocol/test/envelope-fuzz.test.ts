// Whatever bytes arrive, open throws EnvelopeError and nothing else.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { EnvelopeError, open, seal, type OpenOptions } from '../src/envelope.js';
import { generateDeviceKeys } from '../src/keys.js';
import { ReplayWindow } from '../src/replay-window.js';

const alice = generateDeviceKeys('alice');
const bob = generateDeviceKeys('bob');
const TOPIC = 'lf/v1/dev/bob/in';
const opts: OpenOptions = { recipient: bob, topic: TOPIC, senderKey: (id) => (id === 'alice' ? alice.signPublic : undefined) };
const env = seal({ sender: alice, recipient: bob, topic: TOPIC, seq: 1, ts: Date.now(), payload: Uint8Array.of(1, 2, 3, 4) });

/** The reason open gave, or 'opened'; anything other than EnvelopeError fails the test. */
function outcome(bytes: Uint8Array, o: OpenOptions = opts): string {
  try {
    open(bytes, o);
    return 'opened';
  } catch (err) {
    if (err instanceof EnvelopeError) return err.reason;
    throw new Error(`open threw ${String(err)} for ${Buffer.from(bytes).toString('hex').slice(0, 200)}`);
  }
}

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

test('random bytes, and random bytes behind a valid COSE_Encrypt prefix, throw only EnvelopeError', (t) => {
  const prefix = env.subarray(0, 40);
  for (let i = 0; i < 3000; i++) {
    const body = randomBytes(Math.floor(Math.random() * 300));
    t.not(outcome(body), 'opened');
    const withPrefix = Buffer.concat([prefix.subarray(0, Math.floor(Math.random() * prefix.length)), body]);
    t.not(outcome(withPrefix), 'opened');
  }
  // hostile structure: deep nesting, huge declared lengths, non-bytes input
  for (const hex of ['81'.repeat(100_000), '9b00000000ffffffff', 'd8609a05f5e100', '5bffffffffffffffff', 'd860' + '84' + 'bf'.repeat(1000)]) {
    t.not(outcome(Buffer.from(hex, 'hex')), 'opened');
  }
  t.is(outcome('not bytes' as unknown as Uint8Array), 'malformed');
  t.is(outcome(env, { ...opts, replay: new ReplayWindow() }), 'opened');
});
