import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { loadOrCreateDeviceKeys, publicKeysOf, topics } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { startGateway, GATEWAY_ID, type GatewayOptions } from '@layerfleet/gateway';
import { Agent, runSource, type AgentOptions, type SourceStats } from '@layerfleet/agent';
import { until } from '../src/index.js';

const model = loadLenetInt8();

/** A gateway, agents with fixed MAC/s figures, and a dashboard recording every `load` and gateway-stats message. */
async function fleet(t: import('ava').ExecutionContext, opts: Omit<GatewayOptions, 'stateDir'> = {}) {
  const state = await mkdtemp(join(tmpdir(), 'lf-budgets-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'open', log: () => {}, ...opts });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const agents: Agent[] = [];
  const dashboard = await mqtt.connectAsync(gw.url, { clientId: `dashboard-${Math.random().toString(16).slice(2)}` });
  const loads: Array<{ device: string; body: Record<string, number> }> = [];
  const gatewayStats: Array<Record<string, unknown>> = [];
  dashboard.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString()) as Record<string, never>;
    if (topic === topics.gatewayStats) gatewayStats.push(body);
    else loads.push({ device: topic.split('/').at(-2)!, body });
  });
  await dashboard.subscribeAsync([topics.deviceLoad('x').replace('/x/', '/+/'), topics.gatewayStats]);
  t.teardown(async () => {
    await dashboard.endAsync(true);
    for (const a of agents) await a.close(200);
    await gw.close();
  });
  const start = async (id: string, extra: Partial<AgentOptions>) => {
    const a = await Agent.start({ id, brokerUrl: gw.url, stateDir: state, gateway, measuredMacsPerSecond: 1e9, memoryBytes: 5e8, heartbeatMs: 500, ...extra });
    agents.push(a);
    return a;
  };
  return { gw, loads, gatewayStats, start };
}

test('with a real gateway, workers and a source: no worker reports using more MAC/s than its budget, and the source keeps to its declared rate', async (t) => {
  const { gw, loads, gatewayStats, start } = await fleet(t);
  // LeNet's middle layers need 298 080 MACs a request: at 10/s, w1 (5 M) takes conv2 (2.4 M at 10/s) and more
  await start('w1', { macsBudget: 5e6 });
  await start('w2', { macsBudget: 1.1e6 });
  const cam = await start('cam', { role: 'source', requestRate: 10, macsBudget: 1.5e6 });
  await until(() => gw.registry.online().length === 3, '3 devices online');
  const stats: SourceStats = { sent: 0, answered: 0, failed: 0, inFlight: 0 };
  const results = await runSource(cam, { model, inferences: 60, concurrency: 4, stats });
  t.is(results.filter((r) => r.error).length, 0, JSON.stringify(results.map((r) => r.error).filter(Boolean)));
  await until(() => loads.filter((l) => l.device === 'w1').length >= 4, 'load reports from w1');
  await new Promise((r) => setTimeout(r, 600)); // the window the last jobs fell in

  for (const { device, body } of loads) t.true(body.macsPerSecondUsed! <= body.macsPerSecondBudget!, `${device}: ${body.macsPerSecondUsed} used of ${body.macsPerSecondBudget}`);
  const maxUsed = (id: string) => Math.max(0, ...loads.filter((l) => l.device === id).map((l) => l.body.macsPerSecondUsed!));
  t.true(maxUsed('w1') > 0.3 * 5e6, `w1 did work: ${maxUsed('w1')} MAC/s at most`);

  // the source's own count: 60 requests no faster than 10/s (a burst of 4 at the start)
  const span = (stats.lastSentAt! - stats.firstSentAt!) / 1000;
  t.true(stats.sent === 60 && span >= (60 - 4) / 10 - 0.05, `60 sent over ${span} s`);
  t.true((stats.sent - 1) / span <= 10 * 1.1, `${((stats.sent - 1) / span).toFixed(2)} requests/s sent`);
  // and the gateway's: measured within the declared rate, never planned above it
  await until(() => gatewayStats.some((s) => (s.streams as Record<string, unknown> | undefined)?.['cam/lenet5'] !== undefined), 'stream telemetry');
  const stream = (gatewayStats.at(-1)!.streams as Record<string, { declared: number; measured: number; overDeclared: boolean }>)['cam/lenet5']!;
  t.is(stream.declared, 10);
  t.true(stream.measured <= 10, JSON.stringify(stream));
  t.false(stream.overDeclared);
  t.is(gw.stats.streamsOverRate, 0);
});

test('a stream sending faster than it declared is planned at its measured rate, once reported', async (t) => {
  const { gw, gatewayStats, start } = await fleet(t);
  await start('w1', { macsBudget: 5e6 });
  // declares 1/s, sends 10/s: the gateway's window sees it
  const cam = await start('cam', { role: 'source', requestRate: 1, macsBudget: 1.5e6 });
  await until(() => gw.registry.online().length === 2, '2 devices online');
  const results = await runSource(cam, { model, inferences: 40, concurrency: 4, rate: 10 });
  t.is(results.filter((r) => r.error).length, 0, JSON.stringify(results.map((r) => r.error).filter(Boolean)));
  t.is(gw.stats.streamsOverRate, 1, 'reported once');
  await until(() => (gatewayStats.at(-1)?.streamsOverRate as number | undefined) === 1, 'gateway telemetry counts it');
  const stream = (gatewayStats.at(-1)!.streams as Record<string, { declared: number; measured: number; planned: number; overDeclared: boolean }>)['cam/lenet5']!;
  t.is(stream.declared, 1);
  t.true(stream.overDeclared && stream.planned > 1.2, JSON.stringify(stream));
});
