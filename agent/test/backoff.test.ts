import test from 'ava';
import { Backoff } from '../src/backoff.js';
import { classifyConnectError } from '../src/healing-connection.js';

test('the backoff window doubles from the base up to the cap, and each wait is drawn within it', (t) => {
  const highest = new Backoff({ baseMs: 500, capMs: 10_000, random: () => 0.999999 });
  t.deepEqual(Array.from({ length: 8 }, () => highest.next()), [499, 999, 1999, 3999, 7999, 9999, 9999, 9999]);
  const lowest = new Backoff({ random: () => 0 });
  t.deepEqual([lowest.next(), lowest.next()], [1, 1], 'never zero: a retry must not spin');
  t.is(lowest.attempts, 2);
  lowest.reset();
  t.is(lowest.attempts, 0);
});

test('the backoff stays bounded after very many attempts', (t) => {
  const b = new Backoff({ baseMs: 500, capMs: 10_000, random: () => 0.5 });
  for (let i = 0; i < 2000; i++) b.next();
  t.is(b.next(), 5000);
});

test('a backoff with a cap below its base is refused', (t) => {
  t.throws(() => new Backoff({ baseMs: 1000, capMs: 10 }), { message: /0 < baseMs ≤ capMs/ });
});

test('connect errors are told apart: refused credentials and an untrusted broker stop a first connect, the rest is waited out', (t) => {
  const refused = Object.assign(new Error('Connection refused: Bad username or password'), { code: 4 });
  Object.defineProperty(refused, 'name', { value: 'ErrorWithReasonCode' });
  t.is(classifyConnectError(refused, 'mqtt://h:1883'), 'refused');
  const unavailable = Object.assign(new Error('Connection refused: Server unavailable'), { code: 3 });
  Object.defineProperty(unavailable, 'name', { value: 'ErrorWithReasonCode' });
  t.is(classifyConnectError(unavailable, 'mqtt://h:1883'), 'transient', 'a broker that is there but not ready: wait');
  t.is(classifyConnectError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'mqtts://h:8883'), 'untrusted');
  t.is(classifyConnectError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1883'), { code: 'ECONNREFUSED' }), 'mqtt://h:1883'), 'transient');
  t.is(classifyConnectError(new Error('connack timeout'), 'mqtt://h:1883'), 'transient');
});
