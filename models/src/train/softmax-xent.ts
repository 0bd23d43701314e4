// Softmax cross-entropy for one sample: returns the loss, writes dLoss/dLogits (scaled by `scale`).

export function softmaxCrossEntropy(logits: Float32Array, label: number, dLogits: Float32Array, scale = 1): number {
  if (!(label >= 0 && label < logits.length && Number.isInteger(label))) throw new Error(`softmaxCrossEntropy: label ${label} outside 0..${logits.length - 1}`);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const logSum = Math.log(sum) + max;
  for (let i = 0; i < logits.length; i++) dLogits[i] = (Math.exp(logits[i]! - logSum) - (i === label ? 1 : 0)) * scale;
  return logSum - logits[label]!;
}
