// Privacy as a property checked (issue 16, item 2): a real run — gateway (broker, ledger, capture)
// in this process, trainer and edges as processes — captures every envelope that crossed the
// broker; the test opens each with the state directory's keys and shows that no training digit
// of any edge is in any of them, and, with labels at the edge, no label either. The check is
// shown to see what it looks for: it finds a digit planted in a body, and the labels when they do
// go up. The ledger holds each edge's signed claims and verifies.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyLedger } from '@layerfleet/ledger';
import { decodeQuantizedModel, LENET_INT8_FILE, loadLenetInt8, loadMnistSplit, quantizeInput, runModelInt8 } from '@layerfleet/models';
import { defaultConfig, shards, type SplitConfig } from '../src/config.js';
import { GATEWAY_ID } from '../src/channel.js';
import { KeyDirectory } from '../src/key-directory.js';
import { runSplitTraining, type RunResult } from '../src/run.js';
import type { TrainMessage } from '../src/wire.js';
import { openCapture, type OpenedEnvelope } from '../src/wire-census.js';
import { PARTY_MAIN } from '../src/index.js';

async function tinyRun(t: { teardown(f: () => void): void }, labelsAt: 'trainer' | 'edge'): Promise<{ result: RunResult; opened: OpenedEnvelope[]; config: SplitConfig; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lf-split-privacy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config: SplitConfig = { ...defaultConfig(2), epochs: 1, batch: 8, samplesPerEdge: 16, evalEvery: 2, evalSamples: 20, labelsAt, frontSync: 2, waitMs: 5000, out: join(dir, 'model') };
  const capture = join(dir, 'run.cborseq');
  const result = await runSplitTraining({ config, command: [process.execPath, PARTY_MAIN], stateDir: join(dir, 'state'), capture, central: false, timeoutMs: 120_000 });
  // every envelope opens with its recipient's keys from the state directory (openCapture throws otherwise)
  return { result, opened: await openCapture(capture, result.stateDir), config, dir };
}

/** The training digits' pixels as they would travel (float32 or 8-bit), a run of 8 middle rows each: what a leak would contain. */
function digitNeedles(config: SplitConfig): Buffer[] {
  return shards(config).flat().flatMap((s) => {
    const rowsMid = s.image.subarray(28 * 10, 28 * 18);
    return [Buffer.from(rowsMid.buffer, rowsMid.byteOffset, rowsMid.byteLength), Buffer.from(Uint8Array.from(rowsMid, (v) => Math.round(v * 255)))];
  });
}

function leaks(bodies: Uint8Array[], needles: Buffer[]): number {
  let n = 0;
  for (const b of bodies) { const hay = Buffer.from(b); for (const needle of needles) if (hay.includes(needle)) n++; }
  return n;
}

test.serial('labels at the trainer: every captured envelope opens with the state directory\'s keys, and no training digit crossed the broker', async (t) => {
  const { result, opened, config, dir } = await tinyRun(t, 'trainer');
  t.truthy(result.trainer, JSON.stringify(result.deaths));
  t.is(result.trainer!.steps, result.trainer!.totalSteps);
  t.is(opened.length, result.envelopes);
  t.true(opened.some((o) => o.message.t === 'acts') && opened.some((o) => o.message.t === 'grad'));
  const needles = digitNeedles(config);
  t.is(leaks(opened.map((o) => o.body), needles), 0);
  // the check sees what it looks for: a body with a digit planted in it
  t.true(leaks([Buffer.concat([Buffer.from(opened[0]!.body), needles[0]!])], needles) >= 1);
  // labels go up with the activations in this variant: each batch's labels are the edge's
  const acts = opened.filter((o) => o.message.t === 'acts').map((o) => o.message as Extract<TrainMessage, { t: 'acts' }>);
  t.true(acts.every((a) => a.y !== undefined && a.y.length === a.n));
  // only edges → trainer and trainer → edges (and the gateway's inbox)
  for (const o of opened) {
    if (o.recipient === config.trainer) t.true(config.edges.includes(o.sender));
    else if (o.recipient !== GATEWAY_ID) t.is(o.sender, config.trainer);
  }
  // the ledger: each edge's own signed claims, the chain and signatures verify
  const directory = new KeyDirectory(result.stateDir);
  const report = await verifyLedger(result.stateDir, (id) => directory.get(id)?.signPublic);
  t.true(report.ok, JSON.stringify(report).slice(0, 400));
  t.is(report.entries, result.ledgerEntries);
  for (const id of config.edges) t.true((report.actors[id] ?? 0) >= result.trainer!.totalSteps, JSON.stringify(report.actors));
  // --out: the trained network in the inference side's format, loaded as the demo loads it with --model
  const served = decodeQuantizedModel(readFileSync(join(dir, 'model', LENET_INT8_FILE)));
  process.env.LAYERFLEET_MODEL_DIR = join(dir, 'model');
  try {
    t.deepEqual(loadLenetInt8().layers.map((l) => l.weights), served.layers.map((l) => l.weights));
  } finally {
    delete process.env.LAYERFLEET_MODEL_DIR;
  }
  const digit = loadMnistSplit(1).heldOut[0]!;
  t.is(runModelInt8(served, quantizeInput(served, digit.image)).length, 10);
});

test.serial('labels at the edge (U-shaped): neither digits nor labels cross the broker', async (t) => {
  const { result, opened, config } = await tinyRun(t, 'edge');
  t.truthy(result.trainer, JSON.stringify(result.deaths));
  t.is(result.trainer!.steps, result.trainer!.totalSteps);
  t.is(opened.length, result.envelopes);
  t.is(leaks(opened.map((o) => o.body), digitNeedles(config)), 0);
  t.true(opened.every((o) => o.message.t !== 'acts' || o.message.y === undefined));
  t.true(opened.some((o) => o.message.t === 'mid') && opened.some((o) => o.message.t === 'dmid'));
  t.false(result.trainer!.labelsUp);
});
