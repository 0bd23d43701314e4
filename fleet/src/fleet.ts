/**
 * A whole fleet on this machine, each part a process of its own: a gateway, four worker agents
 * with different MAC/s budgets, optionally boards (emulated here or real ones on serial ports)
 * hosted by a Pi-class agent, and a camera source running held-out MNIST digits through the
 * split int8 LeNet-5. It watches the run as a dashboard would (telemetry over MQTT). The demo
 * (`npm start`) and the HIL rigs both run it; `events` let a rig kill an agent, unplug a board or
 * press a board's reset button after a given number of outcomes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import mqtt, { type MqttClient } from 'mqtt';
import { topics, DASHBOARD_USERNAME } from '@layerfleet/protocol';
import { issueEnrolmentToken, dashboardSecret } from '@layerfleet/gateway';
import { startEmulatedBoard, type EmulatedBoard, type EmulatedTarget } from '@layerfleet/firmware-bindings';
import { Progress } from '@layerfleet/report';
import { summarize, type InferenceTelemetry } from './demo-summary.js';

// every device's retained `load` telemetry: lf/v1/telemetry/dev/+/load
const [LOAD_PREFIX, LOAD_SUFFIX] = topics.deviceLoad('x').split('/x/').map((part, i) => (i === 0 ? `${part}/` : `/${part}`)) as [string, string];
const LOAD_TOPICS = `${LOAD_PREFIX}+${LOAD_SUFFIX}`;

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/layerfleet.mjs');

/**
 * The source asks for 20 requests/s by default, and each worker offers a MAC/s budget such that
 * no one worker can take LeNet's three middle layers at that rate (conv2 needs 20·240000 =
 * 4.8 MMAC/s, fc1 0.96, fc2 0.2), so the planner has to spread them out.
 */
export const SOURCE_ID = 'cam1';
export const WORKERS: Array<{ id: string; macsBudget: number }> = [
  { id: 'edge-a', macsBudget: 5.0e6 },
  { id: 'edge-b', macsBudget: 1.1e6 },
  { id: 'edge-c', macsBudget: 0.4e6 },
  { id: 'edge-d', macsBudget: 0.4e6 },
];
/**
 * The board host: a Pi-class agent with a small budget of its own and the boards on its serial
 * ports. Each board offers at most 5 MMAC/s, so one board takes conv2 at 20 requests/s but not
 * the whole middle of the network: the planner spreads layers over boards and workers.
 */
export const BOARD_HOST: BoardHost = { id: 'pi-1', macsBudget: 0.4e6, boardMacsBudget: 5e6 };

/** The agent the boards are attached to, and the MAC/s it and each board offer. */
export interface BoardHost { id: string; macsBudget: number; boardMacsBudget: number }

export type FleetBoard = { emulate: EmulatedTarget; name?: string } | { port: string; name?: string };

export type FleetAction = { kill: string } | { unplug: number } | { reset: number };
export interface FleetEvent { after: number; action: FleetAction }

export interface FleetOptions {
  inferences: number;
  strategy: string;
  policy?: string;
  rate: number;
  privacy: string;
  concurrency: number;
  capture?: string;
  stateDir: string;
  verbose?: boolean;
  boards: FleetBoard[];
  /** Per-byte chance of a flipped and of a dropped byte on every board line (both ways). */
  lineNoise?: number;
  events?: FleetEvent[];
  /** The agent hosting the boards; BOARD_HOST unless a rig says otherwise. */
  boardHost?: BoardHost;
  /** The worker agents; WORKERS unless a bench says otherwise. A worker without `macsBudget` offers what its self-benchmark measures. */
  workers?: Array<{ id: string; macsBudget?: number }>;
  /** Called with every outcome the gateway reports for the source, and how many have come so far (benches time windows with it). */
  onOutcome?: (outcome: InferenceTelemetry, count: number) => void;
  say: (line: string) => void;
  /** the gateway's HTTP port for the dashboard and /metrics (0: a free one); none when absent */
  httpPort?: number;
}

/** The highest load a device reported over the run against its budget (its retained `load` telemetry). */
export interface DeviceBudget { budget: number; max_used: number; max_computed: number }

export type FleetSummary = ReturnType<typeof summarize> & {
  events: string[];
  /** processes of the fleet that died unexpectedly (not a `kill` event), e.g. "source cam1 died (signal SIGKILL) after 37 of 200 outcomes" */
  deaths: string[];
  boards: Array<{ name: string; port: string; target: string }>;
  /** per device: its MAC/s budget and the most it reported using (and computing) in one load window */
  budget: Record<string, DeviceBudget>;
  /** no device reported using more than its budget */
  budget_ok: boolean;
  /** the source's own summary (its --json line), when it printed one */
  source?: Record<string, unknown>;
  /** the gateway's measured request rate per stream */
  streams?: unknown;
  /** route versions that replaced a live one, and why */
  route_changes: number;
  route_change_reasons: Record<string, number>;
  /** each stream's route as the gateway last reported it */
  routes?: unknown;
};

interface RunningBoard { name: string; port: string; target: string; emulator?: EmulatedBoard }

export async function runFleet(o: FleetOptions): Promise<FleetSummary> {
  const { say } = o;
  const host = o.boardHost ?? BOARD_HOST;
  const workers = o.workers ?? WORKERS;
  const logPath = join(o.stateDir, 'demo.log');
  const logFile = createWriteStream(logPath, { flags: 'a' });
  const children: ChildProcess[] = [];
  const boards: RunningBoard[] = [];
  // A process that exits while the run still needs it is a death, reported; a `kill` event's is not.
  // Each child's last words on stderr, so one that ends before the fleet is up fails the run at once, saying why.
  const lastWords = new Map<string, string>();
  const ended: string[] = [];
  const intended = new Set<string>();
  const deaths: string[] = [];
  const watch = new FleetWatch();
  let stopping = false;
  const spawnCli = (name: string, args: string[]) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => { logFile.write(d); lastWords.set(name, `${lastWords.get(name) ?? ''}${d.toString()}`.slice(-800)); if (o.verbose) process.stderr.write(d); });
    child.on('exit', (code, signal) => {
      logFile.write(`[fleet] ${name} exited (${signal ?? code})\n`);
      ended.push(`${name} exited (${signal ?? code}): ${lastWords.get(name)?.trim() || 'it said nothing'}`);
      if (stopping || intended.has(name)) return;
      const role = name === 'gateway' ? 'gateway' : name === SOURCE_ID ? 'source' : name === host.id ? 'board host' : 'worker';
      // the source ending by itself is its run's end, not a death; any other way is
      if (role === 'source' && signal === null) return watch.sourceExited(code ?? 1);
      const line = `${role === name ? role : `${role} ${name}`} died (${signal ? `signal ${signal}` : `exit code ${code}`}) after ${watch.outcomes} of ${o.inferences} outcomes`;
      deaths.push(line);
      say(`\n${line}`);
      // without the gateway or the source no more outcomes can come; a worker's requests are re-planned
      if (role === 'gateway' || role === 'source') watch.cutShort(line);
    });
    children.push(child);
    return child;
  };
  // Ended in `finally` too: left open after a failed start, it would retry the stopped gateway
  // every second forever and keep this process (a test worker, `npm run hil`) from exiting.
  let dashboard: MqttClient | undefined;
  say(`layerfleet: ${o.inferences} held-out digits through a split int8 LeNet-5 placed by ${o.strategy}; state in ${o.stateDir}, logs in ${logPath}`);
  try {
    const gatewayArgs = ['gateway', '--port', '0', '--state', o.stateDir, '--privacy', o.privacy, '--strategy', o.strategy];
    if (o.policy !== undefined) gatewayArgs.push('--policy', o.policy);
    if (o.capture) gatewayArgs.push('--capture', o.capture);
    if (o.httpPort !== undefined) gatewayArgs.push('--http-port', String(o.httpPort));
    const gateway = spawnCli('gateway', gatewayArgs);
    const listening = await firstJsonLine(gateway, 15_000);
    const url = String(listening.url);
    if (typeof listening['dashboard'] === 'string') say(`dashboard at ${listening['dashboard']} (metrics at ${String(listening['metrics'])})`);
    const gatewayGone = () => watch.cut;
    say(`gateway up at ${url}`);

    // The gateway admits enrolled devices only: the operator's part, a token per device (a
    // device already enrolled in this state directory just connects and leaves its token unused).
    const token = (id: string, boards = 0) => issueEnrolmentToken(o.stateDir, { id, owner: 'demo', trusted: false, ...(boards ? { boards } : {}) });
    dashboard = await mqtt.connectAsync(url, { clientId: `fleet-dashboard-${process.pid}`, username: DASHBOARD_USERNAME, password: dashboardSecret(o.stateDir) });
    const outcomes: InferenceTelemetry[] = [];
    let gatewayStats: Record<string, unknown> = {};
    let onOutcome = () => {};
    const budget: Record<string, DeviceBudget> = {};
    dashboard.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (topic === topics.inference && body.source === SOURCE_ID) { const outcome = body as unknown as InferenceTelemetry; outcomes.push(outcome); watch.outcomes = outcomes.length; o.onOutcome?.(outcome, outcomes.length); onOutcome(); }
      else if (topic === topics.gatewayStats) gatewayStats = body;
      else {
        const device = topic.startsWith(LOAD_PREFIX) && topic.endsWith(LOAD_SUFFIX) ? topic.slice(LOAD_PREFIX.length, -LOAD_SUFFIX.length) : undefined;
        if (device !== undefined && typeof body.macsPerSecondBudget === 'number') {
          const b = budget[device] ??= { budget: 0, max_used: 0, max_computed: 0 };
          b.budget = body.macsPerSecondBudget;
          b.max_used = Math.max(b.max_used, Number(body.macsPerSecondUsed ?? 0));
          b.max_computed = Math.max(b.max_computed, Number(body.macsPerSecondComputed ?? 0));
        }
      }
    });
    await dashboard.subscribeAsync([topics.inference, topics.gatewayStats, LOAD_TOPICS]);

    for (const w of workers) spawnCli(w.id, ['agent', '--id', w.id, '--broker', url, '--state', o.stateDir, ...(w.macsBudget === undefined ? [] : ['--macs-budget', String(w.macsBudget)]), '--enroll-token', token(w.id)]);
    for (const b of o.boards) {
      if ('port' in b) { boards.push({ name: b.name ?? b.port, port: b.port, target: 'real' }); continue; }
      const emulator = await startEmulatedBoard(b.emulate, { id: b.name ?? `${b.emulate}-${boards.length + 1}`, log: (line) => logFile.write(`[${b.emulate} board] ${line}\n`) });
      boards.push({ name: b.name ?? `${b.emulate}-${boards.length + 1}`, port: emulator.port, target: b.emulate, emulator });
      say(`emulated ${b.emulate} board on ${emulator.port}`);
    }
    if (boards.length > 0) {
      const args = ['agent', '--id', host.id, '--broker', url, '--state', o.stateDir, '--macs-budget', String(host.macsBudget), '--board-macs-budget', String(host.boardMacsBudget), '--boards', boards.map((b) => b.port).join(','),
        // its boards enrol by the host's vouch
        '--enroll-token', token(host.id, boards.length)];
      if (o.lineNoise) args.push('--line-noise', String(o.lineNoise));
      spawnCli(host.id, args);
    }
    const expected = workers.length + (boards.length > 0 ? 1 + boards.length : 0);
    await until(() => {
      if (ended.length > 0) throw new Error(`before the fleet was up, ${ended.join('\n')}`);
      return Number(gatewayStats.devicesOnline ?? 0) >= expected;
    }, 'workers and boards to register with the gateway', 60_000, gatewayGone);
    say(`${expected} devices registered (budgets ${workers.map((w) => `${w.id} ${w.macsBudget === undefined ? 'as measured' : `${(w.macsBudget / 1e6).toFixed(1)}M`}`).join(', ')} MAC/s${boards.length > 0 ? `; ${host.id} hosting boards ${boards.map((b) => `${b.name} (${b.target})`).join(', ')}` : ''})`);

    const started = performance.now();
    const progress = new Progress('inferences', o.inferences);
    const source = spawnCli(SOURCE_ID, ['agent', '--id', SOURCE_ID, '--broker', url, '--state', o.stateDir, '--source', '--inferences', String(o.inferences),
      '--concurrency', String(o.concurrency), '--rate', String(o.rate), '--json', '--enroll-token', token(SOURCE_ID)]);
    let sourceSummary: Record<string, unknown> | undefined;
    createInterface({ input: source.stdout! }).on('line', (line) => {
      try { sourceSummary = JSON.parse(line) as Record<string, unknown>; } catch { /* not its summary */ }
    });
    const pending = [...(o.events ?? [])].sort((a, b) => a.after - b.after);
    const happened: string[] = [];
    await new Promise<void>((done) => {
      onOutcome = () => {
        progress.update(outcomes.length);
        while (pending.length > 0 && outcomes.length >= pending[0]!.after) {
          const event = pending.shift()!;
          if ('kill' in event.action) intended.add(event.action.kill);
          const line = act(event.action, children, boards, outcomes.length);
          happened.push(line);
          say(`\n${line}`);
        }
        if (outcomes.length >= o.inferences) done();
      };
      // the source gone (its run over, or dead) or the gateway dead: what is still to come comes
      // within a moment (the gateway fails a lost source's requests at once), or never
      watch.onEnd = () => setTimeout(done, 3000);
      if (watch.ended) watch.onEnd();
    });
    progress.done();
    // requests with no outcome from the gateway: failed, with the reason the run could not finish them
    const missing = o.inferences - outcomes.length;
    if (missing > 0) {
      const why = watch.cut ?? sourceEnded(watch.sourceCode, sourceSummary, outcomes.length, o.inferences);
      for (let i = 0; i < missing; i++) outcomes.push({ requestId: `unfinished-${i}`, outcome: 'failed', attempts: 0, placement: [], reason: why });
      say(`\n${missing} of ${o.inferences} requests got no outcome: ${why}`);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const statsSeen = gatewayStats;
    if (!watch.gatewayDead) await until(() => gatewayStats !== statsSeen, 'final gateway stats', 3000).catch(() => {});
    await dashboard.endAsync();
    // the strategy the gateway reports using, not merely the one asked for
    const summary = summarize(outcomes, o.inferences, Number(gatewayStats.dataPlaneBytes ?? 0), wallSeconds, gatewayStats.rejections, String(gatewayStats.strategy ?? o.strategy));
    return {
      ...summary, events: happened, deaths, boards: boards.map(({ name, port, target }) => ({ name, port, target })),
      budget, budget_ok: Object.values(budget).every((b) => b.max_used <= b.budget),
      ...(sourceSummary ? { source: sourceSummary } : {}),
      ...(gatewayStats.streams ? { streams: gatewayStats.streams } : {}),
      // standing routes replaced while the run went on (a device joined or left, a stream's rate moved), by reason
      route_changes: Number(gatewayStats.routeChanges ?? 0),
      route_change_reasons: (gatewayStats.routeChangeReasons ?? {}) as Record<string, number>,
      ...(gatewayStats.routes ? { routes: gatewayStats.routes } : {}),
    };
  } finally {
    stopping = true;
    dashboard?.end(true);
    // agents first, so they can still say goodbye through the broker; the gateway last
    await stopAll(children.slice(1));
    await stopAll(children.slice(0, 1));
    await Promise.all(boards.map((b) => b.emulator?.stop()));
    logFile.end();
  }
}

function act(action: FleetAction, children: ChildProcess[], boards: RunningBoard[], count: number): string {
  if ('kill' in action) {
    children.find((c) => c.spawnargs.includes(action.kill))?.kill('SIGKILL');
    return `killed ${action.kill} (SIGKILL) after ${count} outcomes`;
  }
  const board = boards['unplug' in action ? action.unplug : action.reset];
  if (!board?.emulator) return `cannot ${'unplug' in action ? 'unplug' : 'reset'} board ${JSON.stringify(action)}: not an emulated board of this fleet`;
  if ('unplug' in action) {
    // The emulator's end closes the pty under the board host: the same as pulling the USB cable.
    board.emulator.process.kill('SIGKILL');
    return `unplugged board ${board.name} (${board.target}) after ${count} outcomes`;
  }
  void board.emulator.pressReset();
  return `pressed reset on board ${board.name} (${board.target}) after ${count} outcomes`;
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

async function firstJsonLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening`)));
    lines.once('line', (line) => { clearTimeout(timer); resolveLine(JSON.parse(line) as Record<string, unknown>); });
  });
}

/** What the run's end hangs on: outcomes seen, and the source's exit or a death that cuts the run short. */
class FleetWatch {
  outcomes = 0;
  /** why the run was cut short (a gateway's or the source's death) */
  cut: string | undefined;
  gatewayDead = false;
  sourceCode: number | undefined;
  ended = false;
  onEnd: (() => void) | undefined;
  cutShort(why: string): void {
    this.cut ??= why;
    if (why.startsWith('gateway')) this.gatewayDead = true;
    this.end();
  }
  sourceExited(code: number): void { this.sourceCode = code; this.end(); }
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd?.();
  }
}

function sourceEnded(code: number | undefined, summary: Record<string, unknown> | undefined, outcomes: number, inferences: number): string {
  const reasons = summary && typeof summary.failure_reasons === 'object' && summary.failure_reasons !== null
    ? Object.entries(summary.failure_reasons as Record<string, number>).map(([r, n]) => `${r} ×${n}`).join('; ') : '';
  return `source ${SOURCE_ID} ended (exit code ${code ?? '?'}) after ${outcomes} of ${inferences} outcomes without the gateway's outcome for this request${reasons ? ` (the source's failures: ${reasons})` : ''}`;
}

async function until(test: () => boolean, what: string, timeoutMs: number, abort?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    const why = abort?.();
    if (why !== undefined) throw new Error(`stopped waiting for ${what}: ${why}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
