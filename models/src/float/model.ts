// A float model: the graph plus float32 weights per layer, and how to run it.
import { convGeometry, inputLength, outputChannels, sameLayerSpec, validateGraph, weightCount, type LayerSpec, type ModelGraph } from '../graph.js';
import { conv2dFloat } from './conv2d.js';
import { denseFloat } from './dense.js';
import { maxPoolFloat } from './maxpool.js';
import { reluInPlace } from './relu.js';

export interface FloatLayer {
  spec: LayerSpec;
  /** OHWI for conv, [units][inputs] for dense. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface FloatModel {
  graph: ModelGraph;
  layers: FloatLayer[];
}

export function checkFloatModel(model: FloatModel): void {
  validateGraph(model.graph);
  if (model.layers.length !== model.graph.layers.length) {
    throw new Error(`float model ${model.graph.name}: ${model.layers.length} layers, graph has ${model.graph.layers.length}`);
  }
  model.layers.forEach((layer, i) => {
    const name = layer.spec.name;
    if (!sameLayerSpec(layer.spec, model.graph.layers[i]!)) throw new Error(`float model ${model.graph.name}: layer ${name} spec differs from the graph's layer #${i}`);
    if (layer.weights.length !== weightCount(layer.spec)) throw new Error(`layer ${name}: weights length ${layer.weights.length}, expected ${weightCount(layer.spec)}`);
    if (layer.bias.length !== outputChannels(layer.spec)) throw new Error(`layer ${name}: bias length ${layer.bias.length}, expected ${outputChannels(layer.spec)}`);
  });
}

/** conv → relu → pool, or dense → relu, as the spec says. */
export function runLayerFloat(layer: FloatLayer, input: Float32Array): Float32Array {
  const spec = layer.spec;
  if (input.length !== inputLength(spec)) throw new Error(`layer ${spec.name}: input length ${input.length}, expected ${inputLength(spec)}`);
  if (spec.kind === 'dense') {
    const out = denseFloat(spec, input, layer.weights, layer.bias);
    if (spec.relu) reluInPlace(out);
    return out;
  }
  const out = conv2dFloat(spec, input, layer.weights, layer.bias);
  if (spec.relu) reluInPlace(out);
  if (!spec.pool) return out;
  const g = convGeometry(spec);
  return maxPoolFloat(out, [g.outH, g.outW, spec.filters], spec.pool);
}

/** Runs every layer; returns the logits, or all layer outputs when `trace` is given. */
export function runModelFloat(model: FloatModel, input: Float32Array, trace?: Float32Array[]): Float32Array {
  let x = input;
  for (const layer of model.layers) {
    x = runLayerFloat(layer, x);
    trace?.push(x);
  }
  return x;
}
