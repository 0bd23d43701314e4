// Post-training int8 quantisation of a float model, and running the int8 model with the
// integer-only reference kernels.
import { calibrate } from './calibrate.js';
import type { FloatModel } from './float/model.js';
import { inputLength, outputChannels, type LayerSpec, type ModelGraph } from './graph.js';
import { prepareLayerInt8, runPlanInt8, type Int8Plan } from './int8/layer.js';
import { quantizeMultiplier } from './int8/requantize.js';
import { activationParams, quantizeBias, quantizeValue, quantizeWeightsPerChannel, type QuantParams } from './quant-params.js';

export interface QuantizedLayer {
  spec: LayerSpec;
  inputScale: number;
  inputZeroPoint: number;
  outputScale: number;
  outputZeroPoint: number;
  /** Per-channel symmetric int8, OHWI for conv, [units][inputs] for dense. */
  weights: Int8Array;
  /** Per output channel, at scale inputScale·weightScale[c]. */
  bias: Int32Array;
  /** Per output channel: Q31 multiplier and shift of inputScale·weightScale[c] / outputScale. */
  multipliers: Int32Array;
  shifts: Int32Array;
}

export interface QuantizedModel {
  graph: ModelGraph;
  inputScale: number;
  inputZeroPoint: number;
  layers: QuantizedLayer[];
}

/** Quantises weights per channel and activations from ranges seen on `calibrationImages`. */
export function quantizeModel(model: FloatModel, calibrationImages: Float32Array[]): QuantizedModel {
  const cal = calibrate(model, calibrationImages);
  const inputQ = activationParams(cal.input.min, cal.input.max, `${model.graph.name} input`);
  let inQ = inputQ;
  const layers = model.layers.map((layer, i): QuantizedLayer => {
    const spec = layer.spec;
    const outQ = activationParams(cal.layers[i]!.min, cal.layers[i]!.max, `layer ${spec.name} output`);
    const { weightScales: _scales, ...q } = quantizeLayer(layer, inQ, outQ);
    inQ = outQ;
    return q;
  });
  return { graph: model.graph, inputScale: inputQ.scale, inputZeroPoint: inputQ.zeroPoint, layers };
}

/**
 * One float layer at given input and output quantisation: per-channel weights, int32 bias and
 * the per-channel requantisation multiplier/shift of inputScale·weightScale[c] / outputScale.
 */
export function quantizeLayer(layer: FloatModel['layers'][number], inQ: QuantParams, outQ: QuantParams): QuantizedLayer & { weightScales: Float64Array } {
  const channels = outputChannels(layer.spec);
  const w = quantizeWeightsPerChannel(layer.weights, channels);
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = quantizeMultiplier((inQ.scale * w.scales[c]!) / outQ.scale);
    multipliers[c] = m.multiplier;
    shifts[c] = m.shift;
  }
  return {
    spec: layer.spec, inputScale: inQ.scale, inputZeroPoint: inQ.zeroPoint, outputScale: outQ.scale, outputZeroPoint: outQ.zeroPoint,
    weights: w.weights, bias: quantizeBias(layer.bias, inQ.scale, w.scales), multipliers, shifts, weightScales: w.scales,
  };
}

/** The only float step of the int8 path; it happens on the source device. */
export function quantizeInput(model: QuantizedModel, image: Float32Array): Int8Array {
  const [h, w, c] = model.graph.input;
  if (image.length !== h * w * c) throw new Error(`model ${model.graph.name}: image length ${image.length}, expected ${h * w * c} (${h}×${w}×${c})`);
  const q = new Int8Array(image.length);
  const p = { scale: model.inputScale, zeroPoint: model.inputZeroPoint };
  for (let i = 0; i < image.length; i++) q[i] = quantizeValue(image[i]!, p);
  return q;
}

// Plans are prepared once per layer object (folded biases, scratch buffers), as TFLite Micro's
// Prepare step; a layer object must not be mutated after its first run.
const plans = new WeakMap<QuantizedLayer, Int8Plan>();

function planFor(layer: QuantizedLayer): Int8Plan {
  let plan = plans.get(layer);
  if (!plan) {
    plan = prepareLayerInt8(layer);
    plans.set(layer, plan);
  }
  return plan;
}

export function runLayerInt8(layer: QuantizedLayer, input: Int8Array): Int8Array {
  const expected = inputLength(layer.spec);
  if (!(input instanceof Int8Array)) throw new Error(`layer ${layer.spec.name}: input is not an Int8Array`);
  if (input.length !== expected) throw new Error(`layer ${layer.spec.name}: input length ${input.length}, expected ${expected}`);
  const plan = planFor(layer);
  const output = new Int8Array(plan.plan.outputLength);
  runPlanInt8(plan, input, output);
  return output;
}

/** Runs all layers on an already quantised input; `trace` receives each layer's output. */
export function runModelInt8(model: QuantizedModel, input: Int8Array, trace?: Int8Array[]): Int8Array {
  let x = input;
  for (const layer of model.layers) {
    x = runLayerInt8(layer, x);
    trace?.push(x);
  }
  return x;
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('argmax: empty input');
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
