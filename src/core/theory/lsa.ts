/**
 * Linear self-attention as an in-context estimator (DESIGN §1, theory). A single LSA layer
 * reading a prompt of n (φ_i, y_i) pairs and a query φ_q predicts ŷ = φ_qᵀ M h, with
 * h = (1/n) Σ φ_i y_i, where M is the product of its key-query and projection-value blocks
 * (the parametrisation of Zhang, Frei and Bartlett 2023). Trained on prompts of length N, the
 * population optimum is M = Γ⁻¹ with Γ = (1 + 1/N) Λ + tr(Λ)/N · I:
 *   E[h hᵀ] = Λ Γ / d and E[w hᵀ] = Λ / d, so M Λ Γ = Λ, and Λ, Γ commute.
 * `closedFormMatrix` is that optimum; `LsaTrainer` finds M by SGD on sampled prompts, so the
 * lab can show a trained layer arriving where the closed form says it will.
 */
import { Rng } from '../rng.ts';
import { dot, sampleFeature, sampleWeights } from './linear-mdp.ts';

/** Γ's diagonal for training prompts of length N (Λ diagonal). */
export function gammaDiagonal(lambda: Float64Array, trainLength: number): Float64Array {
  const trace = lambda.reduce((s, v) => s + v, 0);
  return lambda.map((l) => (1 + 1 / trainLength) * l + trace / trainLength);
}

/** Γ⁻¹ as a dense d × d row-major matrix, the form a trained layer's M takes. */
export function closedFormMatrix(lambda: Float64Array, trainLength: number): Float64Array {
  const d = lambda.length;
  const g = gammaDiagonal(lambda, trainLength);
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1 / g[i]!;
  return m;
}

/** h = (1/n) Σ φ_i y_i of a support set given as n feature rows and their values. */
export function supportMoment(features: readonly Float64Array[], values: readonly number[]): Float64Array {
  const h = new Float64Array(features[0]!.length);
  features.forEach((f, i) => {
    for (let j = 0; j < h.length; j++) h[j] += f[j]! * values[i]!;
  });
  return h.map((v) => v / features.length);
}

/** ŵ = M h: the weights the estimator implicitly uses, so ŷ(φ) = ⟨φ, ŵ⟩. */
export function estimatedWeights(m: Float64Array, h: Float64Array): Float64Array {
  const d = h.length;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += m[i * d + j]! * h[j]!;
    out[i] = s;
  }
  return out;
}

/** ‖A − B‖_F / ‖B‖_F. */
export function relativeDistance(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

export interface LsaTrainOptions {
  lambda: Float64Array;
  /** prompt length N the layer is trained on. */
  trainLength: number;
  /** prompts per SGD step. */
  batch: number;
  /** SGD step size; default `stableLr` (half the inverse of the loss's largest curvature). */
  lr?: number;
  seed: number;
}

export interface LsaStep {
  step: number;
  /** mean ½(ŷ − y)² over the step's prompts. */
  loss: number;
  /** ‖M − Γ⁻¹‖_F / ‖Γ⁻¹‖_F. */
  distance: number;
}

/**
 * The loss is quadratic in M with Hessian E[qqᵀ] ⊗ E[hhᵀ] = Λ ⊗ ΛΓ/d, so its largest curvature
 * is λ_max² Γ_max / d; SGD is stable below 2 / that, and half of it leaves room for the noise of
 * sampled prompts (heavy-tailed: h is a product of Gaussians).
 */
export function stableLr(lambda: Float64Array, trainLength: number): number {
  const g = gammaDiagonal(lambda, trainLength);
  let top = 0;
  for (let i = 0; i < lambda.length; i++) top = Math.max(top, lambda[i]! * lambda[i]! * g[i]!);
  return 0.5 / (top / lambda.length);
}

/** SGD on M from M = 0, one prompt batch per step; `lr` may change between steps. */
export class LsaTrainer {
  readonly m: Float64Array;
  lr: number;
  private steps = 0;
  private readonly target: Float64Array;
  private readonly sqrtLambda: Float64Array;
  private readonly rng: Rng;

  constructor(private readonly o: LsaTrainOptions) {
    const d = o.lambda.length;
    this.m = new Float64Array(d * d);
    this.lr = o.lr ?? stableLr(o.lambda, o.trainLength);
    this.target = closedFormMatrix(o.lambda, o.trainLength);
    this.sqrtLambda = o.lambda.map(Math.sqrt);
    this.rng = new Rng(o.seed, 'lsa-train');
  }

  get step(): number {
    return this.steps;
  }

  /** One SGD step: gradient of ½(φ_qᵀ M h − y_q)² is (ŷ − y_q) φ_q hᵀ. */
  train(): LsaStep {
    const d = this.o.lambda.length;
    const grad = new Float64Array(d * d);
    const phi = new Float64Array(d);
    const q = new Float64Array(d);
    let loss = 0;
    for (let b = 0; b < this.o.batch; b++) {
      const rng = this.rng.fork(this.steps, b);
      const w = sampleWeights(rng, d);
      const h = new Float64Array(d);
      for (let i = 0; i < this.o.trainLength; i++) {
        const y = dot(sampleFeature(rng, this.sqrtLambda, phi), w);
        for (let j = 0; j < d; j++) h[j] += (phi[j]! * y) / this.o.trainLength;
      }
      sampleFeature(rng, this.sqrtLambda, q);
      const err = dot(q, estimatedWeights(this.m, h)) - dot(q, w);
      loss += 0.5 * err * err;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) grad[i * d + j] += (err * q[i]! * h[j]!) / this.o.batch;
    }
    for (let k = 0; k < grad.length; k++) this.m[k] -= this.lr * grad[k]!;
    this.steps++;
    return { step: this.steps, loss: loss / this.o.batch, distance: relativeDistance(this.m, this.target) };
  }
}
