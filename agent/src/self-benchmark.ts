/** Measures the MAC/s this device's int8 kernels reach on a model's layers: the figure it announces. */
import { inputLength, layerCosts, type QuantizedModel } from '@layerfleet/models';
import { typescriptKernels, type KernelPath, type LayerKernels } from './layer-kernels.js';

export interface KernelMeasurement {
  /** The kernels measured: the ones the agent runs its layers on. */
  path: KernelPath;
  macsPerSecond: number;
}

/** MAC/s of `kernels` (the TypeScript ones by default) over the model's layers. */
export function measureMacsPerSecond(model: QuantizedModel, budgetMs = 300, kernels: LayerKernels = typescriptKernels): number {
  return measureKernels(model, kernels, budgetMs).macsPerSecond;
}

export function measureKernels(model: QuantizedModel, kernels: LayerKernels, budgetMs = 300): KernelMeasurement {
  const costs = layerCosts(model.graph);
  const inputs = model.layers.map((layer) => new Int8Array(inputLength(layer.spec)).map((_, i) => ((i * 37) % 255) - 127));
  // Prepared once, as installed layers are: the timed part is what every request pays.
  const layers = model.layers.map((layer) => kernels.prepare(layer));
  // one untimed pass first, so the figure is the optimised kernels' and not the JIT's warm-up
  layers.forEach((run, i) => run(inputs[i]!));
  // The best of several short rounds: on a shared machine a process can be starved for a
  // while, and one long round would report the starvation, not what the device can compute.
  const rounds = 6;
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let macs = 0;
    const start = performance.now();
    do {
      layers.forEach((run, i) => { run(inputs[i]!); macs += costs[i]!.macs; });
    } while (performance.now() - start < budgetMs / rounds);
    best = Math.max(best, macs / ((performance.now() - start) / 1000));
  }
  return { path: kernels.path, macsPerSecond: best };
}
