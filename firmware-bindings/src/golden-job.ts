// The binary layer job the host runner reads on stdin; the layout is documented at the top of
// firmware/host/golden_runner.c and mirrored here field for field.
import { spawn } from 'node:child_process';
import { activationRange, type QuantizedLayer } from '@layerfleet/models';
import { ensureHostRunner } from './host-build.js';

export const JOB_MAGIC = 'LFJB';
export const JOB_VERSION = 1;
export const JOB_HEADER_BYTES = 60;
/** The runner's static arena: a longer job is refused. */
export const JOB_MAX_BYTES = 256 * 1024;

export const JobKind = { conv2d: 1, dense: 2, maxpool: 3 } as const;

/** Every field of the job; unused ones are 0. Sections are taken verbatim, so tests can make them inconsistent. */
export interface LayerJob {
  kind: number;
  padding: number;
  inH: number;
  inW: number;
  inC: number;
  kernel: number;
  stride: number;
  filters: number;
  poolSize: number;
  poolStride: number;
  inputs: number;
  units: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  activationMin: number;
  weights: Int8Array;
  bias: Int32Array;
  multipliers: Int32Array;
  shifts: Int32Array;
  input: Int8Array;
}

export function layerJob(layer: QuantizedLayer, input: Int8Array): LayerJob {
  const spec = layer.spec;
  const common = {
    inputZeroPoint: layer.inputZeroPoint, outputZeroPoint: layer.outputZeroPoint,
    activationMin: activationRange(spec.relu, layer.outputZeroPoint).min,
    weights: layer.weights, bias: layer.bias, multipliers: layer.multipliers, shifts: layer.shifts, input,
  };
  if (spec.kind === 'conv2d') {
    return {
      kind: JobKind.conv2d, padding: spec.padding === 'same' ? 1 : 0, inH: spec.input[0], inW: spec.input[1], inC: spec.input[2],
      kernel: spec.kernel, stride: spec.stride, filters: spec.filters, poolSize: spec.pool?.size ?? 0, poolStride: spec.pool?.stride ?? 0,
      inputs: 0, units: 0, ...common,
    };
  }
  return {
    kind: JobKind.dense, padding: 0, inH: 0, inW: 0, inC: 0, kernel: 0, stride: 0, filters: 0, poolSize: 0, poolStride: 0,
    inputs: spec.inputs, units: spec.units, ...common,
  };
}

export function encodeJob(job: LayerJob): Uint8Array {
  const n = JOB_HEADER_BYTES + 4 * 5 + job.weights.length + 4 * (job.bias.length + job.multipliers.length + job.shifts.length) + job.input.length;
  const bytes = new Uint8Array(n);
  const v = new DataView(bytes.buffer);
  bytes.set(Buffer.from(JOB_MAGIC, 'ascii'), 0);
  v.setUint16(4, JOB_VERSION, true);
  v.setUint8(6, job.kind);
  v.setUint8(7, job.padding);
  const u32 = [job.inH, job.inW, job.inC, job.kernel, job.stride, job.filters, job.poolSize, job.poolStride, job.inputs, job.units];
  u32.forEach((x, i) => v.setUint32(8 + 4 * i, x, true));
  v.setInt32(48, job.inputZeroPoint, true);
  v.setInt32(52, job.outputZeroPoint, true);
  v.setInt32(56, job.activationMin, true);
  let o = JOB_HEADER_BYTES;
  const int8 = (a: Int8Array): void => {
    v.setUint32(o, a.length, true);
    o += 4;
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.length), o);
    o += a.length;
  };
  const int32 = (a: Int32Array): void => {
    v.setUint32(o, a.length, true);
    o += 4;
    for (const x of a) { v.setInt32(o, x, true); o += 4; }
  };
  int8(job.weights);
  int32(job.bias);
  int32(job.multipliers);
  int32(job.shifts);
  int8(job.input);
  return bytes;
}

export function encodeLayerJob(layer: QuantizedLayer, input: Int8Array): Uint8Array {
  return encodeJob(layerJob(layer, input));
}

export interface HostRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Feeds raw bytes to the host runner (building it if needed) and reports how it ended. */
export async function runHostJob(job: Uint8Array): Promise<HostRunResult> {
  const runner = await ensureHostRunner();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(runner, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    // The runner may refuse a job before reading all of it; the broken pipe is then expected.
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(job);
  });
}

/** Runs one int8 layer through the C kernels; the output bytes as an Int8Array. */
export async function runHostLayer(layer: QuantizedLayer, input: Int8Array): Promise<Int8Array> {
  const r = await runHostJob(encodeLayerJob(layer, input));
  if (r.code !== 0) {
    throw new Error(`host runner failed on layer ${layer.spec.name} (${r.signal ? `signal ${r.signal}` : `exit ${r.code}`}): ${r.stderr.trim()}`);
  }
  return new Int8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length).slice();
}
