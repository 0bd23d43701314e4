/**
 * The trainer and edge processes: each loads or creates its own keys in the state directory,
 * connects to the gateway's broker with credentials signed by them, and runs its core
 * (trainer.ts, edge.ts) over a Channel. Both end by themselves: on `stop`, or when nothing has
 * come from the other side for `idleMs` (a dead trainer never leaves edges hanging).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeFloatModel, encodeQuantizedModel, LENET_FLOAT_FILE, LENET_INT8_FILE, loadMnistSplit } from '@layerfleet/models';
import { signerFromKeys } from '@layerfleet/protocol';
import { Channel, GATEWAY_ID } from './channel.js';
import { readConfig, shards } from './config.js';
import { EdgeWorker } from './edge.js';
import { deviceKeysIn, KeyDirectory } from './key-directory.js';
import { TrainerCore } from './trainer.js';
import type { TrainMessage } from './wire.js';

export interface RoleOptions {
  id: string; configPath: string; brokerUrl: string; stateDir: string; idleMs?: number;
  /** A slow edge (fault injection): every message it sends leaves this much later. */
  delayMs?: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function idleWatch(idleMs: number, what: string, onIdle: () => void): { touch(): void; stop(): void } {
  let last = Date.now();
  const t = setInterval(() => { if (Date.now() - last > idleMs) { clearInterval(t); log(`${what}: nothing heard for ${idleMs} ms; giving up`); onIdle(); } }, Math.min(1000, idleMs));
  return { touch: () => { last = Date.now(); }, stop: () => clearInterval(t) };
}

export async function runEdge(o: RoleOptions): Promise<number> {
  const config = readConfig(o.configPath);
  const index = config.edges.indexOf(o.id);
  if (index < 0) throw new Error(`--id ${o.id} is not an edge of this run (${config.edges.join(', ')})`);
  const shard = shards(config)[index]!;
  const keys = await deviceKeysIn(o.stateDir, o.id);
  const directory = new KeyDirectory(o.stateDir);
  await directory.waitFor(config.trainer, 30_000);
  await directory.waitFor(GATEWAY_ID, 30_000);
  let worker: EdgeWorker | null = null;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => { resolveDone = r; });
  const idle = idleWatch(o.idleMs ?? 60_000, o.id, () => resolveDone(1));
  const channel = await Channel.connect({
    brokerUrl: o.brokerUrl, keys, directory,
    onMessage: (sender, m) => {
      idle.touch();
      worker!.handle(sender, m);
      if (worker!.stopped) resolveDone(0);
    },
  });
  const delay = o.delayMs ?? 0;
  const send = (to: string, m: TrainMessage) => {
    if (delay > 0) setTimeout(() => channel.send(to, m), delay);
    else channel.send(to, m);
  };
  worker = new EdgeWorker(config, o.id, shard, signerFromKeys(keys), send, channel.rejections);
  log(`${o.id}: ${shard.length} digits in its shard (they stay here); joining ${config.trainer}`);
  worker.join();
  const retry = setInterval(() => worker!.tick(), Math.min(1000, config.waitMs));
  const code = await done;
  clearInterval(retry);
  idle.stop();
  channel.send(GATEWAY_ID, { t: 'report', json: JSON.stringify({ ...worker.stats, rejections: channel.rejections.toJSON() }) });
  await new Promise((r) => setTimeout(r, 100));
  await channel.close();
  return code;
}

export async function runTrainer(o: RoleOptions): Promise<number> {
  const config = readConfig(o.configPath);
  if (o.id !== config.trainer) throw new Error(`--id ${o.id}: this run's trainer is ${config.trainer}`);
  const keys = await deviceKeysIn(o.stateDir, o.id);
  const directory = new KeyDirectory(o.stateDir);
  await directory.waitFor(GATEWAY_ID, 30_000);
  // The held-out digits are the evaluator's own (never trained on); no edge's training digit is here.
  const { heldOut } = loadMnistSplit(1);
  let core: TrainerCore | null = null;
  const idle = idleWatch(o.idleMs ?? 120_000, o.id, () => core?.abort('no edge was heard from for too long'));
  const channel = await Channel.connect({
    brokerUrl: o.brokerUrl, keys, directory,
    onMessage: (sender, m) => { idle.touch(); core!.handle(sender, m); },
  });
  core = new TrainerCore(config, heldOut, (to, m) => {
    try { channel.send(to, m); } catch (err) { channel.rejections.count('send', (err as Error).message); }
  }, { rejections: channel.rejections, log });
  log(`${o.id}: back layers ${config.cut === 'conv1' ? 'conv2..' : 'fc1..'}; waiting for ${config.edges.length} edges`);
  const report = await core.done;
  idle.stop();
  if (config.out && core.servedFloat && core.servedInt8) {
    await mkdir(config.out, { recursive: true });
    await writeFile(join(config.out, LENET_FLOAT_FILE), encodeFloatModel(core.servedFloat));
    await writeFile(join(config.out, LENET_INT8_FILE), encodeQuantizedModel(core.servedInt8));
  }
  channel.send(GATEWAY_ID, { t: 'report', json: JSON.stringify({ ...report, bytesSent: channel.bytesSent, bytesReceived: channel.bytesReceived }) });
  await new Promise((r) => setTimeout(r, 200));
  await channel.close();
  return report.aborted ? 1 : 0;
}
