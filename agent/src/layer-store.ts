/**
 * The int8 layers a device was handed by the gateway, keyed by model and layer index. It holds
 * only what it was assigned; nothing else of the model ever reaches it.
 */
import { layerFromWire, layerMacs, type QuantizedLayer } from '@layerfleet/models';
import { typescriptKernels, type LayerKernels, type PreparedLayer } from './layer-kernels.js';

export class LayerStore {
  private readonly layers = new Map<string, { layer: QuantizedLayer; run: PreparedLayer }>();

  /** `kernels`: what the layers run on (chooseKernels); the TypeScript kernels by default. */
  constructor(readonly kernels: LayerKernels = typescriptKernels) {}

  /** Decodes and prepares the layer once (weights packed, constants split), so runs only compute. */
  install(model: string, index: number, wire: unknown): void {
    const layer = layerFromWire(wire);
    this.layers.set(`${model}:${index}`, { layer, run: this.kernels.prepare(layer) });
  }

  has(model: string, index: number): boolean { return this.layers.has(`${model}:${index}`); }
  get size(): number { return this.layers.size; }
  indices(model: string): number[] {
    return [...this.layers.keys()].filter((k) => k.startsWith(`${model}:`)).map((k) => Number(k.slice(model.length + 1))).sort((a, b) => a - b);
  }

  /** Runs layers `from`…`to` (inclusive) in order; throws naming the first layer it lacks. */
  run(model: string, from: number, to: number, input: Int8Array): Int8Array {
    let x = input;
    for (let i = from; i <= to; i++) {
      const held = this.layers.get(`${model}:${i}`);
      if (!held) throw new Error(`no weights for ${model} layer ${i}`);
      x = held.run(x);
    }
    return x;
  }

  /** Multiply-accumulates of layers `from`…`to` of the layers held. */
  macs(model: string, from: number, to: number): number {
    let total = 0;
    for (let i = from; i <= to; i++) {
      const held = this.layers.get(`${model}:${i}`);
      if (held) total += layerMacs(held.layer.spec);
    }
    return total;
  }

  clear(): void { this.layers.clear(); }
}
