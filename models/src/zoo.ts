// The three networks of the rl-pdnn evaluation, as graphs (weights exist only for LeNet-5).
import { outputShape, validateGraph, type LayerSpec, type ModelGraph, type Shape3 } from './graph.js';

type ConvOpts = { kernel?: number; stride?: number; padding?: 'same' | 'valid'; pool?: boolean; relu?: boolean };
type Step =
  | { conv: string; filters: number; opts?: ConvOpts }
  | { dense: string; units: number; relu?: boolean };

/** Builds a chain from steps so that each layer's input shape is derived, not typed by hand. */
function chain(name: string, input: Shape3, steps: Step[]): ModelGraph {
  const layers: LayerSpec[] = [];
  let shape = input;
  for (const step of steps) {
    let spec: LayerSpec;
    if ('conv' in step) {
      const o = step.opts ?? {};
      spec = {
        kind: 'conv2d', name: step.conv, input: shape, filters: step.filters,
        kernel: o.kernel ?? 3, stride: o.stride ?? 1, padding: o.padding ?? 'same', relu: o.relu ?? true,
        ...(o.pool ? { pool: { size: 2, stride: 2 } } : {}),
      };
    } else {
      spec = { kind: 'dense', name: step.dense, inputs: shape[0] * shape[1] * shape[2], units: step.units, relu: step.relu ?? true };
    }
    layers.push(spec);
    shape = outputShape(spec);
  }
  const graph: ModelGraph = { name, input, classes: shape[0] * shape[1] * shape[2], layers };
  validateGraph(graph);
  return graph;
}

/** LeNet-5 for 28×28 MNIST: conv1 keeps 28×28 with 'same' padding, as in the classic 32×32 layout. */
export const lenet5: ModelGraph = chain('lenet5', [28, 28, 1], [
  { conv: 'conv1', filters: 6, opts: { kernel: 5, padding: 'same', pool: true } },
  { conv: 'conv2', filters: 16, opts: { kernel: 5, padding: 'valid', pool: true } },
  { dense: 'fc1', units: 120 },
  { dense: 'fc2', units: 84 },
  { dense: 'fc3', units: 10, relu: false },
]);

/** rl-pdnn's medium CIFAR-10 network: three 3×3 conv pairs (32, 64, 128 filters), each pair pooled, then 2 FC. */
export const cifarCnn: ModelGraph = chain('cifarCnn', [32, 32, 3], [
  { conv: 'conv1', filters: 32 },
  { conv: 'conv2', filters: 32, opts: { pool: true } },
  { conv: 'conv3', filters: 64 },
  { conv: 'conv4', filters: 64, opts: { pool: true } },
  { conv: 'conv5', filters: 128 },
  { conv: 'conv6', filters: 128, opts: { pool: true } },
  { dense: 'fc1', units: 256 },
  { dense: 'fc2', units: 10, relu: false },
]);

/** VGG16 (configuration D) at 128×128×3; 196 classes as rl-pdnn trains it on Stanford Cars. */
export const vgg16: ModelGraph = chain('vgg16', [128, 128, 3], [
  { conv: 'conv1_1', filters: 64 },
  { conv: 'conv1_2', filters: 64, opts: { pool: true } },
  { conv: 'conv2_1', filters: 128 },
  { conv: 'conv2_2', filters: 128, opts: { pool: true } },
  { conv: 'conv3_1', filters: 256 },
  { conv: 'conv3_2', filters: 256 },
  { conv: 'conv3_3', filters: 256, opts: { pool: true } },
  { conv: 'conv4_1', filters: 512 },
  { conv: 'conv4_2', filters: 512 },
  { conv: 'conv4_3', filters: 512, opts: { pool: true } },
  { conv: 'conv5_1', filters: 512 },
  { conv: 'conv5_2', filters: 512 },
  { conv: 'conv5_3', filters: 512, opts: { pool: true } },
  { dense: 'fc6', units: 4096 },
  { dense: 'fc7', units: 4096 },
  { dense: 'fc8', units: 196, relu: false },
]);

export const zoo: Record<string, ModelGraph> = { lenet5, cifarCnn, vgg16 };
