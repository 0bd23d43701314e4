/**
 * `bench e2e --json` with tiny counts: every figure it promises is there and is a positive,
 * finite number (what the figures are is the benchmark's business, never a test's), and it
 * leaves no process behind.
 */
import { testNeeding } from '@layerfleet/test-support/ava';
import { runCli, lastJsonLine } from '../src/index.js';

const test = testNeeding(['mosquitto']);

/** The keys issue 14 asks for, and the rest of each pipeline's figures. */
const REQUIRED = ['p50_ms_c1', 'p95_ms_c1', 'per_s_c8', 'bare_p50_ms_c1', 'bare_per_s_c8', 'broker_msgs_per_s', 'mosquitto_msgs_per_s'];
const PER_PIPELINE = ['p50_ms_c1', 'p95_ms_c1', 'per_s_c1', 'cpu_ms_per_inference_c1', 'p50_ms_c8', 'p95_ms_c8', 'per_s_c8', 'cpu_ms_per_inference_c8'];
const RATIOS = ['ratio_p50_c1', 'ratio_p50_c8', 'ratio_per_s_c1', 'ratio_per_s_c8', 'ratio_cpu_c1', 'ratio_cpu_c8', 'aedes_open_msgs_per_s', 'broker_vs_mosquitto', 'broker_cpu_us_per_msg', 'aedes_open_cpu_us_per_msg', 'mosquitto_cpu_us_per_msg'];
const PROCESSES = { '': ['gateway', 'cam1', 'edge-a', 'edge-b', 'edge-c'], bare_: ['broker', 'cam1', 'edge-a', 'edge-b', 'edge-c'], bare_mosquitto_: ['broker', 'cam1', 'edge-a', 'edge-b', 'edge-c'] };

const positive = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;

test('bench e2e --json: layerfleet, the bare pipeline over Aedes and Mosquitto, and the brokers alone, every figure a positive finite number', async (t) => {
  // two fleets, two brokers and a Mosquitto start one after another: a minute here, more on a busy machine
  t.timeout(360_000);
  const run = await runCli(['bench', 'e2e', '--json', '--requests-c1', '8', '--requests-c8', '16', '--warmup', '2', '--rate', '50',
    '--broker-pairs', '2', '--broker-messages', '100', '--broker-window', '16', '--broker-loaders', '1'], 340_000);
  t.is(run.code, 0, run.stderr.slice(-3000));
  const s = lastJsonLine(run);
  const keys = [...REQUIRED, ...Object.keys(PROCESSES).flatMap((prefix) => PER_PIPELINE.map((k) => `${prefix}${k}`)), ...RATIOS];
  for (const key of keys) t.true(positive(s[key]), `${key}: ${JSON.stringify(s[key])}`);
  for (const [prefix, names] of Object.entries(PROCESSES)) {
    for (const c of [1, 8]) {
      const cpu = s[`${prefix}cpu_ms_per_process_c${c}`] as Record<string, unknown>;
      for (const name of names) t.true(typeof cpu[name] === 'number' && Number.isFinite(cpu[name]) && cpu[name] >= 0, `${prefix}c${c} ${name}: ${JSON.stringify(cpu)}`);
      t.is(s[`${prefix}failed_c${c}`], 0, `${prefix}failed_c${c}`);
    }
  }
  t.is(s.broker_lost, 0);
  t.deepEqual(s.broker_rejections, {}, 'the hooked broker admitted every enrolled pair and refused nothing');
  // the split each side ran is named: layerfleet's from its telemetry, the bare one fixed
  t.true(Object.keys(s.placements_c1 as object).length > 0);
  t.regex(String(s.bare_placement), /^conv1@cam1 → .* → fc3@cam1$/);
  t.regex(run.stdout, /ours\/bare/);
  t.regex(run.stdout, /Aedes \+ gateway hooks/);
});
