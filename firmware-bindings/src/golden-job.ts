// The host golden runner's job: an LFLY layer blob followed by one more section, the int8 input
// (u32 count, then the bytes). firmware/host/golden_runner.c documents the same layout.
import { spawn } from 'node:child_process';
import type { QuantizedLayer } from '@layerfleet/models';
import { ensureHostRunner } from './firmware-build.js';
import { encodeLayerFields, layerFields, type LayerFields } from './layer-blob.js';

/** The runner's static buffer: a longer job is refused. */
export const JOB_MAX_BYTES = 256 * 1024;

export interface LayerJob extends LayerFields {
  input: Int8Array;
}

export function layerJob(layer: QuantizedLayer, input: Int8Array): LayerJob {
  return { ...layerFields(layer), input };
}

export function encodeJob(job: LayerJob): Uint8Array {
  const bytes = encodeLayerFields(job, 4 + job.input.length);
  const at = bytes.length - job.input.length - 4;
  new DataView(bytes.buffer).setUint32(at, job.input.length, true);
  bytes.set(new Uint8Array(job.input.buffer, job.input.byteOffset, job.input.length), at + 4);
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
