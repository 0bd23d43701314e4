/**
 * `layerfleet train-split`: split training over the fleet (issue 16, seed
 * edge-distributed-dl-5g-privacy): a gateway (this process: broker, ledger, capture), a trainer
 * process holding the back layers and E edge processes each training its front on its own shard
 * of the digits, which never leaves it. Then the same recipe trained centrally, for comparison.
 * With `--role trainer|edge` it is one of those processes (the gateway starts them that way).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineChart, Progress } from '@layerfleet/report';
import {
  defaultConfig, fig5Markdown, measureFig5, runEdge, runSplitTraining, runStepsPerEpoch, runTrainer, type KillPlan, type RunResult, type SplitConfig,
} from '@layerfleet/split-training';
import { numberFlag, parseCommandFlags, requiredNumber, requiredString, stringFlag, type CommandSpec } from './args.js';

export const spec: CommandSpec = {
  name: 'train-split',
  summary: 'split training: fronts on E edge processes (their digits stay there), back layers at a trainer process, activations up and gradients down in COSE envelopes',
  flags: {
    edges: { type: 'number', default: 4, unit: 'edge processes', description: 'how many edges, each with a disjoint shard of the 8000 training digits' },
    epochs: { type: 'number', default: 5, unit: 'epochs', description: 'passes over each edge\'s shard' },
    cut: { type: 'string', value: 'conv1|conv2', default: 'conv1', description: 'the cut goes after this layer and its pooling (conv1: the paper\'s S2, 1176 values per sample)' },
    'labels-at': { type: 'string', value: 'trainer|edge', default: 'trainer', description: 'trainer: labels go up with the activations (the paper); edge: U-shaped, the edge keeps the last layer and the loss' },
    'front-sync': { type: 'number', default: 10, unit: 'steps', description: 'average the edges\' fronts (the paper\'s weighted sum, by shard size) every this many steps; 0: each edge keeps its own front' },
    'non-iid': { type: 'boolean', description: 'skewed shards: 80 % of the digits dealt sorted by label, so each edge sees mostly a few classes' },
    batch: { type: 'number', default: 32, unit: 'samples per step over all edges', description: 'each edge sends ceil(batch / edges) per step' },
    wait: { type: 'number', default: 2000, unit: 'ms', description: 'longest the trainer waits for the edges in each phase of a step before going on without the missing ones' },
    'eval-every': { type: 'number', default: 125, unit: 'steps', description: 'held-out evaluation for the convergence chart (and at every epoch\'s end)' },
    'eval-samples': { type: 'number', default: 500, unit: 'digits', description: 'held-out digits per evaluation point (the final accuracy uses all 2000)' },
    'samples-per-edge': { type: 'number', unit: 'digits', description: 'tiny runs: cap each edge\'s shard' },
    seed: { type: 'number', default: 1, description: 'initialisation, shards, batches' },
    state: { type: 'string', value: 'DIR', defaultNote: 'a new temporary directory', description: 'keys (<id>.sign.cose, <id>.kex.cose, <id>.pub.cose), the ledger, split-run.json, split.log' },
    capture: { type: 'string', value: 'FILE', description: 'every envelope that crosses the broker, as an RFC 8742 CBOR sequence of {topic, payload}' },
    out: { type: 'string', value: 'DIR', description: 'write the trained network there as lenet5.f32.cbor and lenet5.int8.cbor (the inference side\'s formats)' },
    svg: { type: 'string', value: 'FILE', description: 'write the convergence chart (loss and held-out accuracy per step, edges vs centralized)' },
    kill: { type: 'string', value: 'EDGE@STEP[:BACK]', description: 'SIGKILL an edge process at a step, restart it at step BACK (default: half an epoch later); comma-separated' },
    slow: { type: 'string', value: 'EDGE:MS', description: 'an edge whose every message leaves MS later; comma-separated' },
    'no-central': { type: 'boolean', description: 'skip the comparison: the same recipe trained in one process on the union of the shards' },
    timeout: { type: 'number', default: 1_200_000, unit: 'ms', description: 'bound on the distributed run' },
    json: { type: 'boolean', description: 'end with one JSON object on stdout' },
    fig5: { type: 'boolean', description: 'instead of training: the paper\'s Fig. 5 measured — short runs with 1, 2 and 4 edges, one sample per edge per step, values per step counted in the decrypted envelopes; prints a Markdown table (--json: the rows)' },
    role: { type: 'string', value: 'trainer|edge', description: 'internal: run as one of the processes the gateway starts' },
    id: { type: 'string', value: 'ID', description: 'internal (--role): the party\'s id' },
    config: { type: 'string', value: 'FILE', description: 'internal (--role): the run\'s split-run.json' },
    broker: { type: 'string', value: 'URL', description: 'internal (--role): the gateway\'s broker' },
    delay: { type: 'number', default: 0, unit: 'ms', description: 'internal (--role edge): delay every message sent (--slow)' },
  },
};

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/layerfleet.mjs');

function parseKills(text: string | undefined, spe: number): KillPlan[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)@(\d+)(?::(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`--kill: expected EDGE@STEP[:BACK], got ${JSON.stringify(part)}`);
    const atStep = Number(m[2]);
    return { edge: m[1]!, atStep, backAtStep: m[3] ? Number(m[3]) : atStep + Math.ceil(spe / 2) };
  });
}

function parseSlow(text: string | undefined): Record<string, number> {
  if (!text) return {};
  return Object.fromEntries(text.split(',').map((part) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(\d+)$/.exec(part.trim());
    if (!m) throw new Error(`--slow: expected EDGE:MS, got ${JSON.stringify(part)}`);
    return [m[1]!, Number(m[2])];
  }));
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseCommandFlags(argv, spec);
  if (!flags) return 0;
  const role = stringFlag(flags, 'role');
  if (role) {
    const o = { id: requiredString(flags, 'id'), configPath: requiredString(flags, 'config'), brokerUrl: requiredString(flags, 'broker'), stateDir: requiredString(flags, 'state') };
    if (role === 'trainer') return runTrainer(o);
    if (role === 'edge') return runEdge({ ...o, delayMs: requiredNumber(flags, 'delay') });
    throw new Error(`--role: expected trainer or edge, got ${JSON.stringify(role)}`);
  }
  if (flags.fig5) {
    const rows = await measureFig5([process.execPath, BIN, 'train-split'], [1, 2, 4], (line) => process.stderr.write(`${line}\n`));
    if (flags.json) console.log(JSON.stringify(rows));
    else process.stdout.write(fig5Markdown(rows));
    return 0;
  }
  const edges = requiredNumber(flags, 'edges');
  if (!Number.isInteger(edges) || edges < 1 || edges > 64) throw new Error(`--edges: expected 1..64, got ${edges}`);
  const labelsAt = requiredString(flags, 'labels-at');
  if (labelsAt !== 'trainer' && labelsAt !== 'edge') throw new Error(`--labels-at: expected trainer or edge, got ${JSON.stringify(labelsAt)}`);
  const config: SplitConfig = {
    ...defaultConfig(edges),
    epochs: requiredNumber(flags, 'epochs'), cut: requiredString(flags, 'cut'), labelsAt,
    frontSync: requiredNumber(flags, 'front-sync'), nonIid: flags['non-iid'] === true, batch: requiredNumber(flags, 'batch'),
    waitMs: requiredNumber(flags, 'wait'), evalEvery: requiredNumber(flags, 'eval-every'), evalSamples: requiredNumber(flags, 'eval-samples'),
    seed: requiredNumber(flags, 'seed'),
  };
  const cap = numberFlag(flags, 'samples-per-edge');
  if (cap !== undefined) config.samplesPerEdge = cap;
  const out = stringFlag(flags, 'out');
  if (out) config.out = resolve(out);
  const spe = runStepsPerEpoch(config);
  let bar: Progress | null = null;
  let barEpoch = 0;
  const quiet = flags.json === true && !process.stderr.isTTY;
  const capture = stringFlag(flags, 'capture');
  const stateDir = stringFlag(flags, 'state');
  const result = await runSplitTraining({
    config, command: [process.execPath, BIN, 'train-split'],
    ...(stateDir ? { stateDir: resolve(stateDir) } : {}),
    ...(capture ? { capture: resolve(capture) } : {}),
    kill: parseKills(stringFlag(flags, 'kill'), spe), slow: parseSlow(stringFlag(flags, 'slow')),
    central: flags['no-central'] !== true, timeoutMs: requiredNumber(flags, 'timeout'),
    log: (line) => process.stderr.write(`${line}\n`),
    onProgress: (p) => {
      const epoch = Math.max(1, p.epoch);
      if (epoch !== barEpoch) {
        bar?.done();
        barEpoch = epoch;
        bar = new Progress(`epoch ${epoch}/${config.epochs} (${p.active} edges)`, spe);
      }
      bar!.update(p.step - (epoch - 1) * spe);
      if (p.acc >= 0 && !quiet) process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}step ${p.step}/${p.total}: loss ${p.loss.toFixed(4)}, held-out accuracy ${(p.acc * 100).toFixed(2)} %\n`);
    },
  });
  (bar as Progress | null)?.done();
  const svg = stringFlag(flags, 'svg');
  if (svg) {
    mkdirSync(dirname(resolve(svg)), { recursive: true });
    writeFileSync(svg, convergenceSvg(result));
    process.stderr.write(`wrote ${svg}\n`);
  }
  const summary = jsonSummary(result);
  if (flags.json) console.log(JSON.stringify(summary));
  else printSummary(summary);
  return result.trainer && !result.trainer.aborted && result.deaths.length === 0 ? 0 : 1;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function jsonSummary(r: RunResult): Record<string, unknown> {
  const t = r.trainer;
  const steps = Math.max(1, r.steps);
  return {
    edges: r.config.edges.length,
    epochs: r.config.epochs,
    accuracy: t ? { float: t.accuracy.float, int8: t.accuracy.int8, ...(t.accuracy.perEdgeFloat ? { per_edge_float: t.accuracy.perEdgeFloat } : {}) } : null,
    central_accuracy: r.central ? { float: r.central.float, int8: r.central.int8 } : null,
    bytes_up_per_step: Math.round(r.bytesUp / steps),
    bytes_down_per_step: Math.round(r.bytesDown / steps),
    values_up_per_sample: t?.valuesUpPerSample ?? null,
    wall_s: round(r.wallMs / 1000, 1),
    ledger_entries: r.ledgerEntries,
    distributed_s: round(r.distributedMs / 1000, 1),
    steps: r.steps,
    cut: r.config.cut,
    labels_at: r.config.labelsAt,
    labels_cross: r.config.labelsAt === 'trainer',
    front_sync: r.config.frontSync,
    non_iid: r.config.nonIid,
    samples_per_edge_per_step: Math.ceil(r.config.batch / r.config.edges.length),
    envelopes: r.envelopes,
    bytes_to_gateway: r.bytesToGateway,
    edge_steps: t?.edges ?? null,
    refused: t?.refused ?? null,
    edge_refused: Object.fromEntries(Object.entries(r.edgeReports).map(([id, rep]) => [id, (rep as { refused?: unknown }).refused ?? {}])),
    gateway_rejections: r.gatewayRejections,
    ledger_refused: r.ledgerRefused,
    kills: r.kills,
    deaths: r.deaths,
    aborted: t?.aborted ?? (t ? null : 'no report from the trainer'),
    state: r.stateDir,
  };
}

function printSummary(s: Record<string, unknown>): void {
  const acc = s.accuracy as { float: number; int8: number } | null;
  const central = s.central_accuracy as { float: number; int8: number } | null;
  const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(2)} %`);
  console.log(`split training, ${s.edges} edges × ${s.epochs} epochs, cut after ${s.cut}, labels at the ${s.labels_at}, fronts ${s.front_sync ? `averaged every ${s.front_sync} steps` : 'separate'}`);
  console.log(`  held-out accuracy: float ${pct(acc?.float)}, int8 ${pct(acc?.int8)}; centralized: float ${pct(central?.float)}, int8 ${pct(central?.int8)}`);
  console.log(`  per step: ${s.bytes_up_per_step} bytes up, ${s.bytes_down_per_step} bytes down; ${s.values_up_per_sample} values per sample each way; ${s.envelopes} envelopes, ${s.ledger_entries} ledger entries; ${s.wall_s} s`);
  if ((s.kills as string[]).length) console.log(`  faults: ${(s.kills as string[]).join('; ')}`);
  if ((s.deaths as string[]).length) console.log(`  deaths: ${(s.deaths as string[]).join('; ')}`);
}

/** Two charts one above the other: training loss and held-out accuracy per step, the split run against the centralized one. */
export function convergenceSvg(r: RunResult): string {
  const split = r.trainer?.curve ?? [];
  const central = r.central?.curve ?? [];
  const name = `split, ${r.config.edges.length} edges${r.config.labelsAt === 'edge' ? ' (U-shaped)' : ''}`;
  const loss = lineChart({
    title: 'Training loss (mean over the steps since the last point)', xLabel: 'step', yLabel: 'softmax cross-entropy',
    series: [{ name, points: split.filter((p) => Number.isFinite(p.loss)).map((p) => [p.step, p.loss]) }, { name: 'centralized', points: central.map((p) => [p.step, p.loss]) }],
  });
  const acc = lineChart({
    title: `Held-out accuracy (float, ${r.config.evalSamples} digits per point)`, xLabel: 'step', yLabel: 'accuracy',
    series: [{ name, points: split.filter((p) => p.accuracy !== null).map((p) => [p.step, p.accuracy!]) }, { name: 'centralized', points: central.map((p) => [p.step, p.accuracy!]) }],
  });
  const height = (svg: string) => Number(/height="(\d+)"/.exec(svg)?.[1] ?? 400);
  const h1 = height(loss);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="${h1 + height(acc)}">\n<g>${loss}</g>\n<g transform="translate(0 ${h1})">${acc}</g>\n</svg>\n`;
}
