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

type Rec = { level: number; module?: string; msg: string; requestId?: string; source?: string; model?: string; device?: string; name: string; pid: number };

test('the gateway logs JSON lines with modules and ids (device; source and model of a stream), nothing per request at info', async (t) => {
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
  // nobody to take the middle layers yet: the stream waits in the queue, and the log says so with its ids
  const run = runSource(cam, { model: loadLenetInt8(), inferences: 3 });
  await until(() => records().some((r) => r.module === 'routes' && /waiting/.test(r.msg)), 'a waiting stream in the log', 20_000, () => lines.join('\n'));
  await start('w1', { macsBudget: 5e6 });
  const results = await run;
  t.deepEqual(results.map((r) => r.error), [undefined, undefined, undefined]);

  const recs = records();
  t.true(recs.length > 0 && recs.every((r) => r.name === 'gateway' && typeof r.pid === 'number'), 'every line a JSON record');
  const waiting = recs.find((r) => r.module === 'routes' && /waiting/.test(r.msg));
  t.like(waiting, { source: 'cam', model: 'lenet5', level: 30 });
  t.like(recs.find((r) => /device w1 joined/.test(r.msg)), { module: 'registry', device: 'w1', level: 30 });
  t.deepEqual(recs.filter((r) => r.level >= 30 && r.requestId !== undefined), [], 'no per-request line at info or above');
});
