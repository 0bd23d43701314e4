import test from 'ava';
import { FleetView, MAX_OUTCOMES } from '../src/index.js';

const at = 1_700_000_000_000;

test('devices, boards, streams and outcomes folded from the telemetry tree', (t) => {
  const v = new FleetView();
  t.true(v.apply('lf/v1/telemetry/dev/cam/status', JSON.stringify({ state: 'online', role: 'source', macsPerSecond: 1.5e6, ts: at, seq: 1, bootId: 'b' })));
  t.true(v.apply('lf/v1/telemetry/dev/pi-1.host-1/load', JSON.stringify({ macsPerSecondBudget: 5e6, macsPerSecondUsed: 1e6, memoryBytes: 1024, line: { port: '/dev/pts/3', bitsPerSecond: 3.8e7, retries: 0, timeouts: 0 }, ts: at })));
  t.true(v.apply('lf/v1/telemetry/inference', JSON.stringify({ source: 'cam', model: 'lenet5', outcome: 'completed', placement: ['cam', 'w1', 'w1', 'w1', 'cam'], totalMs: 12, hops: [{ device: 'w1', layers: [2, 3, 4], ms: 3 }], ts: at })));
  t.true(v.apply('lf/v1/telemetry/inference', JSON.stringify({ source: 'cam', model: 'lenet5', outcome: 'failed', reason: 'no-placement: 4.b compute rules out w1', placement: [], ts: at + 10 })));
  t.true(v.apply('lf/v1/telemetry/ledger', JSON.stringify({ count: 7, root: 'ab'.repeat(32), ts: at })));
  t.true(v.apply('lf/v1/telemetry/dev/cam/status', Buffer.from(JSON.stringify({ state: 'offline', reason: 'shut down', ts: at + 20 }))));

  const cam = v.devices.get('cam')!;
  t.is(cam.class, 'source');
  t.is(cam.state, 'offline');
  t.is(cam.offlineReason, 'shut down');
  const board = v.devices.get('pi-1.host-1')!;
  t.is(board.class, 'board');
  t.is(board.line?.['bitsPerSecond'], 3.8e7);
  t.deepEqual(v.devices.get('pi-1')!.boards, ['pi-1.host-1'], 'the host lists its board');
  t.deepEqual(v.streams.get('cam/lenet5')!.placement, ['cam', 'w1', 'w1', 'w1', 'cam']);
  t.deepEqual(v.failures, { 'no-placement': 1 });
  t.is(v.ledger!.count, 7);
  const rate = v.ratePerSecond(at + 500, 10_000);
  t.is(rate.completed.reduce((a, b) => a + b, 0), 1);
  t.is(rate.failed.reduce((a, b) => a + b, 0), 1);
  const hist = v.latencyHistogram(at + 500);
  t.is(hist.counts[2], 1, '12 ms lands in the ≤ 20 ms bucket');
  t.deepEqual([...v.hopLatency(at + 500)], [['w1', { hops: 1, p50Ms: 3 }]]);
});

test('bad input is counted by reason and changes nothing', (t) => {
  const v = new FleetView();
  t.false(v.apply('lf/v1/telemetry/dev/x/status', '{not json'));
  t.false(v.apply('lf/v1/telemetry/dev/x/status', '[1,2]'));
  t.false(v.apply('lf/v1/telemetry/dev/x/status', JSON.stringify({ state: 'sleeping' })));
  t.false(v.apply('lf/v1/telemetry/inference', JSON.stringify({ outcome: 'completed' })));
  t.false(v.apply('lf/v1/telemetry/elsewhere', '{}'));
  t.false(v.apply('other/topic', '{}'));
  t.false(v.apply('lf/v1/telemetry/dev/x/load', new Uint8Array([0xff, 0xfe])));
  t.true(v.apply('lf/v1/telemetry/dev/x/load', JSON.stringify({ macsPerSecondBudget: 'lots', memoryBytes: null })), 'a load with no usable figure still says the device exists');
  t.is(v.devices.get('x')!.budget, undefined, 'never a non-numeric figure');
  t.deepEqual(v.ignored, { 'not-json': 2, 'not-an-object': 1, 'bad-status': 1, 'bad-inference': 1, 'unknown-topic': 2 });
});

test('memory is bounded: outcomes past MAX_OUTCOMES are dropped oldest first', (t) => {
  const v = new FleetView();
  for (let i = 0; i < MAX_OUTCOMES + 50; i++) v.apply('lf/v1/telemetry/inference', JSON.stringify({ source: 's', model: 'm', outcome: 'completed', placement: ['s'], totalMs: 1, ts: at + i }));
  t.is(v.outcomes.length, MAX_OUTCOMES);
  t.is(v.outcomes[0]!.ts, at + 50);
});

test("the gateway topic's standing routes give a stream's placement before any answer", (t) => {
  const v = new FleetView();
  t.true(v.apply('lf/v1/telemetry/gateway', JSON.stringify({
    devicesOnline: 2, streamCount: 1, waiting: 0, rejections: { auth: 2, replay: 'x' }, streams: { 'cam/lenet5': { declared: 10, measured: 9.5, planned: 10 } },
    routes: [{ source: 'cam', model: 'lenet5', route: 'r1', version: 3, assignment: ['cam', 'w1', 'w1', 'w1', 'cam'] }, { source: 'cam', model: 'bad', assignment: [1, 2] }], ts: at,
  })));
  t.deepEqual(v.streams.get('cam/lenet5')!.placement, ['cam', 'w1', 'w1', 'w1', 'cam']);
  t.false(v.streams.has('cam/bad'), 'a route with non-string devices is left out');
  t.is(v.gateway!.streamCount, 1);
  t.deepEqual(v.gateway!.rejections, { auth: 2 }, 'a non-number count is left out');
  t.is(v.gateway!.streams['cam/lenet5']!.planned, 10);
});
