/**
 * Where a network is cut, and who holds which layers. LeNet-5's layers are conv1 (with its
 * pooling, the paper's C1+S2), conv2 (C3+S4), fc1, fc2, fc3.
 *   labels at the trainer (the paper):  edge = [0, cut)   trainer = [cut, L)
 *   labels at the edge ("U-shaped"):    edge = [0, cut) and [L-1, L)   trainer = [cut, L-1)
 * In the U-shaped variant neither inputs nor labels leave the edge: the trainer sees the cut's
 * activations going up and the gradient of its last output coming back.
 */
import { outputLength, type ModelGraph } from '@layerfleet/models';

export type LabelsAt = 'trainer' | 'edge';

export interface SplitPlan {
  /** Index of the first layer the trainer holds: the cut is after layer `cut - 1`. */
  cut: number;
  labelsAt: LabelsAt;
  layers: number;
}

/** `--cut NAME`: the cut goes after the named layer (its pooling included). */
export function splitPlan(graph: ModelGraph, cutAfter: string, labelsAt: LabelsAt): SplitPlan {
  const i = graph.layers.findIndex((l) => l.name === cutAfter);
  if (i < 0) throw new Error(`--cut: ${graph.name} has no layer ${JSON.stringify(cutAfter)}; its layers are ${graph.layers.map((l) => l.name).join(', ')}`);
  const L = graph.layers.length;
  const lastTrainer = labelsAt === 'edge' ? L - 2 : L - 1;
  if (i >= lastTrainer) throw new Error(`--cut ${cutAfter}: the trainer would hold no layer (labels at the ${labelsAt})`);
  return { cut: i + 1, labelsAt, layers: L };
}

/** Values per sample crossing the cut (each way): 6×14×14 = 1176 after LeNet's conv1. */
export function cutWidth(graph: ModelGraph, plan: SplitPlan): number {
  return outputLength(graph.layers[plan.cut - 1]!);
}

export function trainerRange(plan: SplitPlan): [number, number] {
  return [plan.cut, plan.labelsAt === 'edge' ? plan.layers - 1 : plan.layers];
}
