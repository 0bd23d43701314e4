// One entry point for any int8 layer: prepare once, then run.
import type { ConvSpec, DenseSpec } from '../graph.js';
import { conv2dInt8, prepareConv2dInt8, type Conv2dInt8Plan } from './conv2d.js';
import { denseInt8, prepareDenseInt8, type DenseInt8Plan } from './dense.js';
import type { Int8LayerParams } from './params.js';

export type Int8Plan = { kind: 'conv2d'; plan: Conv2dInt8Plan } | { kind: 'dense'; plan: DenseInt8Plan };

export function prepareLayerInt8(p: Int8LayerParams): Int8Plan {
  if (p.spec.kind === 'conv2d') return { kind: 'conv2d', plan: prepareConv2dInt8(p as Int8LayerParams<ConvSpec>) };
  return { kind: 'dense', plan: prepareDenseInt8(p as Int8LayerParams<DenseSpec>) };
}

export function runPlanInt8(p: Int8Plan, input: Int8Array, output: Int8Array): void {
  if (p.kind === 'conv2d') conv2dInt8(p.plan, input, output);
  else denseInt8(p.plan, input, output);
}
