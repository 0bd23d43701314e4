import test from 'ava';
import { topics, inboxOwner, assertDeviceId } from '../src/index.js';

test('device inbox topic round-trips to its owner', (t) => {
  const topic = topics.deviceInbox('cam1');
  t.is(topic, 'lf/v1/dev/cam1/in');
  t.is(inboxOwner(topic), 'cam1');
  t.is(inboxOwner('lf/v1/gw/in'), null);
});

test('ids that would break topic levels are refused, naming the field', (t) => {
  for (const bad of ['', 'a/b', 'a+', '#', 'x'.repeat(65), 42]) {
    const err = t.throws(() => assertDeviceId(bad, 'sender'));
    t.regex(err!.message, /^sender:/);
  }
});
