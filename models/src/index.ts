// Public API of @layerfleet/models.
export {
  convGeometry, inputLength, layerCosts, layerMacs, outputChannels, outputLength, outputShape, poolOutput, sameLayerSpec, validateGraph, weightCount,
  type ConvGeometry, type ConvSpec, type DenseSpec, type LayerCost, type LayerSpec, type ModelGraph, type PoolSpec, type Shape3,
} from './graph.js';
export { cifarCnn, lenet5, vgg16, zoo } from './zoo.js';

export { checkFloatModel, runLayerFloat, runModelFloat, type FloatLayer, type FloatModel } from './float/model.js';
export { conv2dFloat } from './float/conv2d.js';
export { denseFloat } from './float/dense.js';
export { maxPoolFloat } from './float/maxpool.js';
export { reluInPlace } from './float/relu.js';

export { conv2dInt8, prepareConv2dInt8, type Conv2dInt8Plan } from './int8/conv2d.js';
export { denseInt8, prepareDenseInt8, type DenseInt8Plan } from './int8/dense.js';
export { maxPoolInt8 } from './int8/maxpool.js';
export { activationRange, type ActivationRange } from './int8/activation.js';
export { foldInputZeroPoint, type Int8LayerParams } from './int8/params.js';
export { prepareLayerInt8, runPlanInt8, type Int8Plan } from './int8/layer.js';
export { roundingDivideByPOT, saturatingRoundingDoublingHighMul } from './int8/fixed-point.js';
export { frexp, multiplyByQuantizedMultiplier, quantizeMultiplier, type QuantizedMultiplier } from './int8/requantize.js';

export {
  activationParams, dequantizeValue, quantizeBias, quantizeValue, quantizeWeightsPerChannel, roundHalfAway, type QuantParams,
} from './quant-params.js';
export { calibrate, type Calibration, type Range } from './calibrate.js';
export {
  argmax, quantizeInput, quantizeModel, runLayerInt8, runModelInt8, type QuantizedLayer, type QuantizedModel,
} from './quantize.js';
export { accuracyFloat, accuracyInt8, type Labelled } from './evaluate.js';

export {
  decodeFloatModel, decodeQuantizedModel, encodeFloatModel, encodeQuantizedModel, layerFromWire, layerToWire,
} from './serialize.js';
export { graphFromWire, graphToWire, layerSpecFromWire, layerSpecToWire } from './wire-fields.js';
export {
  goldenPath, LENET_FLOAT_FILE, LENET_GOLDEN_FILE, LENET_INT8_FILE, loadLenetFloat, loadLenetInt8, weightsPath,
} from './weights.js';
export {
  goldenToJson, loadLenetGolden, makeGolden, type GoldenFile, type GoldenLayer, type GoldenSample, type GoldenTensor, type GoldenVector,
} from './golden.js';

export { loadMnistDigits, loadMnistSplit, type MnistSample, type MnistSplit } from './mnist.js';
export { mulberry32, normal, shuffle, type Rng } from './rng.js';

export { trainModel, type TrainOptions, type TrainProgress } from './train/train.js';
export { TrainNet, type LabelledImage, type LayerGradients } from './train/network.js';
export { initFloatModel } from './train/init.js';
export { LENET_CALIBRATION_IMAGES, LENET_MIN_INT8_ACCURACY, LENET_RECIPE, LENET_SPLIT_SEED } from './train/lenet-recipe.js';

export { benchKernels, formatBenchTable, type BenchOptions, type Int8Peer, type KernelBenchRow } from './bench-kernels.js';
export { randomQuantizedModel } from './random-model.js';
// The per-sample trainable layers, loss and optimiser, for training a network cut in pieces (split-training/).
export { ConvTrainLayer } from './train/conv-layer.js';
export { DenseTrainLayer } from './train/dense-layer.js';
export { softmaxCrossEntropy } from './train/softmax-xent.js';
export { Adam, type AdamOptions } from './train/adam.js';
export { randomShift } from './train/augment.js';
export { quantizeLayer } from './quantize.js';
