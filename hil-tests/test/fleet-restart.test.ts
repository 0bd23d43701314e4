// A fleet run by hand, the way the README describes it: a gateway, two workers, a board host with
// an emulated board (the host build of the firmware on a pseudo-terminal) and a camera source,
// each a `layerfleet` process of its own with its own state directory. The gateway is
// stopped mid-run (SIGINT; and in a second case SIGKILL, as a crash) and started again on the same
// state directory and port. Every agent must come back by itself, without enrolling again, the
// inferences must resume, and the source must end by itself.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { until } from '@layerfleet/test-support';
import { BIN, runCli } from '../src/index.js';

interface Proc { child: ChildProcess; lines: string[]; exited: Promise<number | null> }

function start(args: string[], all: string[], name: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (l) => { lines.push(l); all.push(`${name}: ${l}`); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

const AGENTS = ['w1', 'w2', 'pi-1', 'cam'];

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  test(`agents come back by themselves after the gateway is stopped with ${signal} and started again; the source ends by itself`, async (t) => {
    t.timeout(240_000);
    const root = await mkdtemp(join(tmpdir(), `lf-restart-${signal}-`));
    const log: string[] = [];
    const procs: Proc[] = [];
    // The board's CLI stops its emulator on SIGINT (a SIGKILL would leave the emulator running,
    // holding our pipes); the rest may simply be killed.
    t.teardown(async () => {
      for (const p of procs) p.child.kill(p === board ? 'SIGINT' : 'SIGKILL');
      await Promise.race([Promise.all(procs.map((p) => p.exited)), new Promise((r) => setTimeout(r, 5000).unref())]);
    });
    let board: Proc | undefined;
    const tail = () => log.slice(-60).join('\n');
    const wait = (check: () => boolean, what: string, ms = 60_000) => until(check, what, ms, tail);

    const gwState = join(root, 'gateway');
    const startGateway = async (port: number) => {
      const gw = start(['gateway', '--state', gwState, '--port', String(port)], log, 'gateway');
      procs.push(gw);
      await wait(() => gw.lines.some((l) => l.startsWith('{"event":"listening"')), 'the gateway to listen');
      const listening = JSON.parse(gw.lines.find((l) => l.startsWith('{"event":"listening"'))!) as { port: number; url: string };
      return { gw, port: listening.port, url: listening.url };
    };
    let { gw, port, url } = await startGateway(0);

    const agentArgs = new Map<string, string[]>();
    for (const id of AGENTS) {
      const state = join(root, id);
      await mkdir(state, { recursive: true });
      await copyFile(join(gwState, 'gateway.pub.cose'), join(state, 'gateway.pub.cose'));
      const token = (await runCli(['enroll', '--state', gwState, '--id', id, '--owner', 'ops', ...(id === 'pi-1' ? ['--boards', '1'] : [])])).stdout.trim();
      agentArgs.set(id, ['agent', '--id', id, '--broker', url, '--state', state, '--enroll-token', token]);
    }

    // A dashboard counting finished inferences across the restart (it reconnects like any client).
    const completed: number[] = [];
    const overBudget: string[] = [];
    let loadReports = 0;
    const dashboard = mqtt.connect(url, { username: 'dashboard', password: (await readFile(join(gwState, 'dashboard.secret'), 'utf8')).trim(), reconnectPeriod: 300 });
    t.teardown(() => dashboard.end(true));
    dashboard.on('connect', () => dashboard.subscribe(['lf/v1/telemetry/inference', 'lf/v1/telemetry/dev/+/load']));
    dashboard.on('error', () => {});
    dashboard.on('message', (topic, payload) => {
      if (topic.endsWith('/load')) {
        const load = JSON.parse(payload.toString()) as { macsPerSecondUsed: number; macsPerSecondBudget: number };
        loadReports++;
        if (load.macsPerSecondUsed > load.macsPerSecondBudget) overBudget.push(`${topic}: ${load.macsPerSecondUsed} of ${load.macsPerSecondBudget} MAC/s`);
        return;
      }
      const m = JSON.parse(payload.toString()) as { outcome?: string };
      if (m.outcome === 'completed') completed.push(Date.now());
    });

    const joined = (p: Proc, id: string) => p.lines.some((l) => l.includes(`device ${id} joined`));
    const boardJoined = (p: Proc) => p.lines.some((l) => /device pi-1\.[\w-]+ joined/.test(l));
    board = start(['board', 'emulate', '--target', 'host'], log, 'board');
    procs.push(board);
    await wait(() => board.lines.some((l) => l.startsWith('{"target"')), 'the emulated board');
    const boardPort = (JSON.parse(board.lines.find((l) => l.startsWith('{"target"'))!) as { port: string }).port;
    for (const id of ['w1', 'w2']) procs.push(start([...agentArgs.get(id)!, '--macs-budget', '5M'], log, id));
    procs.push(start([...agentArgs.get('pi-1')!, '--macs-budget', '0.4M', '--boards', boardPort, '--board-macs-budget', '5M'], log, 'pi-1'));
    await wait(() => joined(gw, 'w1') && joined(gw, 'w2') && joined(gw, 'pi-1') && boardJoined(gw), 'the workers, the board host and its board to join');
    const source = start([...agentArgs.get('cam')!, '--source', '--inferences', '120', '--rate', '8', '--concurrency', '2', '--json'], log, 'cam');
    procs.push(source);
    await wait(() => completed.length >= 10, 'ten inferences before the restart');
    const enrolledBefore = await readFile(join(gwState, 'devices.json'), 'utf8');

    gw.child.kill(signal);
    const code = await gw.exited;
    t.log(`gateway stopped with ${signal} (exit ${code}) after ${completed.length} inferences`);
    const completedBefore = completed.length;
    const restartedAt = Date.now();
    ({ gw } = await startGateway(port));

    await wait(() => AGENTS.every((id) => joined(gw, id)) && boardJoined(gw), 'every agent and the board to come back', 15_000);
    t.log(`every agent back ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the gateway started again`);
    await wait(() => completed.length > completedBefore + 5, 'inferences to resume after the restart');

    // Nobody enrolled again: the gateway kept its devices, and no agent had to use its token.
    t.is(await readFile(join(gwState, 'devices.json'), 'utf8'), enrolledBefore);
    t.false(gw.lines.some((l) => /enrolled \(owner/.test(l)), 'no enrolment at the restarted gateway');
    t.deepEqual(gw.lines.filter((l) => /unknown-sender/.test(l)), [], 'no message reached the restarted gateway before its sender said hello');

    // The source ends by itself, every request answered or failed with a reason.
    const sourceCode = await Promise.race([source.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 150_000).unref())]);
    t.not(sourceCode, 'hung', `the source did not end:\n${tail()}`);
    const summary = source.lines.find((l) => /source done: /.test(l));
    t.truthy(summary, tail());
    t.log(summary!);
    const report = JSON.parse(source.lines.filter((l) => l.startsWith('{')).at(-1)!) as { sent: number; completed: number; failed: number; failure_reasons: Record<string, number> };
    t.is(report.completed + report.failed, 120, 'every request answered or failed');
    t.is(Object.values(report.failure_reasons).reduce((a, b) => a + b, 0), report.failed, 'every failure with its reason');
    t.true(Object.keys(report.failure_reasons).every((r) => r.length > 10), JSON.stringify(report.failure_reasons));
    t.true(report.completed > completedBefore, 'requests were answered after the restart too');

    // No device drew more than its MAC/s budget at any point of the run, restart included.
    t.true(loadReports > 10, `load telemetry seen (${loadReports})`);
    t.deepEqual(overBudget, []);
  });
}

test('an agent started before its gateway waits for it, saying so, and joins when it comes up', async (t) => {
  t.timeout(120_000);
  const root = await mkdtemp(join(tmpdir(), 'lf-early-agent-'));
  const log: string[] = [];
  const procs: Proc[] = [];
  t.teardown(() => { for (const p of procs) p.child.kill('SIGKILL'); });
  const gwState = join(root, 'gateway');
  const wait = (check: () => boolean, what: string, ms = 60_000) => until(check, what, ms, () => log.slice(-40).join('\n'));
  const listeningOf = (p: Proc) => p.lines.find((l) => l.startsWith('{"event":"listening"'));
  // A first start only makes the gateway's keys and the token; then the gateway is down.
  const first = start(['gateway', '--state', gwState, '--port', '0'], log, 'gateway');
  procs.push(first);
  await wait(() => listeningOf(first) !== undefined, 'the gateway to listen');
  const { port, url } = JSON.parse(listeningOf(first)!) as { port: number; url: string };
  const state = join(root, 'w1');
  await mkdir(state, { recursive: true });
  await copyFile(join(gwState, 'gateway.pub.cose'), join(state, 'gateway.pub.cose'));
  const token = (await runCli(['enroll', '--state', gwState, '--id', 'w1', '--owner', 'ops'])).stdout.trim();
  first.child.kill('SIGINT');
  await first.exited;

  const agent = start(['agent', '--id', 'w1', '--broker', url, '--state', state, '--enroll-token', token, '--macs-budget', '1M'], log, 'w1');
  procs.push(agent);
  await wait(() => agent.lines.filter((l) => /waiting for the broker \(connect ECONNREFUSED/.test(l)).length >= 2, 'the agent to say it waits for the broker');
  t.is(agent.child.exitCode, null, 'still running');
  const gw = start(['gateway', '--state', gwState, '--port', String(port)], log, 'gateway');
  procs.push(gw);
  await wait(() => gw.lines.some((l) => /device w1 joined/.test(l)), 'the waiting agent to join', 30_000);
  t.true(agent.lines.some((l) => /enrolled \(owner ops\)/.test(l)), 'it enrolled with its token once the gateway was up');
});
