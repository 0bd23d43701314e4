/**
 * What split training sends inside its COSE envelopes (the envelope's body), as CBOR maps.
 * Tensors travel as byte strings of little-endian float32, rows of a batch one after another.
 *
 *   edge → trainer   join   {t, shard}                      an edge (re)starting; answered by `welcome`
 *                    acts   {t, step, n, x, y?, claim}      the front's output for a batch (+ labels unless labels stay at the edge)
 *                    dmid   {t, step, g, loss, correct}     U-shaped: d(loss)/d(trainer's output) from the edge's tail
 *                    front  {t, step, p, ranges}            the edge's own parameters (front, and tail when U-shaped), for averaging/evaluation
 *   trainer → edge   welcome{t, step, p?}                   where training is, and the current front when fronts are averaged
 *                    grad   {t, step, g, front}             d(loss)/d(activations) for the edge's rows; `front`: send your parameters next
 *                    mid    {t, step, m, total}             U-shaped: the trainer's output for the edge's rows, and the combined batch size
 *                    avg    {t, step, p?}                   go on with step `step` (from the averaged parameters when given)
 *                    skip   {t, step, reason}               your message was not used; go on with step `step`
 *                    stop   {t, reason}                     training is over
 *   edge → gateway   claims {t, c}                          signed ledger claims (protocol/src/ledger-claim.ts)
 *   trainer → gateway progress {t, step, total, epoch, loss, acc, active}   for the progress bar and the convergence chart (acc -1: not evaluated)
 *   trainer/edge → gateway report {t, json}                 the party's closing summary (JSON text: counts, accuracies, the curve)
 *
 * `decodeTrainMessage` refuses anything malformed with a TrainWireError naming the field; shape
 * checks against what the receiver expects (rows × cut width) are the receiver's (checkShape).
 */
import { Encoder } from 'cbor-x';

/** Limits, clamped here: the largest batch an edge may send, the most parameter arrays, claims per message. */
export const MAX_ROWS = 1024;
export const MAX_WIDTH = 1 << 16;
export const MAX_PARAM_ARRAYS = 16;
export const MAX_PARAM_VALUES = 1 << 20;
export const MAX_CLAIMS = 256;
export const MAX_STEP = 1e9;
export const MAX_REPORT_CHARS = 1 << 20;

export type TrainMessage =
  | { t: 'join'; shard: number }
  | { t: 'acts'; step: number; n: number; x: Float32Array; y?: Uint8Array; claim: Uint8Array }
  | { t: 'dmid'; step: number; g: Float32Array; loss: number; correct: number }
  | { t: 'front'; step: number; p: Float32Array[]; ranges: number[] }
  | { t: 'welcome'; step: number; p?: Float32Array[] }
  | { t: 'grad'; step: number; g: Float32Array; front: boolean }
  | { t: 'mid'; step: number; m: Float32Array; total: number }
  | { t: 'avg'; step: number; p?: Float32Array[] }
  | { t: 'skip'; step: number; reason: string }
  | { t: 'stop'; reason: string }
  | { t: 'claims'; c: Uint8Array[] }
  | { t: 'progress'; step: number; total: number; epoch: number; loss: number; acc: number; active: number }
  | { t: 'report'; json: string };

export class TrainWireError extends Error {
  constructor(readonly reason: string, detail: string) { super(detail); this.name = 'TrainWireError'; }
}

const codec = new Encoder({ mapsAsObjects: true, useRecords: false, tagUint8Array: false, pack: false });

export function floatBytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function floats(v: unknown, field: string, maxValues: number): Float32Array {
  if (!(v instanceof Uint8Array)) throw new TrainWireError('bad-field', `${field}: expected a byte string of float32`);
  if (v.length % 4 !== 0) throw new TrainWireError('bad-shape', `${field}: ${v.length} bytes is not a whole number of float32`);
  if (v.length / 4 > maxValues) throw new TrainWireError('too-large', `${field}: ${v.length / 4} values, over the limit of ${maxValues}`);
  // copy: the CBOR byte string may sit at any offset
  const out = new Float32Array(v.length / 4);
  new Uint8Array(out.buffer).set(v);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) throw new TrainWireError('not-finite', `${field}[${i}] is ${out[i]}`);
  return out;
}

function int(o: Record<string, unknown>, key: string, t: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new TrainWireError('bad-field', `${t}.${key}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v;
}

function finite(o: Record<string, unknown>, key: string, t: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TrainWireError('bad-field', `${t}.${key}: expected a finite number`);
  return v;
}

function paramList(v: unknown, field: string): Float32Array[] {
  if (!Array.isArray(v) || v.length > MAX_PARAM_ARRAYS) throw new TrainWireError('bad-field', `${field}: expected an array of at most ${MAX_PARAM_ARRAYS} byte strings`);
  return v.map((x, i) => floats(x, `${field}[${i}]`, MAX_PARAM_VALUES));
}

function text(o: Record<string, unknown>, key: string, t: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > 512) throw new TrainWireError('bad-field', `${t}.${key}: expected a text string of at most 512 characters`);
  return v;
}

export function encodeTrainMessage(m: TrainMessage): Uint8Array {
  const wire: Record<string, unknown> = { ...m };
  for (const k of ['x', 'g', 'm'] as const) {
    const v = (m as Record<string, unknown>)[k];
    if (v instanceof Float32Array) wire[k] = floatBytes(v);
  }
  if ('p' in m && m.p) wire.p = m.p.map(floatBytes);
  return codec.encode(wire);
}

export function decodeTrainMessage(bytes: Uint8Array): TrainMessage {
  let v: unknown;
  try {
    v = codec.decode(bytes);
  } catch (err) {
    throw new TrainWireError('bad-cbor', `not well-formed CBOR (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw new TrainWireError('bad-field', 'expected a map');
  const o = v as Record<string, unknown>;
  const t = o.t;
  switch (t) {
    case 'join': return { t, shard: int(o, 'shard', t, 0, 1e9) };
    case 'acts': {
      const n = int(o, 'n', t, 1, MAX_ROWS);
      const x = floats(o.x, 'acts.x', MAX_ROWS * MAX_WIDTH);
      if (x.length % n !== 0) throw new TrainWireError('bad-shape', `acts.x: ${x.length} values are not ${n} equal rows`);
      if (!(o.claim instanceof Uint8Array)) throw new TrainWireError('bad-field', 'acts.claim: expected a byte string');
      const out: TrainMessage = { t, step: int(o, 'step', t, 0, MAX_STEP), n, x, claim: o.claim };
      if (o.y !== undefined) {
        if (!(o.y instanceof Uint8Array) || o.y.length !== n) throw new TrainWireError('bad-shape', `acts.y: expected ${n} labels as bytes`);
        out.y = o.y;
      }
      return out;
    }
    case 'dmid': return { t, step: int(o, 'step', t, 0, MAX_STEP), g: floats(o.g, 'dmid.g', MAX_ROWS * MAX_WIDTH), loss: finite(o, 'loss', t), correct: int(o, 'correct', t, 0, MAX_ROWS) };
    case 'front': {
      const ranges = o.ranges;
      if (!Array.isArray(ranges) || ranges.length > 2 * MAX_PARAM_ARRAYS || !ranges.every((r) => typeof r === 'number' && Number.isFinite(r))) throw new TrainWireError('bad-field', 'front.ranges: expected finite numbers');
      return { t, step: int(o, 'step', t, 0, MAX_STEP), p: paramList(o.p, 'front.p'), ranges: ranges as number[] };
    }
    case 'welcome':
    case 'avg': {
      const step = int(o, 'step', t, 0, MAX_STEP);
      return o.p === undefined ? { t, step } : { t, step, p: paramList(o.p, `${t}.p`) };
    }
    case 'grad': return { t, step: int(o, 'step', t, 0, MAX_STEP), g: floats(o.g, 'grad.g', MAX_ROWS * MAX_WIDTH), front: o.front === true };
    case 'mid': return { t, step: int(o, 'step', t, 0, MAX_STEP), m: floats(o.m, 'mid.m', MAX_ROWS * MAX_WIDTH), total: int(o, 'total', t, 1, MAX_ROWS * 64) };
    case 'skip': return { t, step: int(o, 'step', t, 0, MAX_STEP), reason: text(o, 'reason', t) };
    case 'stop': return { t, reason: text(o, 'reason', t) };
    case 'claims': {
      if (!Array.isArray(o.c) || o.c.length > MAX_CLAIMS || !o.c.every((c) => c instanceof Uint8Array)) throw new TrainWireError('bad-field', `claims.c: expected at most ${MAX_CLAIMS} byte strings`);
      return { t, c: o.c as Uint8Array[] };
    }
    case 'progress': return {
      t, step: int(o, 'step', t, 0, MAX_STEP), total: int(o, 'total', t, 0, MAX_STEP), epoch: int(o, 'epoch', t, 0, MAX_STEP),
      loss: finite(o, 'loss', t), acc: finite(o, 'acc', t), active: int(o, 'active', t, 0, 1e6),
    };
    case 'report': {
      if (typeof o.json !== 'string' || o.json.length > MAX_REPORT_CHARS) throw new TrainWireError('bad-field', `report.json: expected text of at most ${MAX_REPORT_CHARS} characters`);
      return { t, json: o.json };
    }
    default: throw new TrainWireError('unknown-type', `unknown message type ${JSON.stringify(t)?.slice(0, 40)}`);
  }
}

/** The receiver's shape check: `values` must be `rows` rows of `width`. Null when it is, else why not. */
export function shapeProblem(what: string, values: number, rows: number, width: number): string | null {
  return values === rows * width ? null : `${what}: ${values} values, expected ${rows} rows × ${width} = ${rows * width}`;
}
