/** The value checks under the flags, without a process per case: SI quantities and broker URLs. */
import test from 'ava';
import { parseQuantity } from '../src/quantity.js';
import { checkBrokerUrl } from '../src/broker-url.js';

test('quantities: plain, exponents and SI suffixes (powers of 1000); anything else is not a number', (t) => {
  const cases: Array<[string, number]> = [['250', 250], ['0.2', 0.2], ['5e6', 5e6], ['100k', 1e5], ['5M', 5e6], ['1.1G', 1.1e9], ['-3', -3], ['.5k', 500]];
  for (const [text, value] of cases) t.is(parseQuantity(text), value, text);
  for (const text of ['', 'M', '5X', '5m', '5 M', '1e400', 'NaN', 'Infinity', '0x10', '5MM']) t.is(parseQuantity(text), undefined, JSON.stringify(text));
});

test('broker URLs: mqtt, mqtts, ws, wss with a host pass; others are refused with the likely spelling', (t) => {
  for (const url of ['mqtt://127.0.0.1:1883', 'mqtts://gw.example:8883', 'ws://gw:8080/mqtt', 'wss://gw.example/mqtt']) t.is(checkBrokerUrl('broker', url), url);
  t.throws(() => checkBrokerUrl('broker', '127.0.0.1:1883'), { message: '--broker: expected mqtt://HOST:PORT, mqtts://, ws:// or wss://; got 127.0.0.1:1883 — did you mean mqtt://127.0.0.1:1883?' });
  t.throws(() => checkBrokerUrl('broker', 'https://gw.example'), { message: /did you mean wss:\/\/gw\.example\/mqtt\?$/ });
  t.throws(() => checkBrokerUrl('broker', 'tcp://gw:1883'), { message: /did you mean mqtt:\/\/gw:1883\?$/ });
  t.throws(() => checkBrokerUrl('broker', 'mqtt://'), { message: /^--broker: expected mqtt:\/\/HOST:PORT/ });
});
