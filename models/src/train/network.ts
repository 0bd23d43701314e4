// A float model wired for training: forward, softmax cross-entropy, backward, per-layer gradients.
import { checkFloatModel, type FloatModel } from '../float/model.js';
import { ConvTrainLayer } from './conv-layer.js';
import { DenseTrainLayer } from './dense-layer.js';
import { softmaxCrossEntropy } from './softmax-xent.js';

export interface LabelledImage {
  image: Float32Array;
  label: number;
}

export interface LayerGradients {
  name: string;
  weights: Float32Array;
  bias: Float32Array;
}

export class TrainNet {
  private readonly layers: Array<ConvTrainLayer | DenseTrainLayer>;
  /** Gradients of the mean loss of the last `lossAndGradients` call, one entry per layer. */
  readonly gradients: LayerGradients[];
  private readonly dLogits: Float32Array;

  /** Trains `model`'s weight arrays in place. */
  constructor(readonly model: FloatModel) {
    checkFloatModel(model);
    this.gradients = model.layers.map((l) => ({ name: l.spec.name, weights: new Float32Array(l.weights.length), bias: new Float32Array(l.bias.length) }));
    this.layers = model.layers.map((l, i) => {
      const g = this.gradients[i]!;
      return l.spec.kind === 'conv2d'
        ? new ConvTrainLayer(l.spec, l.weights, l.bias, g.weights, g.bias)
        : new DenseTrainLayer(l.spec, l.weights, l.bias, g.weights, g.bias);
    });
    this.dLogits = new Float32Array(model.graph.classes);
  }

  /** Parameter arrays in a fixed order (per layer: weights, bias), aligned with `gradientArrays()`. */
  parameterArrays(): Float32Array[] {
    return this.model.layers.flatMap((l) => [l.weights, l.bias]);
  }

  gradientArrays(): Float32Array[] {
    return this.gradients.flatMap((g) => [g.weights, g.bias]);
  }

  forward(image: Float32Array): Float32Array {
    let x = image;
    for (const layer of this.layers) x = layer.forward(x);
    return x;
  }

  /** Mean softmax cross-entropy over `batch`; leaves d(mean loss)/d(params) in `gradients`. */
  lossAndGradients(batch: LabelledImage[]): number {
    if (batch.length === 0) throw new Error('lossAndGradients: empty batch');
    for (const g of this.gradients) { g.weights.fill(0); g.bias.fill(0); }
    let loss = 0;
    const scale = 1 / batch.length;
    for (const sample of batch) {
      const logits = this.forward(sample.image);
      loss += softmaxCrossEntropy(logits, sample.label, this.dLogits, scale);
      let d = this.dLogits;
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const layer = this.layers[i]!;
        layer.backward(d, i > 0);
        d = layer.dInput;
      }
    }
    return loss * scale;
  }
}
