/**
 * The int8 layers a device was handed by the gateway, keyed by model and layer index. It holds
 * only what it was assigned; nothing else of the model ever reaches it.
 */
import { layerFromWire, layerMacs, runLayerInt8, type QuantizedLayer } from '@layerfleet/models';

export class LayerStore {
  private readonly layers = new Map<string, QuantizedLayer>();

  install(model: string, index: number, wire: unknown): void {
    this.layers.set(`${model}:${index}`, layerFromWire(wire));
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
      const layer = this.layers.get(`${model}:${i}`);
      if (!layer) throw new Error(`no weights for ${model} layer ${i}`);
      x = runLayerInt8(layer, x);
    }
    return x;
  }

  /** Multiply-accumulates of layers `from`…`to` of the layers held. */
  macs(model: string, from: number, to: number): number {
    let total = 0;
    for (let i = from; i <= to; i++) {
      const layer = this.layers.get(`${model}:${i}`);
      if (layer) total += layerMacs(layer.spec);
    }
    return total;
  }

  clear(): void { this.layers.clear(); }
}
