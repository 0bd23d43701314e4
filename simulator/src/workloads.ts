/**
 * The planner's view of the paper's networks. rl-pdnn counts ReLU (and pooling) as layers of
 * their own — LeNet has "9 layers (Conv, ReLu and Fc)" — which matters for privacy, since every
 * layer a device sees counts towards eq. 6. `paper` granularity splits each conv/dense into the
 * multiplication layer and its activation (pooling folded into the activation), giving LeNet 9,
 * the CIFAR CNN 15 and VGG16 31 layers; `fused` is how our runtime executes them.
 * Activations have no multiplications, so they cost no MAC/s — only a hop, if placed apart.
 */
import { cifarCnn, layerCosts, lenet5, outputShape, vgg16, type ModelGraph } from '@layerfleet/models';
import type { PlanLayer } from '@layerfleet/planner';

export type Granularity = 'paper' | 'fused';

export interface Workload { name: string; layers: PlanLayer[] }

/** `bytesPerElement`: 4 for the paper's float models, 1 for our int8 fleet. */
export function plannerLayers(graph: ModelGraph, granularity: Granularity, bytesPerElement: number): PlanLayer[] {
  const costs = layerCosts(graph);
  if (granularity === 'fused') {
    return costs.map((c) => ({ ...c, weightBytes: c.weightBytes * bytesPerElement, outputBytes: c.outputBytes * bytesPerElement }));
  }
  const out: PlanLayer[] = [];
  graph.layers.forEach((spec, i) => {
    const c = costs[i]!;
    const isLast = i === graph.layers.length - 1;
    if (spec.kind === 'conv2d') {
      // the convolution's own output, before pooling
      const { pool: _pooled, ...bare } = spec;
      const [h, w, ch] = outputShape(bare);
      out.push({ name: spec.name, macs: c.macs, weightBytes: c.weightBytes * bytesPerElement, outputBytes: h * w * ch * bytesPerElement });
      out.push({ name: `${spec.name}.${spec.pool ? 'relu+pool' : 'relu'}`, macs: 0, weightBytes: 0, outputBytes: c.outputBytes * bytesPerElement });
    } else {
      out.push({ name: spec.name, macs: c.macs, weightBytes: c.weightBytes * bytesPerElement, outputBytes: c.outputBytes * bytesPerElement });
      if (!isLast) out.push({ name: `${spec.name}.relu`, macs: 0, weightBytes: 0, outputBytes: c.outputBytes * bytesPerElement });
    }
  });
  return out;
}

export const WORKLOAD_NAMES = ['lenet', 'cifar', 'vgg', 'mixed'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

const graphs: Record<Exclude<WorkloadName, 'mixed'>, ModelGraph> = { lenet: lenet5, cifar: cifarCnn, vgg: vgg16 };

/** The models a workload draws requests from (mixed: all three, equally likely). */
export function workloadModels(name: WorkloadName, granularity: Granularity, bytesPerElement: number): Workload[] {
  const names = name === 'mixed' ? (['lenet', 'cifar', 'vgg'] as const) : [name];
  return names.map((n) => ({ name: graphs[n].name, layers: plannerLayers(graphs[n], granularity, bytesPerElement) }));
}
