/**
 * A run of consecutive layers of a float model, trainable on its own: the piece of LeNet one
 * party holds in split training (an edge's front, the trainer's back). The layers are the
 * models package's per-sample trainable layers; a segment only adds what a cut needs — the
 * gradient with respect to its input (what goes back down over the wire) and gradients that
 * arrive from outside instead of from a loss.
 *
 * The per-sample layers keep the state of their last forward only, so `backward` of a sample
 * whose forward was not the last one is preceded by a fresh `forward` of it (`backwardAt`):
 * the same arithmetic in the same order as one pass, which is what makes split training equal
 * to unsplit training on the same batch (test/split-equivalence.test.ts).
 */
import { ConvTrainLayer, DenseTrainLayer, inputLength, outputLength, type FloatModel } from '@layerfleet/models';

export class Segment {
  private readonly layers: Array<ConvTrainLayer | DenseTrainLayer>;
  private readonly grads: Float32Array[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** The model's layers [from, to). */
  constructor(readonly model: FloatModel, readonly from: number, readonly to: number) {
    const n = model.layers.length;
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= n && from < to)) {
      throw new RangeError(`segment [${from}, ${to}) of ${model.graph.name}: not a non-empty range of its ${n} layers`);
    }
    this.grads = [];
    this.layers = model.layers.slice(from, to).map((l) => {
      const dW = new Float32Array(l.weights.length);
      const dB = new Float32Array(l.bias.length);
      this.grads.push(dW, dB);
      return l.spec.kind === 'conv2d' ? new ConvTrainLayer(l.spec, l.weights, l.bias, dW, dB) : new DenseTrainLayer(l.spec, l.weights, l.bias, dW, dB);
    });
    this.inputSize = inputLength(model.layers[from]!.spec);
    this.outputSize = outputLength(model.layers[to - 1]!.spec);
  }

  /** Names of the layers, for messages and logs. */
  get names(): string[] { return this.model.layers.slice(this.from, this.to).map((l) => l.spec.name); }

  /** The parameter arrays (per layer: weights, bias), live: an optimiser updates them in place. */
  params(): Float32Array[] { return this.model.layers.slice(this.from, this.to).flatMap((l) => [l.weights, l.bias]); }

  /** Gradient arrays aligned with `params()`. */
  gradients(): Float32Array[] { return this.grads; }

  zeroGradients(): void { for (const g of this.grads) g.fill(0); }

  /** One sample through the segment; the returned buffer is reused by the next call. */
  forward(input: Float32Array): Float32Array {
    let x = input;
    for (const layer of this.layers) x = layer.forward(x);
    return x;
  }

  /**
   * Back-propagates d(loss)/d(output) of the sample forwarded last, adding to the gradients;
   * returns d(loss)/d(input) (a reused buffer), or null when `needInputGrad` is false.
   */
  backward(dOutput: Float32Array, needInputGrad: boolean): Float32Array | null {
    let d = dOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      const need = i > 0 || needInputGrad;
      layer.backward(d, need);
      d = layer.dInput;
    }
    return needInputGrad ? d : null;
  }

  /** `forward(input)` then `backward(dOutput)`: back-propagation of any sample of a batch. */
  backwardAt(input: Float32Array, dOutput: Float32Array, needInputGrad: boolean): Float32Array | null {
    this.forward(input);
    return this.backward(dOutput, needInputGrad);
  }
}
