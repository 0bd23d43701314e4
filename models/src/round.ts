/** std::round: half away from zero, as TFLite's TfLiteRound (Math.round rounds half up instead). */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}
