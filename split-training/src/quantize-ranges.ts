/**
 * int8 quantisation (TFLite's scheme, models/src/quantize.ts) from activation ranges gathered
 * without the training digits: the input's range is the data format's ([0, 1] pixels), the
 * edges report each of their layers' output range on their batches, and the trainer measures
 * its own layers on the activations it received.
 */
import { activationParams, quantizeLayer, type Calibration, type FloatModel, type QuantizedLayer, type QuantizedModel } from '@layerfleet/models';

export function quantizeWithRanges(model: FloatModel, cal: Calibration): QuantizedModel {
  const inputQ = activationParams(cal.input.min, cal.input.max, `${model.graph.name} input`);
  let inQ = inputQ;
  const layers = model.layers.map((layer, i): QuantizedLayer => {
    const r = cal.layers[i];
    if (!r || !(r.max > r.min)) throw new Error(`quantize ${model.graph.name}: no range for layer ${layer.spec.name}`);
    const outQ = activationParams(r.min, r.max, `layer ${layer.spec.name} output`);
    const { weightScales: _scales, ...q } = quantizeLayer(layer, inQ, outQ);
    inQ = outQ;
    return q;
  });
  return { graph: model.graph, inputScale: inputQ.scale, inputZeroPoint: inputQ.zeroPoint, layers };
}
