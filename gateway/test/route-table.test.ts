import test from 'ava';
import { RouteTable } from '../src/route-table.js';
import { mayPublish } from '../src/broker-acl.js';

test('a plan opens the routes along its assignment, one way, until a grace period after its request ends', async (t) => {
  const routes = new RouteTable(50);
  routes.open('r1', 0, ['cam', 'w1', 'w1', 'w2', 'cam']);
  t.true(routes.allows('cam', 'w1'));
  t.true(routes.allows('w1', 'w2'));
  t.true(routes.allows('w2', 'cam'));
  t.false(routes.allows('w1', 'cam'), 'only the way the activations go');
  t.false(routes.allows('w2', 'w1'));
  t.false(routes.allows('w1', 'w1'), 'a device keeps consecutive layers to itself');
  // A re-plan (attempt 1) over other devices; the request then ends.
  routes.open('r1', 1, ['cam', 'w3', 'cam']);
  routes.open('r2', 0, ['cam', 'w1', 'cam']);
  routes.finish('r1', 2);
  t.true(routes.allows('w1', 'w2'), 'still open during the grace period: activations in flight');
  await new Promise((r) => setTimeout(r, 120));
  t.false(routes.allows('w1', 'w2'));
  t.false(routes.allows('w3', 'cam'));
  t.true(routes.allows('cam', 'w1'), 'r2 still uses cam → w1');
  t.true(routes.allows('w1', 'cam'));

  const device = { kind: 'device', id: 'spy' } as const;
  t.regex(mayPublish(device, 'spy', 'lf/v1/dev/w1/in', routes)!, /spy is in no live plan that sends activations to w1/);
  t.is(mayPublish({ kind: 'device', id: 'w1' }, 'w1', 'lf/v1/dev/cam/in', routes), null);
  t.is(mayPublish(device, 'spy', 'lf/v1/gw/in', routes), null, 'the gateway is always reachable');
});
