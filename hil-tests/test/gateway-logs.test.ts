import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadOrCreateDeviceKeys, publicKeysOf } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { Agent, runSource } from '@layerfleet/agent';
import { BIN, until } from '../src/index.js';

type Rec = { level: number; module?: string; msg: string; requestId?: string; source?: string; device?: string; name: string; pid: number };

test('the gateway logs JSON lines: modules, device and request ids (the request id is the one its MQTT messages carry), nothing per request at info', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-logs-'));
  const gateway = spawn(process.execPath, [BIN, 'gateway', '--port', '0', '--state', state, '--access', 'open', '--log-level', 'debug', '--queue-timeout', '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => gateway.once('exit', () => resolve()));
  t.teardown(async () => { gateway.kill('SIGTERM'); await exited; });
  const lines: string[] = [];
  createInterface({ input: gateway.stderr }).on('line', (l) => lines.push(l));
  const listening = JSON.parse(await new Promise<string>((r) => createInterface({ input: gateway.stdout }).once('line', r))) as { url: string };
  const keys = publicKeysOf(await loadOrCreateDeviceKeys(state, 'gateway'));
  const agents: Agent[] = [];
  t.teardown(async () => { for (const a of agents) await a.close(200); });
  const start = async (id: string, extra: object) => {
    const a = await Agent.start({ id, brokerUrl: listening.url, stateDir: state, gateway: keys, measuredMacsPerSecond: 1e9, memoryBytes: 5e8, heartbeatMs: 500, ...extra });
    agents.push(a);
    return a;
  };
  const records = () => lines.map((l) => JSON.parse(l) as Rec);
  const cam = await start('cam', { role: 'source', requestRate: 10, macsBudget: 1.5e6 });
  // nobody to take the middle layers yet: the request waits in the queue, which is logged per request (debug)
  const run = runSource(cam, { model: loadLenetInt8(), inferences: 1 });
  await until(() => records().some((r) => r.module === 'orchestrator' && r.requestId !== undefined), 'a queued request in the log', 20_000, () => lines.join('\n'));
  await start('w1', { macsBudget: 5e6 });
  const [result] = await run;
  t.is(result?.error, undefined);

  const recs = records();
  t.true(recs.length > 0 && recs.every((r) => r.name === 'gateway' && typeof r.pid === 'number'), 'every line a JSON record');
  const queued = recs.find((r) => r.module === 'orchestrator' && /queued/.test(r.msg))!;
  t.is(queued.level, 20, 'debug');
  t.is(queued.requestId, result!.requestId, 'the same id as in the infer message and the inference telemetry');
  t.is(queued.source, 'cam');
  t.like(recs.find((r) => /device w1 joined/.test(r.msg)), { module: 'registry', device: 'w1', level: 30 });
  t.deepEqual(recs.filter((r) => r.level >= 30 && r.requestId !== undefined), [], 'no per-request line at info or above');
});
