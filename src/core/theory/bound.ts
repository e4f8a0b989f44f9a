/**
 * The gap of the greedy policy built on an LSA estimate, and its bound (DESIGN §1, theory):
 * a term that shrinks in the support length n (in-context estimation error) plus a term that
 * shrinks in the training-prompt length N (the bias of Γ⁻¹ ≠ Λ⁻¹).
 *
 * Derivation (Λ diagonal, Γ = (1 + 1/N)Λ + tr(Λ)/N · I, Σ̂ = (1/n) Σ φ_i φ_iᵀ):
 *   e = ŵ − w = Γ⁻¹Σ̂w − w = Γ⁻¹(Σ̂ − Λ)w + (Γ⁻¹Λ − I)w = e₁ + e₂.
 * A period's regret is ⟨φ_a*, w⟩ − ⟨φ_â, w⟩ ≤ 2 max_a |⟨φ_a, e⟩| (â maximises ⟨φ, ŵ⟩), and given
 * e the ⟨φ_a, e⟩ are N(0, eᵀΛe), so E max_a |⟨φ_a, e⟩| ≤ √(2 ln 2A) · ‖Λ^½ e‖ (a maximum of 2A
 * unit Gaussians). With E‖Λ^½e‖ ≤ √E‖Λ^½e₁‖² + √E‖Λ^½e₂‖² and w ~ N(0, I/d):
 *   E‖Λ^½e₁‖² = (1/(n d)) [tr(ΛBΛ) + tr(BΛ) tr(Λ)], B = Γ⁻¹ΛΓ⁻¹  (Gaussian fourth moments:
 *                E[(Σ̂ − Λ) B (Σ̂ − Λ)] = (ΛBΛ + tr(BΛ)Λ)/n),
 *   E‖Λ^½e₂‖² = (1/d) Σ_i λ_i (λ_i/Γ_i − 1)².
 * Over the horizon the periods add with weights γ^t:
 *   E[R* − R^π] ≤ 2 √(2 ln 2A) · Σ_{t<H} γ^t · (√E₁ + √E₂),
 * and, since greedy ignores a positive scale of ŵ, the same holds with ŵ replaced by cŵ for
 * the best c (`boundTerms`). The first term shrinks as 1/√n; the second is O(1/N) and 0 as N → ∞.
 */
import { Rng } from '../rng.ts';
import { optimalityGap, tInterval95, type TInterval } from '../metrics.ts';
import { covarianceSpectrum, discountSum, dot, sampleFeature, sampleWeights, type LinearMdpParams } from './linear-mdp.ts';
import { closedFormMatrix, estimatedWeights, gammaDiagonal, supportMoment } from './lsa.ts';

export interface BoundTerms {
  /** c·√E‖Λ^½e₁‖²: the in-context estimation error (∝ 1/√n). */
  estimation: number;
  /** √E‖Λ^½(cΓ⁻¹Λ − I)w‖²: the training-length bias (→ 0 as N → ∞). */
  bias: number;
  /** the scale c > 0 at which the two terms' sum is least (see `boundTerms`). */
  scale: number;
}

/**
 * The two terms, at the best scale c: the greedy policy on ŵ is the greedy policy on cŵ for every
 * c > 0, so its regret is below the bound for e(c) = cŵ − w for every c, hence below the least of
 * them. That makes the bound blind to a uniform shrinkage the policy is blind to too (with Λ ∝ I
 * the bias term vanishes at every N, as the simulated regret does not move with N either).
 * The sum c·E + bias(c) is convex in c (a norm of an affine map plus a linear term), so a
 * golden-section search finds the least.
 */
export function boundTerms(lambda: Float64Array, supportLength: number, trainLength: number, fixedScale?: number): BoundTerms {
  const d = lambda.length;
  const g = gammaDiagonal(lambda, trainLength);
  const trace = lambda.reduce((s, v) => s + v, 0);
  let lbl = 0;
  let bl = 0;
  let cMax = 0;
  for (let i = 0; i < d; i++) {
    const l = lambda[i]!;
    const b = l / (g[i]! * g[i]!);
    lbl += l * b * l;
    bl += b * l;
    cMax = Math.max(cMax, (2 * g[i]!) / l);
  }
  const estimation = Math.sqrt((lbl + bl * trace) / (supportLength * d));
  const bias = (c: number) => {
    let sum = 0;
    for (let i = 0; i < d; i++) sum += lambda[i]! * ((c * lambda[i]!) / g[i]! - 1) ** 2;
    return Math.sqrt(sum / d);
  };
  if (fixedScale !== undefined) return { estimation: fixedScale * estimation, bias: bias(fixedScale), scale: fixedScale };
  const total = (c: number) => c * estimation + bias(c);
  const phi = (Math.sqrt(5) - 1) / 2;
  let [lo, hi] = [0, cMax];
  for (let k = 0; k < 100; k++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (total(a) <= total(b)) hi = b;
    else lo = a;
  }
  const c = (lo + hi) / 2;
  return { estimation: c * estimation, bias: bias(c), scale: c };
}

/** The bound on the expected discounted regret E[R* − R^π] of the greedy policy. */
export function regretBound(p: LinearMdpParams, supportLength: number, trainLength: number): number {
  const t = boundTerms(covarianceSpectrum(p.d, p.kappa), supportLength, trainLength);
  return 2 * Math.sqrt(2 * Math.log(2 * p.actions)) * discountSum(p.horizon, p.gamma) * (t.estimation + t.bias);
}

export interface GapSimulation {
  /** the discounted regret R* − R^π per task, with its interval over tasks. */
  regret: TInterval;
  /** the oracle's mean discounted return R* (the scale that relative gaps divide by). */
  optimalReturn: number;
  /** (R* − R^π)/|R*| per task (metrics.ts), averaged: the lab's optimality gap. */
  gap: TInterval;
}

export interface SimulateOptions {
  params: LinearMdpParams;
  /** support pairs n the estimator reads. */
  supportLength: number;
  /** the estimator's matrix M (d × d); default: the closed form Γ⁻¹ for training length N. */
  trainLength: number;
  matrix?: Float64Array;
  tasks: number;
  seed: number;
}

/**
 * The empirical regret: per task, draw w and n support pairs (φ_i, ⟨φ_i, w⟩), estimate
 * ŵ = M h, then play H periods greedily on ⟨φ, ŵ⟩ against the oracle's ⟨φ, w⟩ on the same
 * candidates. Tasks use their own random streams, so adding tasks keeps the earlier ones.
 */
export function simulateGap(o: SimulateOptions): GapSimulation {
  const { d, actions, horizon, gamma, kappa } = o.params;
  const lambda = covarianceSpectrum(d, kappa);
  const sqrtLambda = lambda.map(Math.sqrt);
  const m = o.matrix ?? closedFormMatrix(lambda, o.trainLength);
  const regrets: number[] = [];
  const gaps: number[] = [];
  let optimalSum = 0;
  for (let task = 0; task < o.tasks; task++) {
    const rng = new Rng(o.seed, 'linear-mdp', task);
    const w = sampleWeights(rng, d);
    const features = Array.from({ length: o.supportLength }, () => sampleFeature(rng, sqrtLambda, new Float64Array(d)));
    const wHat = estimatedWeights(m, supportMoment(features, features.map((f) => dot(f, w))));
    let rStar = 0;
    let rPi = 0;
    const phi = new Float64Array(d);
    for (let t = 0, disc = 1; t < horizon; t++, disc *= gamma) {
      let best = -Infinity;
      let chosenScore = -Infinity;
      let chosen = 0;
      for (let a = 0; a < actions; a++) {
        sampleFeature(rng, sqrtLambda, phi);
        const q = dot(phi, w);
        best = Math.max(best, q);
        const score = dot(phi, wHat);
        if (score > chosenScore) [chosenScore, chosen] = [score, q];
      }
      rStar += disc * best;
      rPi += disc * chosen;
    }
    regrets.push(rStar - rPi);
    gaps.push(optimalityGap(rStar, rPi));
    optimalSum += rStar;
  }
  return { regret: tInterval95(regrets), optimalReturn: optimalSum / o.tasks, gap: tInterval95(gaps) };
}
