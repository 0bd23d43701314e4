/**
 * `layerfleet train-split` end to end: this process is the gateway — the MQTT broker (the
 * gateway package's, with its authentication and deny-by-default ACL: edges may write only to the
 * trainer's inbox and the gateway's, the trainer only to the edges' and the gateway's), the
 * keeper of the audit ledger (each edge's signed claims, checked and sealed), the capture of
 * every envelope — and the supervisor of the trainer and E edge processes it starts. It injects
 * the faults it is asked for (kill an edge, bring it back; slow one down), then trains the same
 * recipe centrally for comparison.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { createWriteStream, mkdtempSync, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capture, startBroker, type Broker } from '@layerfleet/gateway';
import { Ledger, signerFromKeys, decodeSignedClaim } from '@layerfleet/ledger';
import { EnvelopeError, inboxOwner, open, ReplayWindow, Rejections, topics } from '@layerfleet/protocol';
import { GATEWAY_ID } from './channel.js';
import type { CentralResult } from './central.js';
import { perEdgeBatch, shardSizes, stepsPerEpoch, type SplitConfig } from './config.js';
import { deviceKeysIn, KeyDirectory } from './key-directory.js';
import type { TrainerReport } from './trainer.js';
import { decodeTrainMessage, TrainWireError, type TrainMessage } from './wire.js';

export interface KillPlan { edge: string; atStep: number; backAtStep: number }

export interface RunOptions {
  config: SplitConfig;
  /** How to start a party: argv prefix, e.g. [node, bin/layerfleet.mjs, 'train-split']; `--role … --id …` are appended. */
  command: string[];
  stateDir?: string;
  capture?: string;
  kill?: KillPlan[];
  /** Edges that wait this long before each message they send (a slow link or device). */
  slow?: Record<string, number>;
  central?: boolean;
  /** Bound on the whole distributed run. */
  timeoutMs?: number;
  onProgress?(p: Extract<TrainMessage, { t: 'progress' }>): void;
  onCentralStep?(step: number, total: number): void;
  log?(line: string): void;
}

export interface RunResult {
  config: SplitConfig;
  trainer: TrainerReport | null;
  edgeReports: Record<string, unknown>;
  central: Omit<CentralResult, 'model'> | null;
  wallMs: number;
  distributedMs: number;
  steps: number;
  bytesUp: number;
  bytesDown: number;
  bytesToGateway: number;
  envelopes: number;
  ledgerEntries: number;
  ledgerRefused: Record<string, number>;
  gatewayRejections: Record<string, number>;
  deaths: string[];
  kills: string[];
  stateDir: string;
}

export async function runSplitTraining(o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const config = o.config;
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'lf-split-'));
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const configPath = join(stateDir, 'split-run.json');
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const directory = new KeyDirectory(stateDir);
  const gwKeys = await deviceKeysIn(stateDir, GATEWAY_ID);
  const rejections = new Rejections((line) => log(`gateway: ${line}`));
  const ledgerRejections = new Rejections((line) => log(`ledger: ${line}`));
  const ledger = await Ledger.open(stateDir, { keeper: signerFromKeys(gwKeys), keyLookup: (id) => directory.get(id)?.signPublic });
  const edgeSet = new Set(config.edges);
  const broker: Broker = await startBroker({
    port: 0, rejections,
    authenticate: (clientId, username, password) => {
      if (clientId !== config.trainer && !edgeSet.has(clientId)) return `${clientId} is not a party of this run`;
      return directory.checkCredentials(clientId, username, password) ?? { kind: 'device', id: clientId };
    },
    // deny by default: activations go edge → trainer, gradients trainer → edge, nothing edge → edge
    routes: { allows: (from, to) => (edgeSet.has(from) && to === config.trainer) || (from === config.trainer && edgeSet.has(to)) },
  });
  const capture = o.capture ? new Capture(o.capture) : null;
  // the broker's side of each connection: one message per hop per step, sent at once
  broker.aedes.on('client', (client) => { (client.conn as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true); });
  let bytesUp = 0, bytesDown = 0, bytesToGateway = 0, envelopes = 0;
  broker.aedes.on('publish', (packet, client) => {
    if (!client) return;
    const owner = inboxOwner(packet.topic);
    if (packet.topic !== topics.gatewayInbox && owner === null) return;
    const n = packet.payload.length;
    envelopes++;
    if (owner === config.trainer) bytesUp += n;
    else if (owner !== null) bytesDown += n;
    else bytesToGateway += n;
    capture?.write(packet.topic, packet.payload as Uint8Array);
  });

  // the gateway's inbox: ledger claims, the trainer's progress, closing reports
  const replay = new ReplayWindow();
  let trainerReport: TrainerReport | null = null;
  const edgeReports: Record<string, unknown> = {};
  let lastStep = 0;
  let reportArrived: () => void = () => {};
  const reportPromise = new Promise<void>((r) => { reportArrived = r; });
  const appends: Array<Promise<unknown>> = [];
  const onGateway = (sender: string, m: TrainMessage) => {
    switch (m.t) {
      case 'claims':
        for (const c of m.c) {
          let actor: string;
          try { actor = decodeSignedClaim(c).claim.actor; } catch (err) { ledgerRejections.count('bad-claim', `from ${sender}: ${(err as Error).message}`); continue; }
          // a party records only its own claims
          if (actor !== sender) { ledgerRejections.count('claim-actor', `claim by ${actor} sent by ${sender}`); continue; }
          appends.push(ledger.appendSigned(c).catch((err: Error) => ledgerRejections.count('claim-refused', `from ${sender}: ${err.message}`)));
        }
        return;
      case 'progress':
        if (sender !== config.trainer) return rejections.count('unexpected-message', `progress from ${sender}`);
        lastStep = m.step;
        onStep(m.step);
        o.onProgress?.(m);
        return;
      case 'report':
        try {
          const r = JSON.parse(m.json) as unknown;
          if (sender === config.trainer) { trainerReport = r as TrainerReport; reportArrived(); } else edgeReports[sender] = r;
        } catch { rejections.count('bad-message', `report from ${sender} is not JSON`); }
        return;
      default:
        return rejections.count('unexpected-message', `${m.t} from ${sender} is not for the gateway`);
    }
  };
  broker.aedes.on('publish', (packet, client) => {
    if (!client || packet.topic !== topics.gatewayInbox) return;
    let sender: string, body: Uint8Array;
    try {
      const opened = open(packet.payload as Uint8Array, { recipient: gwKeys, topic: topics.gatewayInbox, replay, senderKey: (kid) => directory.get(kid)?.signPublic });
      sender = opened.sender;
      body = opened.payload;
    } catch (err) {
      return rejections.count(err instanceof EnvelopeError ? err.reason : 'internal', (err as Error).message);
    }
    try {
      onGateway(sender, decodeTrainMessage(body));
    } catch (err) {
      rejections.count(err instanceof TrainWireError ? err.reason : 'internal', `from ${sender}: ${(err as Error).message}`);
    }
  });

  // the parties, as processes
  const logFile: WriteStream = createWriteStream(join(stateDir, 'split.log'), { flags: 'a' });
  const children = new Map<string, ChildProcess>();
  const deaths: string[] = [];
  const kills: string[] = [];
  const intended = new Set<ChildProcess>();
  const startParty = (role: 'trainer' | 'edge', id: string) => {
    const args = [...o.command.slice(1), '--role', role, '--id', id, '--config', configPath, '--broker', broker.urls.mqtt, '--state', stateDir];
    const delay = o.slow?.[id];
    if (delay) args.push('--delay', String(delay));
    const child = spawn(o.command[0]!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => logFile.write(d));
    child.stderr!.on('data', (d: Buffer) => logFile.write(d));
    child.on('exit', (code, signal) => {
      if (children.get(id) === child) children.delete(id);
      // a party exits 0 only when training is over for it (an edge on `stop`, the trainer after its report)
      if (intended.has(child) || code === 0) return;
      const what = `${role} ${id} died (${signal ? `signal ${signal}` : `exit ${code}`}) at step ${lastStep}`;
      deaths.push(what);
      log(what);
      if (role === 'trainer') reportArrived();
    });
    children.set(id, child);
  };
  const killPlan = (o.kill ?? []).map((k) => ({ ...k, killed: false, back: false }));
  const onStep = (step: number) => {
    for (const k of killPlan) {
      if (!k.killed && step >= k.atStep) {
        k.killed = true;
        const child = children.get(k.edge);
        if (child) { intended.add(child); child.kill('SIGKILL'); kills.push(`${k.edge} killed at step ${step}`); log(`killed ${k.edge} (SIGKILL) at step ${step}`); }
      } else if (k.killed && !k.back && step >= k.backAtStep) {
        k.back = true;
        kills.push(`${k.edge} restarted at step ${step}`);
        log(`restarting ${k.edge} at step ${step}`);
        startParty('edge', k.edge);
      }
    }
  };

  // the centralized yardstick trains alongside, in a worker thread
  const central = o.central ? startCentral(config, o.onCentralStep, log) : null;
  const distributedStart = Date.now();
  startParty('trainer', config.trainer);
  for (const id of config.edges) startParty('edge', id);
  const timeoutMs = o.timeoutMs ?? 20 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([reportPromise, new Promise<void>((r) => { timer = setTimeout(() => { log(`the run did not finish within ${timeoutMs} ms`); r(); }, timeoutMs); })]);
  clearTimeout(timer);
  const distributedMs = Date.now() - distributedStart;
  // edges send their reports when they get `stop`; give them a bounded moment
  const until = Date.now() + 3000;
  while (children.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const [, child] of children) { intended.add(child); child.kill('SIGKILL'); }
  await Promise.allSettled(appends);
  const ledgerEntries = ledger.head().count;
  await ledger.close();
  await capture?.close();
  await broker.close();
  await new Promise<void>((r) => logFile.end(r));

  const centralResult = central ? await central : null;
  const tr = trainerReport as TrainerReport | null;
  return {
    config, trainer: tr, edgeReports, central: centralResult, wallMs: Date.now() - started, distributedMs,
    steps: tr?.steps ?? lastStep, bytesUp, bytesDown, bytesToGateway, envelopes, ledgerEntries,
    ledgerRefused: ledgerRejections.toJSON(), gatewayRejections: rejections.toJSON(), deaths, kills, stateDir,
  };
}

function startCentral(config: SplitConfig, onStep: RunOptions['onCentralStep'], log: (line: string) => void): Promise<Omit<CentralResult, 'model'> | null> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./central-worker.js', import.meta.url), { workerData: { config } });
    let result: Omit<CentralResult, 'model'> | null = null;
    worker.on('message', (m: { t: 'step'; step: number; total: number } | ({ t: 'done' } & Omit<CentralResult, 'model'>)) => {
      if (m.t === 'step') onStep?.(m.step, m.total);
      else result = { float: m.float, int8: m.int8, curve: m.curve };
    });
    worker.on('error', (err) => log(`centralized training failed: ${err.message}`));
    worker.on('exit', () => resolve(result));
  });
}

/** Steps per epoch for a config, as every party computes it. */
export function runStepsPerEpoch(config: SplitConfig): number {
  return stepsPerEpoch(config, shardSizes(config));
}
export { perEdgeBatch };
