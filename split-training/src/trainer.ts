/**
 * The trainer's part of split training (the back layers), transport-free; trainer-main.ts wires
 * it to the broker. It never holds a training digit: it gets each edge's activations (and labels,
 * unless they stay at the edge), runs the back layers on the edges' batches concatenated,
 * computes the loss (or, U-shaped, lets each edge's tail compute it), updates the back and
 * returns each edge the gradient for its own rows.
 *
 * Steps are synchronous with a bound: every phase (activations, the tails' gradients, fronts)
 * waits for the edges it expects for at most `waitMs`, then goes on with what came; an edge that
 * missed is marked absent (its batches are skipped and counted) until it is heard from again.
 * A message that is malformed, of the wrong shape or for a step that is over is refused with a
 * reason and counted, and the sender is told which step to go on with.
 */
import { accuracyFloat, accuracyInt8, initFloatModel, lenet5, runLayerFloat, Adam, type Calibration, type FloatModel, type MnistSample, type QuantizedModel } from '@layerfleet/models';
import { Rejections } from '@layerfleet/protocol';
import { GATEWAY_ID } from './channel.js';
import { learningRateAt, perEdgeBatch, planOf, shardSizes, stepsPerEpoch, type SplitConfig } from './config.js';
import { cloneModel } from './model-copy.js';
import { quantizeWithRanges } from './quantize-ranges.js';
import { Segment } from './segment.js';
import type { SplitPlan } from './split-plan.js';
import { backwardRows, forwardRows, lossRows, rows } from './split-step.js';
import { shapeProblem, type TrainMessage } from './wire.js';

type Acts = Extract<TrainMessage, { t: 'acts' }>;

interface EdgeState {
  id: string;
  shard: number;
  joined: boolean;
  active: boolean;
  stepsSkipped: number;
  batchesUsed: number;
  refused: number;
  rejoins: number;
  /** A step this edge's batch was refused for: not waited for, and its next batch is taken early. */
  excusedStep: number;
  params?: Float32Array[];
  ranges?: number[];
}

export interface CurvePoint { step: number; epoch: number; loss: number; accuracy: number | null }

export interface TrainerReport {
  steps: number;
  totalSteps: number;
  epochs: number;
  accuracy: { float: number; int8: number; perEdgeFloat?: Record<string, number> };
  curve: CurvePoint[];
  valuesUpPerSample: number;
  valuesDownPerSample: number;
  labelsUp: boolean;
  edges: Record<string, { batchesUsed: number; stepsSkipped: number; refused: number; rejoins: number }>;
  refused: Record<string, number>;
  frontSync: number;
  aborted?: string;
}

const RECENT_ROWS = 1024;

export class TrainerCore {
  private readonly plan: SplitPlan;
  private readonly model: FloatModel;
  private readonly back: Segment;
  private readonly adam: Adam;
  private readonly edges = new Map<string, EdgeState>();
  private readonly pending = new Map<string, Acts>();
  readonly totalSteps: number;
  private readonly spe: number;
  private readonly b: number;
  /** The next step whose activations are collected. */
  private step = 0;
  private phase: 'waiting-for-edges' | 'acts' | 'dmid' | 'fronts' | 'done' = 'waiting-for-edges';
  private timer: NodeJS.Timeout | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  /** U-shaped step in progress: who contributed which rows, and the tails' gradients. */
  private inFlight: { step: number; ids: string[]; acts: Float32Array[]; counts: number[]; dMid: Map<string, Float32Array>; loss: number; correct: number } | null = null;
  private expectedFronts = new Set<string>();
  private receivedFronts = new Set<string>();
  /** The averaged front (and tail), when fronts are averaged. */
  private avg: Float32Array[];
  private readonly recent: Float32Array[] = [];
  private lossSum = 0;
  private lossCount = 0;
  readonly curve: CurvePoint[] = [];
  readonly rejections: Rejections;
  private finished: ((r: TrainerReport) => void) | null = null;
  readonly done: Promise<TrainerReport>;
  private readonly width: number;

  constructor(
    private readonly config: SplitConfig,
    private readonly heldOut: MnistSample[],
    private readonly send: (to: string, m: TrainMessage) => void,
    opts: { rejections?: Rejections; log?: (line: string) => void } = {},
  ) {
    this.plan = planOf(config);
    this.model = initFloatModel(lenet5, config.seed);
    const to = this.plan.labelsAt === 'edge' ? this.plan.layers - 1 : this.plan.layers;
    this.back = new Segment(this.model, this.plan.cut, to);
    this.adam = new Adam(this.back.params());
    this.width = this.back.inputSize;
    this.spe = stepsPerEpoch(config, shardSizes(config));
    this.totalSteps = this.spe * config.epochs;
    this.b = perEdgeBatch(config);
    this.avg = this.edgeParams(this.model).map((a) => a.slice());
    for (const id of config.edges) this.edges.set(id, { id, shard: 0, joined: false, active: false, stepsSkipped: 0, batchesUsed: 0, refused: 0, rejoins: 0, excusedStep: -1 });
    this.rejections = opts.rejections ?? new Rejections(opts.log);
    this.done = new Promise((resolve) => { this.finished = resolve; });
  }

  /** The layers an edge holds, as parameter arrays: its front, and its tail when labels stay at the edge. */
  private edgeParams(model: FloatModel): Float32Array[] {
    const ls = model.layers;
    const mine = [...ls.slice(0, this.plan.cut), ...(this.plan.labelsAt === 'edge' ? ls.slice(this.plan.layers - 1) : [])];
    return mine.flatMap((l) => [l.weights, l.bias]);
  }

  handle(sender: string, m: TrainMessage): void {
    const edge = this.edges.get(sender);
    if (!edge) return this.rejections.count('unknown-edge', `${m.t} from ${sender}, which is not an edge of this run`);
    if (this.phase === 'done') return this.send(sender, { t: 'stop', reason: 'training is over' });
    switch (m.t) {
      case 'join': return this.onJoin(edge, m.shard);
      case 'acts': return this.onActs(edge, m);
      case 'dmid': return this.onDmid(edge, m);
      case 'front': return this.onFront(edge, m);
      default: return this.refuse(edge, 'unexpected-message', `${m.t} is not a message the trainer takes`);
    }
  }

  private refuse(edge: EdgeState, reason: string, detail: string): void {
    edge.refused++;
    this.rejections.count(reason, `from ${edge.id}: ${detail}`);
  }

  private onJoin(edge: EdgeState, shard: number): void {
    if (edge.joined && !edge.active) edge.rejoins++;
    edge.joined = true;
    edge.shard = shard;
    if (this.phase === 'waiting-for-edges') {
      if ([...this.edges.values()].every((e) => e.joined)) return this.begin();
      // a missing edge delays the start by a bounded wait, then training goes on without it
      this.startTimer ??= setTimeout(() => this.begin(), Math.max(5000, 5 * this.config.waitMs));
      return;
    }
    edge.active = true;
    const p = this.config.frontSync > 0 ? this.avg : edge.params;
    this.send(edge.id, { t: 'welcome', step: this.step, ...(p ? { p } : {}) });
  }

  private begin(): void {
    if (this.phase !== 'waiting-for-edges') return;
    if (this.startTimer) clearTimeout(this.startTimer);
    for (const e of this.edges.values()) {
      if (!e.joined) continue;
      e.active = true;
      this.send(e.id, { t: 'welcome', step: 0 });
    }
    this.startActs();
  }

  private arm(ms: number, then: () => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; then(); }, ms);
  }

  private startActs(): void {
    this.phase = 'acts';
    if (this.step >= this.totalSteps) return this.finish();
    if (!this.maybeProcessActs()) this.arm(this.config.waitMs, () => this.actsTimeout());
  }

  private actsTimeout(): void {
    const have = [...this.pending.values()].filter((a) => a.step === this.step);
    if (have.length === 0) {
      // nobody is there: wait on (bounded by the run's own deadline), every edge absent
      for (const e of this.edges.values()) {
        if (e.active) this.rejections.count('edge-absent', `${e.id} sent no activations for step ${this.step} within ${this.config.waitMs} ms (nor did any edge)`);
        e.active = false;
      }
      this.arm(this.config.waitMs, () => this.actsTimeout());
      return;
    }
    for (const e of this.edges.values()) {
      if (e.active && e.excusedStep !== this.step && this.pending.get(e.id)?.step !== this.step) {
        e.active = false;
        this.rejections.count('edge-absent', `${e.id} sent no activations for step ${this.step} within ${this.config.waitMs} ms; its batches are skipped until it is heard from`);
      }
    }
    this.processActs();
  }

  private onActs(edge: EdgeState, m: Acts): void {
    if (!edge.joined) return this.refuse(edge, 'not-joined', `acts before join`);
    const early = m.step === this.step + 1 && edge.excusedStep === this.step;
    if (m.step !== this.step && !early) {
      this.refuse(edge, 'stale-step', `acts for step ${m.step}; the trainer is at step ${this.step}`);
      edge.active = true;
      return this.send(edge.id, { t: 'skip', step: this.step, reason: `step ${m.step} is not the one being collected` });
    }
    const problem = shapeProblem('acts.x', m.x.length, m.n, this.width)
      ?? (m.n > this.b ? `acts.n: ${m.n} rows, over the per-edge batch of ${this.b}` : null)
      ?? (this.plan.labelsAt === 'trainer' && !m.y ? 'acts.y: labels missing (labels are at the trainer in this run)' : null)
      ?? (this.plan.labelsAt === 'edge' && m.y ? 'acts.y: labels sent, but this run keeps them at the edge' : null)
      ?? (m.y && m.y.some((l) => l > 9) ? 'acts.y: a label outside 0..9' : null);
    if (problem) {
      this.refuse(edge, 'bad-shape', problem);
      edge.excusedStep = m.step;
      if (this.phase === 'acts') this.maybeProcessActs();
      return this.send(edge.id, { t: 'skip', step: this.step + 1, reason: problem });
    }
    edge.active = true;
    this.pending.set(edge.id, m);
    if (this.phase === 'acts') this.maybeProcessActs();
  }

  private maybeProcessActs(): boolean {
    for (const e of this.edges.values()) if (e.active && e.excusedStep !== this.step && this.pending.get(e.id)?.step !== this.step) return false;
    if (![...this.pending.values()].some((a) => a.step === this.step)) return false;
    this.processActs();
    return true;
  }

  private processActs(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const ids: string[] = [];
    const batches: Acts[] = [];
    for (const e of this.edges.values()) {
      const a = this.pending.get(e.id);
      if (a?.step === this.step) { ids.push(e.id); batches.push(a); this.pending.delete(e.id); e.batchesUsed++; }
      else e.stepsSkipped++;
    }
    const actRows = batches.flatMap((a) => rows(a.x, this.width));
    for (const r of actRows) { this.recent.push(r); if (this.recent.length > RECENT_ROWS) this.recent.shift(); }
    const counts = batches.map((a) => a.n);
    const step = this.step;
    this.step++;
    if (this.plan.labelsAt === 'trainer') {
      const labels = batches.flatMap((a) => [...a.y!]);
      const r = lossRows(this.back, actRows, labels, 1 / actRows.length);
      this.adam.step(this.back.gradients(), learningRateAt(this.config, step, this.totalSteps));
      this.noteLoss(r.loss);
      this.sendGradients(step, ids, counts, r.dInput);
    } else {
      const mids = forwardRows(this.back, actRows);
      const out = this.back.outputSize;
      let row = 0;
      ids.forEach((id, i) => {
        const n = counts[i]!;
        this.send(id, { t: 'mid', step, m: mids.slice(row * out, (row + n) * out), total: actRows.length });
        row += n;
      });
      this.inFlight = { step, ids, acts: actRows, counts, dMid: new Map(), loss: 0, correct: 0 };
      this.phase = 'dmid';
      this.arm(this.config.waitMs, () => this.finishUShaped());
    }
  }

  private onDmid(edge: EdgeState, m: Extract<TrainMessage, { t: 'dmid' }>): void {
    const f = this.inFlight;
    if (this.phase !== 'dmid' || !f || f.step !== m.step || !f.ids.includes(edge.id)) return this.refuse(edge, 'stale-step', `dmid for step ${m.step}, not awaited`);
    const n = f.counts[f.ids.indexOf(edge.id)]!;
    const bad = shapeProblem('dmid.g', m.g.length, n, this.back.outputSize);
    if (bad) return this.refuse(edge, 'bad-shape', bad);
    f.dMid.set(edge.id, m.g);
    f.loss += m.loss;
    f.correct += m.correct;
    if (f.dMid.size === f.ids.length) this.finishUShaped();
  }

  private finishUShaped(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const f = this.inFlight;
    if (!f || this.phase !== 'dmid') return;
    this.inFlight = null;
    const out = this.back.outputSize;
    const dMids = new Float32Array(f.acts.length * out);
    let row = 0;
    f.ids.forEach((id, i) => {
      const g = f.dMid.get(id);
      if (g) dMids.set(g, row * out);
      else {
        this.edges.get(id)!.active = false;
        this.rejections.count('edge-absent', `${id} sent no tail gradient for step ${f.step} within ${this.config.waitMs} ms; its rows count for nothing this step`);
      }
      row += f.counts[i]!;
    });
    const dActs = backwardRows(this.back, f.acts, dMids, true)!;
    this.adam.step(this.back.gradients(), learningRateAt(this.config, f.step, this.totalSteps));
    if (f.dMid.size > 0) this.noteLoss(f.loss);
    const ids = f.ids.filter((id) => f.dMid.has(id));
    const counts = f.ids.map((id, i) => (f.dMid.has(id) ? f.counts[i]! : -1)).filter((n) => n >= 0);
    // rows of edges whose tail did not answer are dropped from the gradients sent down
    let keep: Float32Array = new Float32Array(0);
    if (ids.length === f.ids.length) keep = dActs;
    else {
      const parts: Float32Array[] = [];
      let r = 0;
      f.ids.forEach((id, i) => { const n = f.counts[i]!; if (f.dMid.has(id)) parts.push(dActs.subarray(r * this.width, (r + n) * this.width)); r += n; });
      keep = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) { keep.set(p, o); o += p.length; }
    }
    this.sendGradients(f.step, ids, counts, keep);
  }

  private noteLoss(loss: number): void {
    this.lossSum += loss;
    this.lossCount++;
  }

  private collectsFrontsAfter(next: number): boolean {
    return (this.config.frontSync > 0 && next % this.config.frontSync === 0) || this.isEvalPoint(next);
  }

  private isEvalPoint(next: number): boolean {
    return next % this.config.evalEvery === 0 || next % this.spe === 0 || next === this.totalSteps;
  }

  private sendGradients(step: number, ids: string[], counts: number[], dActs: Float32Array): void {
    const front = this.collectsFrontsAfter(step + 1);
    let row = 0;
    ids.forEach((id, i) => {
      const n = counts[i]!;
      this.send(id, { t: 'grad', step, g: dActs.slice(row * this.width, (row + n) * this.width), front });
      row += n;
    });
    if (front) {
      this.phase = 'fronts';
      this.expectedFronts = new Set(ids);
      this.receivedFronts = new Set();
      if (ids.length === 0) return this.finishFronts();
      this.arm(this.config.waitMs, () => this.finishFronts());
    } else {
      this.progress(null);
      this.startActs();
    }
  }

  private onFront(edge: EdgeState, m: Extract<TrainMessage, { t: 'front' }>): void {
    if (this.phase !== 'fronts' || m.step !== this.step || !this.expectedFronts.has(edge.id)) return this.refuse(edge, 'stale-step', `front for step ${m.step}, not awaited`);
    if (m.p.length !== this.avg.length || m.p.some((a, j) => a.length !== this.avg[j]!.length)) return this.refuse(edge, 'bad-shape', `front.p: arrays of ${m.p.map((a) => a.length).join(',')} values, expected ${this.avg.map((a) => a.length).join(',')}`);
    edge.params = m.p;
    edge.ranges = m.ranges;
    this.receivedFronts.add(edge.id);
    if (this.receivedFronts.size === this.expectedFronts.size) this.finishFronts();
  }

  private finishFronts(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.phase !== 'fronts') return;
    // in the run's edge order, not arrival order: the same sums in the same order every run
    const got = this.config.edges.filter((id) => this.receivedFronts.has(id)).map((id) => this.edges.get(id)!);
    // fronts are averaged whenever they are collected (every frontSync steps, and at evaluation points)
    const sync = this.config.frontSync > 0;
    if (sync && got.length > 0) {
      // the paper's weighted sum: each edge's parameters weighted by its shard's size
      const total = got.reduce((s, e) => s + e.shard, 0);
      this.avg = this.avg.map((a, j) => {
        const out = new Float32Array(a.length);
        for (const e of got) { const w = e.shard / total; const p = e.params![j]!; for (let i = 0; i < out.length; i++) out[i]! += w * p[i]!; }
        return out;
      });
    }
    for (const e of this.edges.values()) {
      if (!e.active) continue;
      this.send(e.id, { t: 'avg', step: this.step, ...(sync ? { p: this.avg } : {}) });
    }
    this.progress(this.isEvalPoint(this.step) ? this.evaluate(this.heldOut.slice(0, this.config.evalSamples)).float : null);
    this.startActs();
  }

  private progress(accuracy: number | null): void {
    const step = this.step;
    const epoch = Math.ceil(step / this.spe);
    if (accuracy !== null || step % 5 === 0) {
      const loss = this.lossCount > 0 ? this.lossSum / this.lossCount : NaN;
      if (accuracy !== null) {
        this.curve.push({ step, epoch, loss, accuracy });
        this.lossSum = 0;
        this.lossCount = 0;
      }
      const active = [...this.edges.values()].filter((e) => e.active).length;
      this.send(GATEWAY_ID, { t: 'progress', step, total: this.totalSteps, epoch, loss: Number.isFinite(loss) ? loss : -1, acc: accuracy ?? -1, active });
    }
  }

  /** The whole network of one edge (its front, and tail) or of the averaged parameters. */
  private networkWith(edgeParams: Float32Array[]): FloatModel {
    const m = cloneModel(this.model);
    const mine = this.edgeParams(m);
    mine.forEach((a, j) => a.set(edgeParams[j]!));
    return m;
  }

  private networks(): Array<{ id: string; model: FloatModel }> {
    if (this.config.frontSync > 0) return [{ id: 'averaged', model: this.networkWith(this.avg) }];
    return [...this.edges.values()].filter((e) => e.params).map((e) => ({ id: e.id, model: this.networkWith(e.params!) }));
  }

  private evaluate(samples: MnistSample[]): { float: number; perEdge: Record<string, number>; served: FloatModel | null } {
    const nets = this.networks();
    if (nets.length === 0) return { float: 0, perEdge: {}, served: null };
    const perEdge: Record<string, number> = {};
    for (const n of nets) perEdge[n.id] = accuracyFloat(n.model, samples);
    const float = Object.values(perEdge).reduce((s, a) => s + a, 0) / nets.length;
    return { float, perEdge, served: nets[0]!.model };
  }

  /** Ranges for int8: [0, 1] input, the edges' reports for their layers, the trainer's own on the activations it received. */
  private calibration(model: FloatModel): Calibration {
    const L = this.plan.layers;
    const layers = model.layers.map(() => ({ min: Infinity, max: -Infinity }));
    const edgeLayers = [...Array.from({ length: this.plan.cut }, (_, i) => i), ...(this.plan.labelsAt === 'edge' ? [L - 1] : [])];
    for (const e of this.edges.values()) {
      const r = e.ranges ?? [];
      edgeLayers.forEach((l, k) => {
        if (r.length >= 2 * (k + 1)) { layers[l]!.min = Math.min(layers[l]!.min, r[2 * k]!); layers[l]!.max = Math.max(layers[l]!.max, r[2 * k + 1]!); }
      });
    }
    for (const x0 of this.recent) {
      // the cut's own range is in the activations received
      const cutRange = layers[this.plan.cut - 1]!;
      for (const v of x0) { if (v < cutRange.min) cutRange.min = v; if (v > cutRange.max) cutRange.max = v; }
      let x = x0;
      for (let l = this.back.from; l < this.back.to; l++) {
        x = runLayerFloat(model.layers[l]!, x);
        const r = layers[l]!;
        for (const v of x) { if (v < r.min) r.min = v; if (v > r.max) r.max = v; }
      }
      // U-shaped: the tail's range comes from the edges only
    }
    return { input: { min: 0, max: 1 }, layers };
  }

  abort(reason: string): void {
    if (this.phase === 'done') return;
    this.finish(reason);
  }

  private finish(aborted?: string): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.startTimer) clearTimeout(this.startTimer);
    this.phase = 'done';
    for (const e of this.edges.values()) if (e.joined) this.send(e.id, { t: 'stop', reason: aborted ?? 'training complete' });
    const ev = this.evaluate(this.heldOut);
    let int8 = 0;
    let quantized: QuantizedModel | null = null;
    if (ev.served) {
      try {
        quantized = quantizeWithRanges(ev.served, this.calibration(ev.served));
        int8 = accuracyInt8(quantized, this.heldOut);
      } catch (err) {
        this.rejections.count('quantize', (err as Error).message);
      }
    }
    this.servedFloat = ev.served;
    this.servedInt8 = quantized;
    const report: TrainerReport = {
      steps: this.step, totalSteps: this.totalSteps, epochs: this.config.epochs,
      accuracy: { float: ev.float, int8, ...(this.config.frontSync > 0 ? {} : { perEdgeFloat: ev.perEdge }) },
      curve: this.curve,
      valuesUpPerSample: this.width,
      valuesDownPerSample: this.width,
      labelsUp: this.plan.labelsAt === 'trainer',
      edges: Object.fromEntries([...this.edges.values()].map((e) => [e.id, { batchesUsed: e.batchesUsed, stepsSkipped: e.stepsSkipped, refused: e.refused, rejoins: e.rejoins }])),
      refused: this.rejections.toJSON(),
      frontSync: this.config.frontSync,
      ...(aborted ? { aborted } : {}),
    };
    this.finished?.(report);
  }

  servedFloat: FloatModel | null = null;
  servedInt8: QuantizedModel | null = null;
}
