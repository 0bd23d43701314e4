/** Measures the MAC/s this device's int8 kernels reach on a model's layers: the figure it announces. */
import { inputLength, layerCosts, runLayerInt8, type QuantizedModel } from '@layerfleet/models';

export function measureMacsPerSecond(model: QuantizedModel, budgetMs = 300): number {
  const costs = layerCosts(model.graph);
  const inputs = model.layers.map((layer) => new Int8Array(inputLength(layer.spec)).map((_, i) => ((i * 37) % 255) - 127));
  // one untimed pass first, so the figure is the optimised kernels' and not the JIT's warm-up
  model.layers.forEach((layer, i) => runLayerInt8(layer, inputs[i]!));
  // The best of several short rounds: on a shared machine a process can be starved for a
  // while, and one long round would report the starvation, not what the device can compute.
  const rounds = 6;
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let macs = 0;
    const start = performance.now();
    do {
      model.layers.forEach((layer, i) => { runLayerInt8(layer, inputs[i]!); macs += costs[i]!.macs; });
    } while (performance.now() - start < budgetMs / rounds);
    best = Math.max(best, macs / ((performance.now() - start) / 1000));
  }
  return best;
}
