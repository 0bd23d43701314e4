// The firmware's C kernels (firmware/src, with the WebAssembly SIMD inner loops of
// firmware/wasm) run by agents as WebAssembly: the committed wasm/lf-kernels.wasm, built by
// `make -C firmware/ wasm` and checked against a rebuild in CI. No runtime dependency: the module
// is compiled once with WebAssembly.instantiate, and each layer gets an instance of its own
// (its own linear memory), released with it.
//
// Linear memory of one layer's instance, every region 16-byte aligned, above __heap_base (the
// stack and the module's statics lie below it):
//   [LFLY blob][persist: prepared per-channel constants and packed weights][scratch][input][output]
// The blob is parsed in place (lf_parse), then prepared once (lf_prepare), then run (lf_run).
import { readFileSync } from 'node:fs';
import type { QuantizedLayer } from '@layerfleet/models';
import { encodeLayerBlob } from './layer-blob.js';
import './webassembly-api.js';

/** Where the committed module lies, from dist/src/ of this package. */
export const WASM_KERNELS_PATH = new URL('../../wasm/lf-kernels.wasm', import.meta.url);

/** A layer the C code refused, with the field it blames (a blob field or a kernel status name). */
export class WasmKernelError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'WasmKernelError';
  }
}

interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  lf_parse(blob: number, len: number): number;
  lf_error_field(): number;
  lf_error_text(): number;
  lf_input_len(): number;
  lf_output_len(): number;
  lf_persist_bytes(): number;
  lf_prepare(persist: number, cap: number): number;
  lf_scratch_bytes(): number;
  lf_status_name(status: number): number;
  lf_run(input: number, output: number, scratch: number, cap: number): number;
  lf_run_ref(input: number, output: number): number;
}

const PAGE = 65536;
/**
 * One layer's instance may grow to 1 GiB: past that a layer is beyond a Raspberry-Pi-class
 * agent anyway (and beyond what Node lets one typed array view), and it runs on the
 * TypeScript kernels, which refuse or allocate it themselves.
 */
export const MAX_LAYER_MEMORY = 2 ** 30;
// Arithmetic, not bitwise: sizes may pass 2^31 (and are refused then, not wrapped).
const align16 = (n: number) => Math.ceil(n / 16) * 16;

function cString(memory: WebAssembly.Memory, at: number): string {
  const bytes = new Uint8Array(memory.buffer);
  let end = at;
  while (end < bytes.length && bytes[end] !== 0 && end - at < 512) end++;
  return Buffer.from(bytes.subarray(at, end)).toString('latin1');
}

/** One prepared layer in its own instance. */
export class WasmLayer {
  readonly inputLength: number;
  readonly outputLength: number;
  private readonly input: Int8Array;
  private readonly output: Int8Array;
  private readonly at: { input: number; output: number; scratch: number; scratchBytes: number };

  private readonly x: KernelExports;

  /** Use WasmKernels.layer / fromBlob. */
  constructor(exports: unknown, blob: Uint8Array, name: string) {
    const x = exports as KernelExports;
    this.x = x;
    const blobAt = align16(x.__heap_base.value as number);
    // Bounded by MAX_LAYER_MEMORY, and the runtime may refuse less: a clear refusal either way.
    const grow = (end: number) => {
      const need = Math.ceil(end / PAGE) - x.memory.buffer.byteLength / PAGE;
      if (need <= 0) return;
      try {
        if (end > MAX_LAYER_MEMORY) throw new RangeError(`more than the ${MAX_LAYER_MEMORY} bytes one layer may have`);
        x.memory.grow(need);
      } catch (err) {
        throw new WasmKernelError('memory', `layer ${name}: needs ${end} bytes of WebAssembly memory: ${(err as Error).message}`);
      }
    };
    grow(blobAt + blob.length);
    new Uint8Array(x.memory.buffer, blobAt, blob.length).set(blob);
    if (x.lf_parse(blobAt, blob.length) !== 0) {
      throw new WasmKernelError(cString(x.memory, x.lf_error_field()), `layer ${name}: ${cString(x.memory, x.lf_error_field())}: ${cString(x.memory, x.lf_error_text())}`);
    }
    // The C side's uint32 results arrive as signed i32: read them unsigned.
    this.inputLength = x.lf_input_len() >>> 0;
    this.outputLength = x.lf_output_len() >>> 0;
    const persistAt = align16(blobAt + blob.length);
    const persistBytes = x.lf_persist_bytes() >>> 0;
    grow(persistAt + persistBytes);
    const st = x.lf_prepare(persistAt, persistBytes);
    if (st !== 0) throw this.statusError(st, name, 'prepare');
    const scratch = align16(persistAt + persistBytes);
    const scratchBytes = x.lf_scratch_bytes() >>> 0;
    const input = align16(scratch + scratchBytes);
    const output = align16(input + this.inputLength);
    grow(output + this.outputLength);
    this.at = { input, output, scratch, scratchBytes };
    // Memory is not grown after this point, so these views stay attached.
    this.input = new Int8Array(x.memory.buffer, input, this.inputLength);
    this.output = new Int8Array(x.memory.buffer, output, this.outputLength);
  }

  private statusError(st: number, name: string, step: string): WasmKernelError {
    const field = cString(this.x.memory, this.x.lf_status_name(st));
    return new WasmKernelError(field, `layer ${name}: ${step} refused by the kernel: ${field} (status ${st})`);
  }

  /** The target path (WebAssembly SIMD). The result is a copy: the next run overwrites the instance's output. */
  run(input: Int8Array): Int8Array {
    this.load(input);
    const st = this.x.lf_run(this.at.input, this.at.output, this.at.scratch, this.at.scratchBytes);
    if (st !== 0) throw this.statusError(st, 'run', 'run');
    return this.output.slice();
  }

  /** The portable C reference eval of the same module, for tests. */
  runReference(input: Int8Array): Int8Array {
    this.load(input);
    const st = this.x.lf_run_ref(this.at.input, this.at.output);
    if (st !== 0) throw this.statusError(st, 'run', 'run');
    return this.output.slice();
  }

  private load(input: Int8Array): void {
    if (input.length !== this.inputLength) throw new WasmKernelError('input', `input of ${input.length} values, the layer takes ${this.inputLength}`);
    this.input.set(input);
  }
}

/** The compiled module; creates prepared layers. */
export class WasmKernels {
  private readonly module: WebAssembly.Module;

  /** Use loadWasmKernels. */
  constructor(module: unknown) {
    this.module = module as WebAssembly.Module;
  }

  /** Prepares a quantised layer (throws WasmKernelError naming the field the C code refused). */
  layer(layer: QuantizedLayer): WasmLayer {
    return this.fromBlob(encodeLayerBlob(layer), layer.spec.name);
  }

  /** Prepares an LFLY blob as it would be sent to a board. */
  fromBlob(blob: Uint8Array, name = 'blob'): WasmLayer {
    const instance = new WebAssembly.Instance(this.module, {});
    return new WasmLayer(instance.exports, blob, name);
  }
}

/**
 * Compiles the committed module. Null when this runtime has no WebAssembly SIMD (or the file is
 * missing): callers then keep the TypeScript kernels, the reference and fallback. `reason`
 * receives why.
 */
export async function loadWasmKernels(reason?: (why: string) => void): Promise<WasmKernels | null> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(WASM_KERNELS_PATH);
  } catch (err) {
    reason?.(`no ${WASM_KERNELS_PATH.pathname}: ${(err as Error).message}`);
    return null;
  }
  if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) {
    reason?.('this runtime cannot compile the kernels module (WebAssembly SIMD missing?)');
    return null;
  }
  const { module } = await WebAssembly.instantiate(bytes, {});
  return new WasmKernels(module);
}
