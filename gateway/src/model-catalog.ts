/** The models the gateway can place: their cost tables (the planner's input) and int8 weights to hand out. */
import { layerCosts, layerToWire, loadLenetInt8, type ModelGraph, type QuantizedModel } from '@layerfleet/models';
import type { PlanLayer } from '@layerfleet/planner';

export interface ModelEntry {
  name: string;
  graph: ModelGraph;
  costs: PlanLayer[];
  /** the wire form of one layer's int8 weights, built once */
  wireLayer(index: number): Record<string, unknown>;
}

export function catalogEntry(model: QuantizedModel): ModelEntry {
  const wire = new Map<number, Record<string, unknown>>();
  return {
    name: model.graph.name,
    graph: model.graph,
    costs: layerCosts(model.graph),
    wireLayer(index) {
      let w: Record<string, unknown> | undefined = wire.get(index);
      if (!w) {
        const layer = model.layers[index];
        if (!layer) throw new RangeError(`model ${model.graph.name} has no layer ${index}`);
        w = layerToWire(layer);
        wire.set(index, w);
      }
      return w;
    },
  };
}

export function defaultCatalog(): Map<string, ModelEntry> {
  const lenet = catalogEntry(loadLenetInt8());
  return new Map([[lenet.name, lenet]]);
}
