import test from 'ava';
import { RouteTable } from '../src/route-table.js';
import { mayPublish } from '../src/broker-acl.js';

test('a route version opens the links along its assignment, one way, until a grace period after it is retired', async (t) => {
  const routes = new RouteTable(50);
  t.teardown(() => routes.close());
  routes.open('cam:lenet5#1', ['cam', 'w1', 'w1', 'w2', 'cam']);
  t.true(routes.allows('cam', 'w1'));
  t.true(routes.allows('w1', 'w2'));
  t.true(routes.allows('w2', 'cam'));
  t.false(routes.allows('w1', 'cam'), 'only the way the activations go');
  t.false(routes.allows('w2', 'w1'));
  t.false(routes.allows('w1', 'w1'), 'a device keeps consecutive layers to itself');
  // A new version over other devices supersedes the first; another stream shares a link.
  routes.open('cam:lenet5#2', ['cam', 'w3', 'cam']);
  routes.open('cam2:lenet5#1', ['cam', 'w1', 'cam']);
  routes.retire('cam:lenet5#1');
  t.true(routes.allows('w1', 'w2'), 'still open during the grace period: activations in flight');
  await new Promise((r) => setTimeout(r, 120));
  t.false(routes.allows('w1', 'w2'));
  t.true(routes.allows('w3', 'cam'), 'the live version stays open');
  t.true(routes.allows('cam', 'w1'), 'the other stream still uses cam → w1');
  t.true(routes.allows('w1', 'cam'));
  t.is(routes.size, 2);

  const device = { kind: 'device', id: 'spy' } as const;
  t.regex(mayPublish(device, 'spy', 'lf/v1/dev/w1/in', routes)!, /spy is on no route that sends activations to w1/);
  t.is(mayPublish({ kind: 'device', id: 'w1' }, 'w1', 'lf/v1/dev/cam/in', routes), null);
  t.is(mayPublish(device, 'spy', 'lf/v1/gw/in', routes), null, 'the gateway is always reachable');
});
