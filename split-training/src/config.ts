/**
 * One split-training run's settings, shared by the gateway, the trainer and every edge (written
 * once by `layerfleet train-split` as `<state>/split-run.json`), and what each derives from them
 * the same way: the edges' disjoint shards, the step count, the learning-rate schedule.
 */
import { readFileSync } from 'node:fs';
import { LENET_RECIPE, lenet5, loadMnistSplit, mulberry32, shuffle, type MnistSample } from '@layerfleet/models';
import { splitPlan, type LabelsAt, type SplitPlan } from './split-plan.js';

export interface SplitConfig {
  edges: string[];
  trainer: string;
  epochs: number;
  /** Samples per step over all edges (the central recipe's batch). */
  batch: number;
  learningRate: number;
  minLearningRate: number;
  maxShift: number;
  shiftProbability: number;
  seed: number;
  cut: string;
  labelsAt: LabelsAt;
  /** Average the edges' fronts (the paper's weighted sum) every this many steps; 0: fronts stay separate. */
  frontSync: number;
  nonIid: boolean;
  /** Longest the trainer waits for the edges in any phase of a step before going on without the missing ones. */
  waitMs: number;
  /** An edge that hears nothing from the trainer this long joins again (a lost message); default 15 s or three waits, the longer. */
  silenceMs?: number;
  /** Held-out evaluation every this many steps (and at each epoch's end). */
  evalEvery: number;
  /** Held-out digits per evaluation point (the final one uses all 2000). */
  evalSamples: number;
  /** Tiny runs (tests): at most this many training digits per edge. */
  samplesPerEdge?: number;
  /** Where the trainer writes the trained network (float and int8), when given. */
  out?: string;
}

export function defaultConfig(edges: number): SplitConfig {
  return {
    edges: Array.from({ length: edges }, (_, i) => `edge-${i + 1}`),
    trainer: 'trainer',
    epochs: 5,
    batch: LENET_RECIPE.batchSize,
    learningRate: LENET_RECIPE.learningRate,
    minLearningRate: LENET_RECIPE.minLearningRate ?? LENET_RECIPE.learningRate * 0.02,
    maxShift: LENET_RECIPE.maxShift ?? 0,
    shiftProbability: LENET_RECIPE.shiftProbability ?? 0.5,
    seed: LENET_RECIPE.seed,
    cut: 'conv1',
    labelsAt: 'trainer',
    frontSync: 10,
    nonIid: false,
    waitMs: 2000,
    evalEvery: 125,
    evalSamples: 500,
  };
}

export function readConfig(path: string): SplitConfig {
  return JSON.parse(readFileSync(path, 'utf8')) as SplitConfig;
}

export function planOf(c: SplitConfig): SplitPlan {
  return splitPlan(lenet5, c.cut, c.labelsAt);
}

export function perEdgeBatch(c: SplitConfig): number {
  return Math.max(1, Math.ceil(c.batch / c.edges.length));
}

/**
 * The edges' shards of the 8000 training digits: disjoint, from a seeded shuffle. Non-IID: 80 %
 * of the digits are sorted by label before being dealt in contiguous runs, so each edge sees
 * mostly a few classes; the other 20 % are dealt evenly.
 */
export function shards(c: SplitConfig): MnistSample[][] {
  const { train } = loadMnistSplit(c.seed);
  const E = c.edges.length;
  const order = shuffle(train.slice(), mulberry32(c.seed ^ 0x5eed));
  const out: MnistSample[][] = Array.from({ length: E }, () => []);
  if (c.nonIid) {
    const skewed = order.slice(0, Math.floor(order.length * 0.8)).sort((a, b) => a.label - b.label);
    const per = Math.ceil(skewed.length / E);
    skewed.forEach((s, i) => out[Math.floor(i / per)]!.push(s));
    order.slice(skewed.length).forEach((s, i) => out[i % E]!.push(s));
    for (const [i, s] of out.entries()) shuffle(s, mulberry32(c.seed + i + 1));
  } else {
    order.forEach((s, i) => out[i % E]!.push(s));
  }
  return c.samplesPerEdge === undefined ? out : out.map((s) => s.slice(0, c.samplesPerEdge));
}

export function stepsPerEpoch(c: SplitConfig, shardSizes: number[]): number {
  return Math.ceil(Math.max(...shardSizes) / perEdgeBatch(c));
}

/** The central recipe's cosine schedule, by global step. */
export function learningRateAt(c: SplitConfig, step: number, totalSteps: number): number {
  return c.minLearningRate + 0.5 * (c.learningRate - c.minLearningRate) * (1 + Math.cos((Math.PI * step) / totalSteps));
}

/** The shard sizes `shards` gives, without loading any digit (the trainer never holds training data). */
export function shardSizes(c: SplitConfig, total = 8000): number[] {
  const E = c.edges.length;
  const sizes = new Array<number>(E).fill(0);
  if (c.nonIid) {
    const skewed = Math.floor(total * 0.8);
    const per = Math.ceil(skewed / E);
    for (let i = 0; i < skewed; i++) sizes[Math.floor(i / per)]!++;
    for (let i = 0; i < total - skewed; i++) sizes[i % E]!++;
  } else {
    for (let i = 0; i < total; i++) sizes[i % E]!++;
  }
  return c.samplesPerEdge === undefined ? sizes : sizes.map((s) => Math.min(s, c.samplesPerEdge!));
}
