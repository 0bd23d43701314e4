// Adam (Kingma & Ba) over a list of parameter arrays, with bias-corrected moments.

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(private readonly params: Float32Array[], opts: AdamOptions = {}) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
  }

  /** One step with gradients aligned to the params given at construction. */
  step(grads: Float32Array[], learningRate: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    this.params.forEach((p, j) => {
      const g = grads[j]!;
      const m = this.m[j]!;
      const v = this.v[j]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        p[i]! -= (learningRate * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
    });
  }
}
