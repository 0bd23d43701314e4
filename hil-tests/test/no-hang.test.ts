import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateDeviceKeys, publicKeysOf } from '@layerfleet/protocol';
import { loadLenetInt8 } from '@layerfleet/models';
import { startGateway, GATEWAY_ID } from '@layerfleet/gateway';
import { Agent, runSource, type AgentOptions, type SourceStats } from '@layerfleet/agent';
import { runCli, lastJsonLine, until } from '../src/index.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/layerfleet.mjs');

/** The pid of the process whose command line holds every one of `words`, if any. */
async function pidOf(words: string[]): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await readFile(`/proc/${entry}/cmdline`, 'utf8').then((c) => c.split('\0'), () => [] as string[]);
    if (words.every((w) => args.includes(w))) return Number(entry);
  }
  return undefined;
}

test("a SIGKILLed source does not hang the demo: it ends by itself, naming the death, the requests it could not finish counted failed, exit 1", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lf-source-kill-'));
  const demo = spawn(process.execPath, [BIN, 'demo', '--inferences', '400', '--json', '--state', dir, '--boards', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  demo.stdout.on('data', (d) => { stdout += d; });
  demo.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((r) => demo.on('close', (code) => r(code)));
  const guard = setTimeout(() => demo.kill('SIGKILL'), 150_000);
  t.teardown(() => { clearTimeout(guard); if (demo.exitCode === null) demo.kill('SIGKILL'); });

  await until(() => /inferences: \d+\/400 \(10 %\)/.test(stderr), 'the demo to get going', 120_000, () => stderr.slice(-2000));
  const pid = await pidOf(['--source', '--id', 'cam1', '--state', dir]);
  t.truthy(pid, 'found the source process');
  process.kill(pid!, 'SIGKILL');

  const code = await exited;
  t.is(code, 1, stderr.slice(-2000));
  const s = lastJsonLine({ code, stdout, stderr });
  const deaths = s.deaths as string[];
  t.is(deaths.length, 1, JSON.stringify(deaths));
  t.regex(deaths[0]!, /^source cam1 died \(signal SIGKILL\) after \d+ of 400 outcomes$/);
  t.regex(stderr, /source cam1 died \(signal SIGKILL\) after \d+ of 400 outcomes/);
  t.is((s.completed as number) + (s.failed as number), 400, 'every request has an outcome');
  t.true((s.failed as number) > 0);
  const reasons = s.failure_reasons as string[];
  t.true(reasons.some((r) => r === deaths[0]), 'the requests never finished carry the death as their reason');
  t.true(reasons.every((r) => r === deaths[0] || /source cam1 went offline/.test(r)), JSON.stringify([...new Set(reasons)]));
});

test('a source with no worker to serve it: every request fails with the reason, counted in its summary, exit 1; a deadline fails what gets no answer', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-source-fail-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'open', queueTimeoutMs: 300, log: () => {} });
  t.teardown(() => gw.close());
  const source = (extra: string[]) => runCli(['agent', '--id', 'cam1', '--source', '--broker', gw.url, '--state', state, '--inferences', '3', '--rate', '10', '--json', '--quiet', ...extra], 60_000);

  const run = await source([]);
  t.is(run.code, 1, run.stderr.slice(-2000));
  const s = lastJsonLine(run);
  t.like(s, { sent: 3, completed: 0, failed: 3, correct: 0 });
  const reasons = Object.entries(s.failure_reasons as Record<string, number>);
  t.is(reasons.length, 1, JSON.stringify(reasons));
  t.regex(reasons[0]![0], /no feasible placement within 300 ms: segment-dp: layer \d+ \(\w+\): no device fits/);
  t.is(reasons[0]![1], 3);
  t.regex(run.stderr, /source done: 0\/3 answered, 0 correct, 3 failed/);
  t.regex(run.stderr, /failed ×3: no feasible placement within 300 ms/);

  // a gateway that holds requests far longer than the source waits: the source's deadline fails them
  const patient = await startGateway({ port: 0, stateDir: await mkdtemp(join(tmpdir(), 'lf-source-fail-')), access: 'open', queueTimeoutMs: 60_000, log: () => {} });
  t.teardown(() => patient.close());
  const late = await runCli(['agent', '--id', 'cam2', '--source', '--broker', patient.url, '--state', state, '--gateway-keys', patient.keysPath,
    '--inferences', '2', '--request-timeout', '500', '--json', '--quiet'], 60_000);
  t.is(late.code, 1, late.stderr.slice(-2000));
  t.deepEqual(lastJsonLine(late).failure_reasons, { "no answer within 500 ms (the request's deadline)": 2 });
});

test('requests in flight when the source loses its broker connection run again once it is back: none lost, none hangs', async (t) => {
  const state = await mkdtemp(join(tmpdir(), 'lf-source-reconnect-'));
  const gw = await startGateway({ port: 0, stateDir: state, access: 'open', log: () => {} });
  const gateway = publicKeysOf(await loadOrCreateDeviceKeys(state, GATEWAY_ID));
  const start = (id: string, extra: Partial<AgentOptions>) => Agent.start({ id, brokerUrl: gw.url, stateDir: state, gateway, measuredMacsPerSecond: 1e9, memoryBytes: 5e8, heartbeatMs: 500, ...extra });
  const cam = await start('cam', { role: 'source', requestRate: 10, macsBudget: 1.5e6 });
  const w1 = await start('w1', { macsBudget: 5e6 });
  t.teardown(async () => { await cam.close(200); await w1.close(200); await gw.close(); });
  const stats: SourceStats = { sent: 0, answered: 0, failed: 0, inFlight: 0 };
  let dropped = false;
  const results = await runSource(cam, {
    model: loadLenetInt8(), inferences: 12, concurrency: 3, stats,
    onResult: (_r, done) => {
      if (done !== 4 || dropped) return;
      dropped = true;
      (cam.client.stream as unknown as { destroy(): void }).destroy(); // the connection drops; mqtt.js reconnects within a second
    },
  });
  t.true(dropped);
  t.deepEqual(results.filter((r) => r.error !== undefined).map((r) => r.error), []);
  t.like(stats, { sent: 12, answered: 12, failed: 0, inFlight: 0 });
});
