/**
 * Standing routes under churn (gateway/src/standing-routes.ts): a stream's placement is made
 * once and kept while nothing changes, and replaced by a new version when a device joins, leaves,
 * is revoked or saturates — with every request answered, none lost, and no activation accepted
 * outside a route version the gateway signed.
 */
import test, { type ExecutionContext } from 'ava';
import { loadLenetInt8 } from '@layerfleet/models';
import { issueEnrolmentToken, DeviceStore, type GatewayOptions, type Outcome } from '@layerfleet/gateway';
import { Agent, runSource, type SourceResult } from '@layerfleet/agent';
import { until, budgetedFleet } from '../src/index.js';
import { startEnrolledFleet } from '../src/attack/enrolled-fleet.js';

const model = loadLenetInt8();

/** The budgeted fleet of hil-tests/src/budgeted-fleet.ts (fixed MAC/s figures: budgets decide), stopped with the test. */
const fleet = (t: ExecutionContext, opts: Omit<GatewayOptions, 'stateDir'> = {}) => budgetedFleet((stop) => t.teardown(stop), opts);

/** Every request answered, once, and each answer's outcome at the gateway completed. */
async function noneLost(t: ExecutionContext, results: SourceResult[], outcomes: Outcome[], n: number) {
  t.is(results.length, n);
  t.deepEqual(results.filter((r) => r.error !== undefined).map((r) => r.error), [], 'no request failed');
  await until(() => outcomes.length >= n, `${n} outcomes at the gateway`);
  t.is(new Set(outcomes.map((o) => o.requestId)).size, n, 'one outcome per request');
  t.true(outcomes.every((o) => o.outcome === 'completed'), JSON.stringify(outcomes.filter((o) => o.outcome !== 'completed').map((o) => o.reason)));
}

const versionsOf = (outcomes: Outcome[]) => [...new Set(outcomes.map((o) => o.version))].sort();

test('a steady stream is planned once: one route version, its weights delivered once, every request on it', async (t) => {
  const { gw, outcomes, worker, source, online } = await fleet(t);
  const cam = await source('cam');
  const w1 = await worker('w1', 5e6);
  await online(2);
  const results = await runSource(cam, { model, inferences: 30, concurrency: 4 });
  await noneLost(t, results, outcomes, 30);
  t.deepEqual(versionsOf(outcomes), [1], 'every request ran on version 1');
  t.is(gw.stats.routeChanges, 0);
  t.true(outcomes.every((o) => o.attempts === 1 && o.placement.join('→') === 'cam→w1→w1→w1→cam'));
  t.is(w1.routes.size, 1, 'w1 installed one route version');
  t.is(w1.computedLayers, 90, 'w1 ran its three layers of every request');
});

test('a device joining moves the route onto it; requests under way finish where they are, none lost', async (t) => {
  const { gw, outcomes, worker, source, online } = await fleet(t);
  const cam = await source('cam');
  const slow = await worker('slow', 3.5e6);
  await online(2);
  let fastJoined: Promise<Agent> | null = null;
  const first = await runSource(cam, {
    model, inferences: 30, concurrency: 4,
    // a much faster worker joins a third of the way in: segment-dp's latency model prefers it
    onResult: (_r, done) => { if (done === 10) fastJoined = worker('fast', 50e6); },
  });
  await fastJoined;
  // on a loaded machine the stream may end before the newcomer is in: the change comes all the same
  await until(() => (gw.stats.routeChangeReasons['device-joined'] ?? 0) >= 1, `a route change for the newcomer: ${JSON.stringify(gw.stats.routeChangeReasons)}`);
  const second = await runSource(cam, { model, inferences: 10, concurrency: 4 });
  await noneLost(t, [...first, ...second], outcomes, 40);
  const last = outcomes.at(-1)!;
  t.deepEqual(last.placement, ['cam', 'fast', 'fast', 'fast', 'cam'], 'the stream goes on on the newcomer');
  t.true(outcomes.some((o) => o.placement.includes('slow')), 'and began on the first worker');
  t.true(slow.computedLayers > 0);
});

test('a hop leaving mid-stream: a new version without it, what was under way re-run from the source, none lost', async (t) => {
  const { gw, outcomes, worker, source, online } = await fleet(t);
  const cam = await source('cam');
  const workers = new Map([['w1', await worker('w1', 5e6)], ['w2', await worker('w2', 4e6)]]);
  await online(3);
  let cut = '';
  const results = await runSource(cam, {
    model, inferences: 40, concurrency: 4,
    onResult: (_r, done) => {
      if (done !== 12 || cut) return;
      // the hop the route runs through vanishes without a goodbye: its connection cut, requests on it
      cut = outcomes.at(-1)!.placement[1]!;
      workers.get(cut)!.client.end(true);
    },
  });
  await noneLost(t, results, outcomes, 40);
  t.true((gw.stats.routeChangeReasons['device-lost'] ?? 0) >= 1, JSON.stringify(gw.stats.routeChangeReasons));
  t.true(versionsOf(outcomes).length >= 2, `versions ${versionsOf(outcomes).join(', ')}`);
  t.false(outcomes.at(-1)!.placement.includes(cut), `the stream ends off ${cut}`);
});

test('a revoked hop is dropped from the route at once; the stream moves and loses nothing', async (t) => {
  const fleet = await startEnrolledFleet();
  // a spare worker big enough for the middle layers, so the stream has somewhere to go
  const spare = await Agent.start({
    id: 'w4', brokerUrl: fleet.gw.url, stateDir: fleet.state, gateway: fleet.gatewayKeys, heartbeatMs: 1000, measuredMacsPerSecond: 1e9, macsBudget: 5e6, memoryBytes: 5e8,
    enrolToken: issueEnrolmentToken(fleet.state, { id: 'w4', owner: 'carol', trusted: false }),
  });
  t.teardown(async () => { await spare.close(200); await fleet.close(); });
  await until(() => fleet.gw.registry.get('w4')?.online === true, 'the spare worker online');
  const outcomes: Outcome[] = [];
  fleet.gw.onOutcome((o) => outcomes.push(o));
  let revoked = '';
  const results = await runSource(fleet.source, {
    model, inferences: 30, concurrency: 4,
    onResult: (_r, done) => {
      if (done !== 10 || revoked) return;
      // the route's first middle hop is reported stolen (what `layerfleet devices revoke` writes)
      revoked = outcomes.at(-1)!.placement[1]!;
      new DeviceStore(fleet.state).revoke(revoked, 'reported stolen');
    },
  });
  await noneLost(t, results, outcomes, 30);
  t.truthy(revoked);
  t.true((fleet.gw.stats.routeChangeReasons['device-lost'] ?? 0) >= 1, JSON.stringify(fleet.gw.stats.routeChangeReasons));
  const after = outcomes.slice(-5);
  t.true(after.every((o) => !o.placement.includes(revoked)), `the last requests avoid ${revoked}: ${after.map((o) => o.placement.join('→')).join(' | ')}`);
});

test('a hop that saturates (its budget cut below its share) makes the route move; none lost', async (t) => {
  const { gw, outcomes, worker, source, online } = await fleet(t);
  const cam = await source('cam');
  const w1 = await worker('w1', 5e6);
  await worker('w2', 4e6);
  await online(3);
  let cut = false;
  const results = await runSource(cam, {
    model, inferences: 30, concurrency: 4,
    onResult: (_r, done) => {
      if (done !== 10 || cut) return;
      cut = true;
      // w1 now offers less than the stream's conv2 needs at 10/s (2.4 MMAC/s)
      void w1.setMacsBudget(1e6);
    },
  });
  await noneLost(t, results, outcomes, 30);
  t.true(gw.stats.routeChanges >= 1, JSON.stringify(gw.stats.routeChangeReasons));
  const last = outcomes.at(-1)!.placement;
  t.false(last.slice(1, 3).includes('w1'), `conv1/conv2 moved off w1: ${last.join('→')}`);
});

test('no activation is accepted outside a route version the gateway signed, from the hop before', async (t) => {
  const { outcomes, worker, source, online } = await fleet(t);
  const cam = await source('cam');
  const w1 = await worker('w1', 5e6);
  const w2 = await worker('w2', 0.5e6);
  await online(3);
  await noneLost(t, await runSource(cam, { model, inferences: 4, concurrency: 2 }), outcomes, 4);
  const { route, version } = outcomes[0]!;
  const computed = w1.computedLayers;
  const act = (over: { route?: string; version?: number; layer?: number }) => ({
    t: 'act' as const, route: over.route ?? route!, version: over.version ?? version!, requestId: 'forged', attempt: 0, layer: over.layer ?? 1, data: new Uint8Array(6 * 28 * 28), trace: [],
  });
  // The broker lets w2 reach w1 only if a route links them; cam → w1 is linked, so cam's key tries.
  cam.send('w1', act({ route: 'cam/lenet5/forged' }));
  cam.send('w1', act({ version: version! + 7 }));
  cam.send('w1', act({ layer: 3 }));
  cam.send('w1', act({ layer: 4 }));
  await until(() => (w1.rejections.toJSON()['wrong-hop'] ?? 0) >= 1 && (w1.rejections.toJSON()['not-assigned'] ?? 0) >= 1, 'the misrouted activations refused');
  // the two for routes w1 does not hold are held briefly (their route might be on its way), then refused
  await until(() => (w1.rejections.toJSON()['no-route'] ?? 0) >= 2, 'the activations for unsigned routes refused', 15_000);
  t.is(w1.computedLayers, computed, 'w1 computed nothing for them');
  t.is(w2.computedLayers, 0);
});

test('a source that leaves and comes back continues its route versions: no version number names two placements', async (t) => {
  const { gw, outcomes, worker, source, online } = await fleet(t);
  const cam = await source('cam');
  await worker('w1', 5e6);
  await online(2);
  await noneLost(t, await runSource(cam, { model, inferences: 5, concurrency: 2 }), outcomes, 5);
  const before = Math.max(...outcomes.map((o) => o.version ?? 0));
  // the source's connection drops: the gateway ends its stream; back, it asks again
  (cam.client.stream as unknown as { destroy(): void }).destroy();
  await until(() => !gw.registry.get('cam')!.online, 'the gateway to see cam leave');
  await until(() => gw.registry.get('cam')!.online, 'cam to come back');
  const again = await runSource(cam, { model, inferences: 5, concurrency: 2 });
  t.deepEqual(again.filter((r) => r.error !== undefined).map((r) => r.error), [], 'no request failed after the return');
  await until(() => outcomes.length >= 10, '10 outcomes at the gateway');
  t.true(outcomes.every((o) => o.outcome === 'completed'));
  const after = outcomes.slice(5).map((o) => o.version ?? 0);
  t.true(after.every((v) => v > before), `versions after the return (${after.join(', ')}) follow on from ${before}`);
});
