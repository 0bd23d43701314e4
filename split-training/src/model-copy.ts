import type { FloatModel } from '@layerfleet/models';

/** A deep copy of a float model's parameters (the graph is shared: it is never mutated). */
export function cloneModel(model: FloatModel): FloatModel {
  return { graph: model.graph, layers: model.layers.map((l) => ({ spec: l.spec, weights: l.weights.slice(), bias: l.bias.slice() })) };
}
