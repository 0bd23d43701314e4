// The int8 output clamp. A fused relu is the clamp's lower end at the output zero point
// (the quantised real 0), exactly how TFLite fuses activations into int8 kernels.

export interface ActivationRange {
  min: number;
  max: number;
}

export function activationRange(relu: boolean, outputZeroPoint: number): ActivationRange {
  return { min: relu ? Math.max(-128, outputZeroPoint) : -128, max: 127 };
}
