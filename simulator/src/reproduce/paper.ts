/**
 * What rl-pdnn reports in its text (§IV.B), for side-by-side tables. Only numbers the paper
 * states in words are here; where it shows a value only in a figure, the table says so.
 */
export interface PaperCell { accuracy?: string; latency?: string; sharedMb?: string }

export const PAPER: Record<string, Record<string, PaperCell>> = {
  lenet: {
    none: { accuracy: '100 %', latency: '0.006 s', sharedMb: '0.2' },
    'two-hidden': { accuracy: '≈ 90 %', latency: '≈ 0.019 s¹', sharedMb: '≈ 0.5¹' },
    half: { accuracy: '≈ 90 %', latency: '≈ 0.019 s¹', sharedMb: '≈ 0.5¹' },
  },
  cifar: {
    none: { accuracy: '≥ 80 %', latency: '≈ 0.8 s²' },
    'two-hidden': { accuracy: '≈ 90 %', latency: '≈ 0.8 s²' },
    half: { accuracy: '≈ 90 %', latency: '≈ 0.8 s²' },
  },
  vgg: {
    none: { accuracy: '≥ 80 %', latency: '≈ 11 s²' },
    'two-hidden': { accuracy: '≈ 70 %', latency: '≈ 11 s²' },
    half: { accuracy: '< 60 %', latency: '≈ 11 s²' },
  },
  mixed: {
    none: { accuracy: '≥ 80 %' },
    'two-hidden': { accuracy: '≈ 90 %' },
    half: { accuracy: '≈ 90 %' },
  },
};

export const PAPER_NOTES = [
  '¹ the paper gives one figure averaged over both privacy levels.',
  '² averaged over all privacy levels.',
  'Accuracy without privacy is "80 % and more for all types of requests", LeNet 100 %; with privacy "around 90 %" for LeNet, CIFAR and mixed, "70 %" for VGG and "less than 60 %" for VGG at SI = 50 %.',
  'Fig. 12: RL within about 90 % of the CVX optimum on 30 devices × 60 frames of LeNet requests without privacy; the optimum took 5 h (20 h+ with privacy).',
];
