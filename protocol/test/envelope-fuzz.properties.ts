// Random bytes, alone and behind a valid COSE_Encrypt prefix, as a fuzz target (envelope-fuzz.test.ts
// runs it with CI's budget next to its exhaustive truncations and bit flips; `npm run fuzz` with any).
import fc from 'fast-check';
import { fuzzTarget } from '@layerfleet/test-support';
import { EnvelopeError, open, seal, type OpenOptions } from '../src/envelope.js';
import { generateDeviceKeys } from '../src/keys.js';

const alice = generateDeviceKeys('alice');
const bob = generateDeviceKeys('bob');
const TOPIC = 'lf/v1/dev/bob/in';
export const opts: OpenOptions = { recipient: bob, topic: TOPIC, senderKey: (id) => (id === 'alice' ? alice.signPublic : undefined) };
export const env = seal({ sender: alice, recipient: bob, topic: TOPIC, seq: 1, ts: Date.now(), payload: Uint8Array.of(1, 2, 3, 4) });

/** The reason open gave, or 'opened'; anything other than EnvelopeError fails the test. */
export function outcome(bytes: Uint8Array, o: OpenOptions = opts): string {
  try {
    open(bytes, o);
    return 'opened';
  } catch (err) {
    if (err instanceof EnvelopeError) return err.reason;
    throw new Error(`open threw ${String(err)} for ${Buffer.from(bytes).toString('hex').slice(0, 200)}`);
  }
}

export const randomBytesBehindValidPrefix = fuzzTarget({ decoder: 'open (envelope)', claim: 'random bytes, alone or behind a valid prefix: EnvelopeError', ci: { seed: 213, numRuns: 3000 } },
  () => {
    const prefix = env.subarray(0, 40);
    return fc.property(fc.uint8Array({ maxLength: 299, size: 'max' }), fc.nat({ max: prefix.length - 1 }), (body, cut) => {
      if (outcome(body) === 'opened') throw new Error('random bytes opened');
      if (outcome(Buffer.concat([prefix.subarray(0, cut), body])) === 'opened') throw new Error('random bytes behind a valid prefix opened');
    });
  });
