import test from 'ava';
import { loadLenetInt8 } from '@layerfleet/models';
import { measureMacsPerSecond } from '../src/index.js';

test('the self-benchmark reports a positive, finite MAC/s for the int8 kernels', (t) => {
  const macs = measureMacsPerSecond(loadLenetInt8(), 100);
  t.true(Number.isFinite(macs));
  t.true(macs > 1e5, `${macs} MAC/s`);
});
