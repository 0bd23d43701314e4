/**
 * One training step's arithmetic for each party, over batches laid out as rows of a flat
 * Float32Array (what travels on the wire). The parties differ only in which of these they call:
 *   edge:     activations = forwardRows(front, images)            → up
 *   trainer:  {loss, dInput} = lossRows(back, activations, labels) → dInput down
 *   edge:     backwardRows(front, images, dInput)                 → front gradients
 * U-shaped (labels at the edge): the trainer's middle runs forwardRows / backwardRows and the
 * edge's tail runs lossRows, with the loss scaled by the combined batch so that the gradients
 * equal those of one network on the union of the edges' batches.
 */
import { softmaxCrossEntropy } from '@layerfleet/models';
import type { Segment } from './segment.js';

export function rows(flat: Float32Array, width: number): Float32Array[] {
  if (width <= 0 || flat.length % width !== 0) throw new RangeError(`rows: ${flat.length} values are not whole rows of ${width}`);
  const out: Float32Array[] = [];
  for (let off = 0; off < flat.length; off += width) out.push(flat.subarray(off, off + width));
  return out;
}

/** Every input through `seg`; the outputs as rows of one array. */
export function forwardRows(seg: Segment, inputs: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(inputs.length * seg.outputSize);
  inputs.forEach((x, i) => out.set(seg.forward(x), i * seg.outputSize));
  return out;
}

/**
 * Sets `seg`'s gradients to the sum over the rows of d(loss)/d(params), given d(loss)/d(output)
 * per row (already scaled as the loss wants); returns d(loss)/d(input) per row when asked.
 */
export function backwardRows(seg: Segment, inputs: readonly Float32Array[], dOutput: Float32Array, needInputGrad: boolean): Float32Array | null {
  if (dOutput.length !== inputs.length * seg.outputSize) throw new RangeError(`backwardRows: ${dOutput.length} gradient values for ${inputs.length} rows of ${seg.outputSize}`);
  seg.zeroGradients();
  const dIn = needInputGrad ? new Float32Array(inputs.length * seg.inputSize) : null;
  inputs.forEach((x, i) => {
    const d = seg.backwardAt(x, dOutput.subarray(i * seg.outputSize, (i + 1) * seg.outputSize), needInputGrad);
    if (dIn && d) dIn.set(d, i * seg.inputSize);
  });
  return dIn;
}

export interface LossResult {
  /** Sum over the rows of the per-sample loss, times `scale`. */
  loss: number;
  /** d(loss)/d(input), rows aligned with the inputs. */
  dInput: Float32Array;
  correct: number;
}

/**
 * Softmax cross-entropy at the end of `seg` (which ends with the logits): sets its gradients to
 * those of scale·Σ loss and returns the gradient with respect to each row of input.
 */
export function lossRows(seg: Segment, inputs: readonly Float32Array[], labels: ArrayLike<number>, scale: number): LossResult {
  if (labels.length !== inputs.length) throw new RangeError(`lossRows: ${labels.length} labels for ${inputs.length} rows`);
  seg.zeroGradients();
  const dIn = new Float32Array(inputs.length * seg.inputSize);
  const dLogits = new Float32Array(seg.outputSize);
  let loss = 0;
  let correct = 0;
  inputs.forEach((x, i) => {
    const logits = seg.forward(x);
    let best = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k]! > logits[best]!) best = k;
    if (best === labels[i]) correct++;
    loss += softmaxCrossEntropy(logits, labels[i]!, dLogits, scale);
    dIn.set(seg.backward(dLogits, true)!, i * seg.inputSize);
  });
  return { loss: loss * scale, dInput: dIn, correct };
}
