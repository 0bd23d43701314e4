/**
 * `layerfleet demo` (`npm start`): a gateway, four worker agents with different MAC/s budgets and
 * a camera source, each a process of its own, running held-out MNIST digits through the split
 * int8 LeNet-5. It watches the run the way a dashboard would (telemetry over MQTT) and prints a
 * summary; `--json` makes the last line one JSON object. `--strategy` picks the gateway's
 * placement strategy (`--policy` for rl-pdnn) and `--rate` the camera's requests/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { topics } from '@layerfleet/protocol';
import { createStrategy, DEFAULT_STRATEGY } from '@layerfleet/gateway';
import { parseFlags, numberFlag, stringFlag } from './args.js';
import { Progress } from './progress.js';
import { summarize, type InferenceTelemetry } from './demo-summary.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/layerfleet.mjs');

/**
 * The fleet: the source asks for `SOURCE_RATE` requests/s, and each worker offers a MAC/s budget
 * such that no one worker can take LeNet's three middle layers at that rate (conv2 needs
 * 20·240000 = 4.8 MMAC/s, fc1 0.96, fc2 0.2), so the planner has to spread them out.
 */
const SOURCE_ID = 'cam1';
const SOURCE_RATE = 20;
const WORKERS: Array<{ id: string; macsBudget: number }> = [
  { id: 'edge-a', macsBudget: 5.0e6 },
  { id: 'edge-b', macsBudget: 1.1e6 },
  { id: 'edge-c', macsBudget: 0.4e6 },
  { id: 'edge-d', macsBudget: 0.4e6 },
];

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    inferences: 'string', json: 'boolean', capture: 'string', state: 'string', concurrency: 'string', privacy: 'string', kill: 'string', verbose: 'boolean',
    strategy: 'string', policy: 'string', rate: 'string',
  });
  const inferences = numberFlag(flags, 'inferences', 200);
  const strategy = stringFlag(flags, 'strategy') ?? DEFAULT_STRATEGY;
  const policyFlag = stringFlag(flags, 'policy');
  const policy = policyFlag === undefined ? undefined : resolve(policyFlag);
  // here rather than in the gateway process, so a wrong name fails with the list of valid ones
  createStrategy(strategy, policy === undefined ? {} : { policy });
  const rate = numberFlag(flags, 'rate', SOURCE_RATE);
  if (!(rate > 0)) throw new Error(`--rate: expected requests per second > 0, got ${rate}`);
  const stateDir = resolve(stringFlag(flags, 'state') ?? (await mkdtemp(join(tmpdir(), 'layerfleet-demo-'))));
  await mkdir(stateDir, { recursive: true });
  const kill = parseKill(stringFlag(flags, 'kill'));
  const say = (line: string) => console.error(line);
  const logPath = join(stateDir, 'demo.log');
  const logFile = createWriteStream(logPath, { flags: 'a' });
  const children: ChildProcess[] = [];
  const spawnCli = (name: string, args: string[]) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => { logFile.write(d); if (flags.verbose) process.stderr.write(d); });
    child.on('exit', (code, signal) => logFile.write(`[demo] ${name} exited (${signal ?? code})\n`));
    children.push(child);
    return child;
  };

  say(`layerfleet demo: ${inferences} held-out digits through a split int8 LeNet-5 placed by ${strategy}; state in ${stateDir}, logs in ${logPath}`);
  try {
    const gatewayArgs = ['gateway', '--port', '0', '--state', stateDir, '--privacy', stringFlag(flags, 'privacy') ?? 'none', '--strategy', strategy];
    if (policy !== undefined) gatewayArgs.push('--policy', policy);
    const capture = stringFlag(flags, 'capture');
    if (capture) gatewayArgs.push('--capture', resolve(capture));
    const gateway = spawnCli('gateway', gatewayArgs);
    const listening = await firstJsonLine(gateway, 15_000);
    const url = String(listening.url);
    say(`gateway up at ${url}`);

    const dashboard = await mqtt.connectAsync(url, { clientId: `demo-dashboard-${process.pid}` });
    const outcomes: InferenceTelemetry[] = [];
    let gatewayStats: Record<string, unknown> = {};
    let onOutcome = () => {};
    dashboard.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (topic === topics.inference && body.source === SOURCE_ID) { outcomes.push(body as unknown as InferenceTelemetry); onOutcome(); }
      else if (topic === topics.gatewayStats) gatewayStats = body;
    });
    await dashboard.subscribeAsync([topics.inference, topics.gatewayStats]);

    for (const w of WORKERS) spawnCli(w.id, ['agent', '--id', w.id, '--broker', url, '--state', stateDir, '--macs-budget', String(w.macsBudget)]);
    await until(() => Number(gatewayStats.devicesOnline ?? 0) >= WORKERS.length, 30_000, 'workers to register with the gateway');
    say(`${WORKERS.length} workers registered (budgets ${WORKERS.map((w) => `${w.id} ${(w.macsBudget / 1e6).toFixed(1)}M`).join(', ')} MAC/s)`);

    const started = performance.now();
    const progress = new Progress('inferences', inferences);
    spawnCli(SOURCE_ID, ['agent', '--id', SOURCE_ID, '--broker', url, '--state', stateDir, '--source', '--inferences', String(inferences),
      '--concurrency', String(numberFlag(flags, 'concurrency', 4)), '--rate', String(rate)]);
    let killed: string | null = null;
    await new Promise<void>((done) => {
      onOutcome = () => {
        progress.update(outcomes.length);
        if (kill && !killed && outcomes.length >= kill.after) {
          killed = kill.id;
          const victim = children.find((c) => c.spawnargs.includes(kill.id));
          say(`\nkilling ${kill.id} (SIGKILL) after ${outcomes.length} outcomes`);
          victim?.kill('SIGKILL');
        }
        if (outcomes.length >= inferences) done();
      };
    });
    progress.done();
    const wallSeconds = (performance.now() - started) / 1000;
    const statsSeen = gatewayStats;
    await until(() => gatewayStats !== statsSeen, 3000, 'final gateway stats').catch(() => {});
    await dashboard.endAsync();

    // the strategy the gateway reports using, not merely the one asked for
    const summary = summarize(outcomes, inferences, Number(gatewayStats.dataPlaneBytes ?? 0), wallSeconds, gatewayStats.rejections, String(gatewayStats.strategy ?? strategy));
    say(`\n${summary.strategy}: completed ${summary.completed}/${summary.inferences}, accuracy ${(summary.accuracy * 100).toFixed(2)} %, p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms`);
    say(`devices used: ${summary.devices_used.join(', ')}; placements: ${Object.entries(summary.placements).map(([p, n]) => `${p} ×${n}`).join('; ')}`);
    say(`${summary.bytes_per_inference} bytes per inference crossed the broker; ${summary.throughput_per_s} inferences/s`);
    if (summary.failed > 0) say(`failed: ${summary.failed} — first reasons: ${summary.failure_reasons.slice(0, 3).join(' | ')}`);
    if (killed) say(`${killed} was killed mid-run; ${summary.replanned} requests were re-planned`);
    if (flags.json) console.log(JSON.stringify(summary));
    return summary.completed === inferences ? 0 : 1;
  } finally {
    // agents first, so they can still say goodbye through the broker; the gateway last
    await stopAll(children.slice(1));
    await stopAll(children.slice(0, 1));
    logFile.end();
  }
}

/** SIGTERM, then SIGKILL whatever has not exited within `graceMs`. */
async function stopAll(procs: ChildProcess[], graceMs = 3000): Promise<void> {
  const running = procs.filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = running.map((c) => new Promise<void>((r) => c.once('exit', () => r())));
  for (const c of running) c.kill('SIGTERM');
  const timer = setTimeout(() => { for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); }, graceMs);
  await Promise.all(exited);
  clearTimeout(timer);
}

function parseKill(spec: string | undefined): { id: string; after: number } | null {
  if (!spec) return null;
  const m = /^([^@]+)@(\d+)$/.exec(spec);
  if (!m) throw new Error(`--kill: expected ID@N (kill agent ID after N outcomes), got ${spec}`);
  return { id: m[1]!, after: Number(m[2]) };
}

async function firstJsonLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening`)));
    lines.once('line', (line) => { clearTimeout(timer); resolveLine(JSON.parse(line) as Record<string, unknown>); });
  });
}

async function until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
