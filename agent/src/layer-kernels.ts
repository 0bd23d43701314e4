/**
 * Which int8 kernels this process computes with: the firmware's C kernels as WebAssembly SIMD
 * (firmware-bindings' lf-kernels.wasm, the same source the boards run) when the runtime has
 * WebAssembly SIMD, else the TypeScript kernels of @layerfleet/models — the reference, and the
 * fallback. Both give the same bytes (firmware-bindings/test/kernel-shapes.test.ts).
 */
import { runLayerInt8, type QuantizedLayer } from '@layerfleet/models';
import { loadWasmKernels, WasmKernelError } from '@layerfleet/firmware-bindings';

export type KernelPath = 'wasm-simd' | 'typescript';

/** A layer prepared once, run many times. */
export type PreparedLayer = (input: Int8Array) => Int8Array;

export interface LayerKernels {
  readonly path: KernelPath;
  /** Why the path is what it is, when it is not the one asked for (e.g. "no WebAssembly SIMD here"). */
  readonly note?: string;
  prepare(layer: QuantizedLayer): PreparedLayer;
}

export const typescriptKernels: LayerKernels = {
  path: 'typescript',
  prepare: (layer) => (input) => runLayerInt8(layer, input),
};

/**
 * `auto` (the default): WebAssembly SIMD when it loads, else TypeScript with a note saying why.
 * `typescript` forces the reference. `wasm-simd` fails when the module cannot load.
 */
export async function chooseKernels(want: 'auto' | KernelPath = 'auto'): Promise<LayerKernels> {
  if (want === 'typescript') return typescriptKernels;
  let why = '';
  const wasm = await loadWasmKernels((reason) => { why = reason; });
  if (!wasm) {
    if (want === 'wasm-simd') throw new Error(`kernels wasm-simd: ${why}`);
    return { ...typescriptKernels, note: `WebAssembly kernels unavailable (${why}); running the TypeScript kernels` };
  }
  return {
    path: 'wasm-simd',
    prepare: (layer) => {
      try {
        const prepared = wasm.layer(layer);
        return (input) => prepared.run(input);
      } catch (err) {
        // A layer the C code refuses (beyond its bounds) still runs on the reference, which
        // judges it for itself.
        if (err instanceof WasmKernelError) return (input) => runLayerInt8(layer, input);
        throw err;
      }
    },
  };
}
