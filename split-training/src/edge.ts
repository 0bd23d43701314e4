/**
 * An edge's part of split training, transport-free (edge-main.ts wires it to the broker; tests
 * can drive it directly). It holds its shard of the digits and never sends them: up go the
 * front's activations for each mini-batch (and the labels, unless they stay at the edge), down
 * come the gradients with respect to those activations, which it back-propagates through its
 * front. Every message it gets is checked against what it is waiting for — step, rows × width,
 * finite values — and refused with a reason and counted otherwise.
 */
import { createHash } from 'node:crypto';
import { Adam, initFloatModel, lenet5, mulberry32, randomShift, runLayerFloat, shuffle, type MnistSample } from '@layerfleet/models';
import { Rejections, signClaim, type Signer } from '@layerfleet/protocol';
import { learningRateAt, perEdgeBatch, planOf, shardSizes, stepsPerEpoch, type SplitConfig } from './config.js';
import { Segment } from './segment.js';
import type { SplitPlan } from './split-plan.js';
import { backwardRows, forwardRows, lossRows, rows } from './split-step.js';
import { shapeProblem, type TrainMessage } from './wire.js';
import { GATEWAY_ID } from './channel.js';

export interface EdgeStats {
  id: string;
  batchesSent: number;
  gradientsApplied: number;
  frontVersion: number;
  stepsSkipped: number;
  claims: number;
  refused: Record<string, number>;
}

const CLAIMS_PER_MESSAGE = 25;

interface Pending { step: number; images: Float32Array[]; labels: number[]; digest: string }

export class EdgeWorker {
  private readonly plan: SplitPlan;
  private readonly front: Segment;
  private readonly tail: Segment | null;
  private readonly adam: Adam;
  private readonly params: Float32Array[];
  private readonly grads: Float32Array[];
  private readonly b: number;
  private readonly spe: number;
  readonly totalSteps: number;
  private pending: Pending | null = null;
  /** U-shaped: the tail's gradients from `mid`, applied with the front's when `grad` comes. */
  private tailGrads: Float32Array[] | null = null;
  private lastMids: Float32Array[] = [];
  private claims: Uint8Array[] = [];
  private orders = new Map<number, number[]>();
  private version = 0;
  private welcomed = false;
  readonly rejections: Rejections;
  readonly stats: EdgeStats;
  stopped = false;

  constructor(
    private readonly config: SplitConfig,
    readonly id: string,
    private readonly shard: MnistSample[],
    private readonly signer: Signer,
    private readonly send: (to: string, m: TrainMessage) => void,
    rejections?: Rejections,
  ) {
    if (shard.length === 0) throw new Error(`edge ${id}: empty shard`);
    this.plan = planOf(config);
    const model = initFloatModel(lenet5, config.seed);
    this.front = new Segment(model, 0, this.plan.cut);
    this.tail = this.plan.labelsAt === 'edge' ? new Segment(model, this.plan.layers - 1, this.plan.layers) : null;
    this.params = [...this.front.params(), ...(this.tail?.params() ?? [])];
    this.grads = this.params.map((p) => new Float32Array(p.length));
    this.adam = new Adam(this.params);
    this.b = perEdgeBatch(config);
    this.spe = stepsPerEpoch(config, shardSizes(config));
    this.totalSteps = this.spe * config.epochs;
    this.rejections = rejections ?? new Rejections();
    this.stats = { id, batchesSent: 0, gradientsApplied: 0, frontVersion: 0, stepsSkipped: 0, claims: 0, refused: {} };
  }

  private lastHeard = 0;

  /** Announces the edge (again after a restart); the trainer answers with `welcome`. */
  join(): void {
    this.lastHeard = Date.now();
    if (!this.welcomed) this.send(this.config.trainer, { t: 'join', shard: this.shard.length });
  }

  /**
   * Called every so often: joins until welcomed, and joins again when the trainer has been silent
   * for `silenceMs` (a lost message must not leave the edge waiting for ever).
   */
  tick(now = Date.now()): void {
    if (this.stopped) return;
    if (this.welcomed && now - this.lastHeard > (this.config.silenceMs ?? Math.max(15_000, 3 * this.config.waitMs))) {
      this.welcomed = false;
      this.rejections.count('trainer-silent', `${this.id}: nothing from the trainer for ${now - this.lastHeard} ms; joining again`);
    }
    if (!this.welcomed) this.join();
  }
  get isWelcomed(): boolean { return this.welcomed; }

  handle(sender: string, m: TrainMessage): void {
    if (sender !== this.config.trainer) return this.refuse('unexpected-sender', `${m.t} from ${sender}: only the trainer ${this.config.trainer} talks to edges`);
    this.lastHeard = Date.now();
    switch (m.t) {
      case 'welcome':
        // a second welcome for the batch already sent (an earlier join answered late) changes nothing
        if (this.welcomed && this.pending?.step === m.step) return;
        this.welcomed = true;
        if (m.p) this.load(m.p, 'welcome');
        return this.sendBatch(m.step);
      case 'grad': return this.onGrad(m);
      case 'mid': return this.onMid(m);
      case 'avg': if (m.p) this.load(m.p, 'avg'); return this.sendBatch(m.step);
      case 'skip':
        if (this.pending && this.pending.step < m.step) this.stats.stepsSkipped += m.step - this.pending.step;
        this.pending = null;
        return this.sendBatch(m.step);
      case 'stop': this.stopped = true; return this.flushClaims(true);
      default: return this.refuse('unexpected-message', `${m.t} is not a message an edge takes`);
    }
  }

  private refuse(reason: string, detail: string): void {
    this.rejections.count(reason, `${this.id}: ${detail}`);
    this.stats.refused[reason] = (this.stats.refused[reason] ?? 0) + 1;
  }

  private order(epoch: number): number[] {
    let o = this.orders.get(epoch);
    if (!o) {
      o = shuffle(this.shard.map((_, i) => i), mulberry32((this.config.seed * 7919 + epoch * 104729) ^ hashId(this.id)));
      this.orders.clear();
      this.orders.set(epoch, o);
    }
    return o;
  }

  /** The mini-batch of global step `step`: this edge's shard in a per-epoch order, wrapping when its shard is the shorter one. */
  private batchAt(step: number): { images: Float32Array[]; labels: number[] } {
    const epoch = Math.floor(step / this.spe);
    const pos = step % this.spe;
    const order = this.order(epoch);
    const rng = mulberry32((step * 2654435761) ^ hashId(this.id));
    const [h, w, c] = lenet5.input;
    const images: Float32Array[] = [];
    const labels: number[] = [];
    for (let k = 0; k < this.b; k++) {
      const s = this.shard[order[(pos * this.b + k) % order.length]!]!;
      const shifted = this.config.maxShift > 0 && rng() < this.config.shiftProbability;
      images.push(shifted ? randomShift(s.image, h, w, c, this.config.maxShift, rng, new Float32Array(h * w * c)) : s.image);
      labels.push(s.label);
    }
    return { images, labels };
  }

  private sendBatch(step: number): void {
    if (step >= this.totalSteps) return; // the trainer's `stop` follows
    const { images, labels } = this.batchAt(step);
    const x = forwardRows(this.front, images);
    const digest = createHash('sha256').update(x).digest('hex').slice(0, 32);
    this.pending = { step, images, labels, digest };
    this.tailGrads = null;
    const claim = signClaim({ action: 'train', data: { kind: 'batch', step, samples: images.length, version: this.version, acts: digest } }, this.signer);
    this.send(this.config.trainer, { t: 'acts', step, n: images.length, x, claim, ...(this.tail ? {} : { y: Uint8Array.from(labels) }) });
    this.stats.batchesSent++;
  }

  private onMid(m: Extract<TrainMessage, { t: 'mid' }>): void {
    const p = this.pending;
    const tail = this.tail;
    if (!tail) return this.refuse('unexpected-message', 'mid: labels are at the trainer in this run');
    if (!p || p.step !== m.step) return this.refuse('stale-step', `mid for step ${m.step}, waiting for ${p?.step ?? 'nothing'}`);
    const bad = shapeProblem('mid.m', m.m.length, p.images.length, tail.inputSize);
    if (bad) return this.refuse('bad-shape', bad);
    this.lastMids = rows(m.m, tail.inputSize);
    const r = lossRows(tail, this.lastMids, p.labels, 1 / m.total);
    this.tailGrads = tail.gradients().map((g) => g.slice());
    this.send(this.config.trainer, { t: 'dmid', step: m.step, g: r.dInput, loss: r.loss, correct: r.correct });
  }

  private onGrad(m: Extract<TrainMessage, { t: 'grad' }>): void {
    const p = this.pending;
    if (!p || p.step !== m.step) return this.refuse('stale-step', `grad for step ${m.step}, waiting for ${p?.step ?? 'nothing'}`);
    const bad = shapeProblem('grad.g', m.g.length, p.images.length, this.front.outputSize);
    if (bad) {
      // not applied; the step goes on without this edge's update
      this.refuse('bad-shape', bad);
    } else {
      backwardRows(this.front, p.images, m.g, false);
      const frontGrads = this.front.gradients();
      const tailGrads = this.tail ? (this.tailGrads ?? this.tail.gradients().map((g) => new Float32Array(g.length))) : [];
      [...frontGrads, ...tailGrads].forEach((g, j) => this.grads[j]!.set(g));
      this.adam.step(this.grads, learningRateAt(this.config, m.step, this.totalSteps));
      this.version++;
      this.stats.gradientsApplied++;
      const grad = createHash('sha256').update(m.g).digest('hex').slice(0, 32);
      this.claims.push(signClaim({ action: 'train', data: { kind: 'gradient', step: m.step, acts: p.digest, grad, version: this.version } }, this.signer));
      this.flushClaims(false);
    }
    this.pending = null;
    this.stats.frontVersion = this.version;
    if (m.front) this.send(this.config.trainer, { t: 'front', step: m.step + 1, p: this.params.map((a) => a.slice()), ranges: this.ranges(p.images) });
    else this.sendBatch(m.step + 1);
  }

  /** Output range of each of the edge's layers on its last batch: what int8 calibration needs, without the digits. */
  private ranges(images: Float32Array[]): number[] {
    const out: number[] = [];
    const layers = this.front.model.layers;
    const widen = (xs: Float32Array[], from: number, to: number) => {
      let cur = xs;
      for (let l = from; l < to; l++) {
        cur = cur.map((x) => runLayerFloat(layers[l]!, x));
        let lo = Infinity, hi = -Infinity;
        for (const y of cur) for (const v of y) { if (v < lo) lo = v; if (v > hi) hi = v; }
        out.push(lo, hi);
      }
    };
    widen(images, 0, this.plan.cut);
    if (this.tail && this.lastMids.length > 0) widen(this.lastMids, this.tail.from, this.tail.to);
    return out;
  }

  private load(p: Float32Array[], what: string): void {
    if (p.length !== this.params.length || p.some((a, j) => a.length !== this.params[j]!.length)) {
      return this.refuse('bad-shape', `${what}: parameters of shapes ${p.map((a) => a.length).join(',')}, this edge holds ${this.params.map((a) => a.length).join(',')}`);
    }
    p.forEach((a, j) => this.params[j]!.set(a));
    this.version++;
    this.stats.frontVersion = this.version;
  }

  private flushClaims(all: boolean): void {
    if (this.claims.length === 0 || (!all && this.claims.length < CLAIMS_PER_MESSAGE)) return;
    this.send(GATEWAY_ID, { t: 'claims', c: this.claims });
    this.stats.claims += this.claims.length;
    this.claims = [];
  }
}

function hashId(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}
