import test, { type ExecutionContext } from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { topics } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { startGateway, type GatewayOptions } from '@layerfleet/gateway';
import { runSource } from '@layerfleet/agent';
import { runCli, lastJsonLine, until, budgetedFleet } from '../src/index.js';

const model = loadLenetInt8();

/** The budgeted fleet of hil-tests/src/budgeted-fleet.ts, stopped with the test. */
const fleet = (t: ExecutionContext, opts: Omit<GatewayOptions, 'stateDir'> = {}) => budgetedFleet((stop) => t.teardown(stop), opts);

test('a request nothing can serve waits in the queue, and runs once a worker joins', async (t) => {
  const { gw, outcomes, worker, source, online, outcomesFor } = await fleet(t, { queueTimeoutMs: 60_000 });
  const cam = await source('cam');
  await online(1);
  const run = runSource(cam, { model, inferences: 1 });

  await until(() => gw.stats.queued === 1, 'the request to be queued');
  t.is(outcomes.length, 0, 'queued, not failed');
  t.is(gw.stats.failed, 0);

  await worker('w1', 5e6);
  const [result] = await run;
  t.truthy(result && result.predicted !== undefined, `answered: ${result?.error}`);
  await outcomesFor(1);
  t.is(outcomes[0]!.outcome, 'completed', outcomes[0]!.reason);
  t.deepEqual(outcomes[0]!.placement, ['cam', 'w1', 'w1', 'w1', 'cam']);
  t.is(gw.stats.dequeued, 1);
  t.is(gw.stats.queueTimeouts, 0);
});

test('a route whose hop leaves before it is set up waits for a newcomer instead of failing', async (t) => {
  const { gw, outcomes, worker, source, online, outcomesFor } = await fleet(t, { queueTimeoutMs: 60_000, attemptTimeoutMs: 60_000 });
  const cam = await source('cam');
  const w1 = await worker('w1', 5e6);
  await online(2);
  // w1 stays online but never sees its route, so the route is still being set up when it leaves
  await w1.client.unsubscribeAsync(topics.deviceInbox('w1'));
  const run = runSource(cam, { model, inferences: 1 });
  await until(() => (gw.registry.get('w1')!.exposed.get('lenet5')?.size ?? 0) > 0, 'a route through w1');
  t.is(gw.stats.queued, 0, 'placed at once while w1 was there');

  await w1.close(200);
  await until(() => gw.stats.queued === 1, 'the re-plan to be queued');
  t.is(outcomes.length, 0, 'queued, not failed');

  await worker('w2', 5e6);
  const [result] = await run;
  t.truthy(result && result.predicted !== undefined, `answered: ${result?.error}`);
  await outcomesFor(1);
  t.is(outcomes[0]!.outcome, 'completed', outcomes[0]!.reason);
  t.is(outcomes[0]!.attempts, 1, 'the request waited at the source: it ran once, on w2');
  t.is(outcomes[0]!.version, 2, 'version 1 (through w1) never went live; version 2 did');
  t.deepEqual(outcomes[0]!.placement, ['cam', 'w2', 'w2', 'w2', 'cam']);
});

test('a stream that stays infeasible fails its requests when its wait is up, naming the constraint; a full queue refuses at once', async (t) => {
  const { gw, outcomes, worker, source, online } = await fleet(t, { queueTimeoutMs: 1000, maxQueued: 1 });
  const cam = await source('cam');
  const cam2 = await source('cam2');
  await worker('tiny', 1e3);
  await online(3);
  // cam's stream takes the queue's one place; cam2's, asked for while it waits, finds it full
  const waiting = runSource(cam, { model, inferences: 1 });
  await until(() => gw.stats.queued === 1, "cam's stream to wait");
  const refusedAtOnce = await runSource(cam2, { model, inferences: 1 });
  const results = [...await waiting, ...refusedAtOnce];
  t.is(results.filter((r) => r.error).length, 2, 'both fail');
  await until(() => outcomes.length === 2, 'both outcomes at the gateway');
  t.true(outcomes.every((o) => o.outcome === 'failed' && o.attempts === 0 && o.placement.length === 0), 'nothing was sent');
  const [timedOut, refused] = [outcomes.find((o) => /within 1000 ms/.test(o.reason ?? '')), outcomes.find((o) => /queue is full/.test(o.reason ?? ''))];
  t.truthy(timedOut, JSON.stringify(outcomes.map((o) => o.reason)));
  t.truthy(refused, JSON.stringify(outcomes.map((o) => o.reason)));
  for (const o of [timedOut!, refused!]) {
    t.regex(o.reason!, /segment-dp: layer 2 \(conv2\): no device fits/);
    t.regex(o.reason!, /cam2? \(source keeps out of middle layers/);
    t.regex(o.reason!, /tiny \(4\.b compute/);
  }
  t.like(gw.stats, { queued: 1, queueTimeouts: 1, queueFull: 1, dequeued: 0, failed: 2 });
});

test("a strategy's placement that breaks a constraint is never sent", async (t) => {
  // static plans once per fleet, blind to load: the second source gets the first one's worker
  // although that worker's budget is already taken by the first source's stream
  const { outcomes, worker, source, online, outcomesFor } = await fleet(t, { strategy: 'static', queueTimeoutMs: 300 });
  const camA = await source('camA');
  const camB = await source('camB');
  await worker('w1', 5e6);
  await online(3);
  const [a] = await runSource(camA, { model, inferences: 1 });
  t.truthy(a && a.predicted !== undefined, `camA answered: ${a?.error}`);
  const [b] = await runSource(camB, { model, inferences: 1 });
  t.truthy(b?.error, `camB fails: ${JSON.stringify(b)}`);
  await outcomesFor(2);

  const o = outcomes.find((x) => x.source === 'camB')!;
  t.is(o.outcome, 'failed');
  t.is(o.attempts, 0, 'no plan went out');
  t.regex(o.reason!, /static proposed camB→w1→w1→w1→camB, which breaks 4\.b compute: w1 needs/);
});

for (const strategy of ['exact', 'neurosurgeon']) {
  test(`startGateway({ strategy: '${strategy}' }) serves inferences and says which strategy it uses`, async (t) => {
    const { gw, outcomes, worker, source, online, outcomesFor } = await fleet(t, { strategy });
    const cam = await source('cam');
    await worker('w1', 5e6);
    await worker('w2', 1.1e6);
    await online(3);
    const results = await runSource(cam, { model, inferences: 4, concurrency: 2 });
    t.is(results.filter((r) => r.predicted !== undefined).length, 4, JSON.stringify(results.map((r) => r.error).filter(Boolean)));
    await outcomesFor(4);
    t.true(outcomes.every((o) => o.outcome === 'completed'));
    if (strategy === 'neurosurgeon') t.true(outcomes.every((o) => new Set(o.placement.slice(1, -1)).size === 1), 'one helper takes every middle layer');
    t.is(gw.stats.strategy, strategy);

    const dashboard = await mqtt.connectAsync(gw.url, { clientId: `dashboard-${strategy}` });
    t.teardown(() => dashboard.endAsync(true));
    const stats: Array<Record<string, unknown>> = [];
    dashboard.on('message', (_topic, payload) => stats.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await dashboard.subscribeAsync(topics.gatewayStats);
    await until(() => stats.some((s) => s.completed === 4), 'gateway stats telemetry after the run');
    t.is(stats.at(-1)!.strategy, strategy);
  });
}

test('startGateway refuses an unknown strategy, listing the valid ones', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-online-'));
  await t.throwsAsync(startGateway({ port: 0, stateDir: state, strategy: 'nope' }), { message: /unknown "nope"; use one of segment-dp, exact/ });
});

test('the demo runs with --strategy neurosurgeon and reports it; an unknown strategy is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-demo-strategy-'));
  // at the demo's default 20 requests/s no single worker takes every middle layer, which is all
  // neurosurgeon can do with sources kept out of the middle; at 10/s edge-a can
  const bad = await runCli(['demo', '--strategy', 'nope', '--inferences', '1']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /strategy: unknown "nope"; use one of segment-dp, exact, static, neurosurgeon, rl-pdnn/);

  const run = await runCli(['demo', '--strategy', 'neurosurgeon', '--rate', '10', '--inferences', '20', '--json', '--state', dir]);
  t.is(run.code, 0, run.stderr.slice(-2000));
  const s = lastJsonLine(run);
  t.is(s.strategy, 'neurosurgeon');
  t.is(s.inferences, 20);
  t.is(s.completed, 20, JSON.stringify(s.failure_reasons));
});
