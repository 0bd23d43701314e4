// Seeded initialisation: He normal for relu layers, Glorot normal for the linear output layer.
import type { FloatModel } from '../float/model.js';
import { outputChannels, validateGraph, weightCount, type ModelGraph } from '../graph.js';
import { mulberry32, normal } from '../rng.js';

export function initFloatModel(graph: ModelGraph, seed: number): FloatModel {
  validateGraph(graph);
  const rng = mulberry32(seed);
  return {
    graph,
    layers: graph.layers.map((spec) => {
      const n = weightCount(spec);
      const fanOut = outputChannels(spec);
      const fanIn = n / fanOut;
      const std = spec.relu ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
      const weights = new Float32Array(n);
      for (let i = 0; i < n; i++) weights[i] = normal(rng) * std;
      return { spec, weights, bias: new Float32Array(fanOut) };
    }),
  };
}
