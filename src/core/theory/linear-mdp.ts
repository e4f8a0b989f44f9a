/**
 * The linear MDP of DESIGN §2.5, the setting of the paper's theory (§1).
 *
 * Each period the agent sees A candidate actions, each a feature vector φ ~ N(0, Λ) in R^d,
 * drawn afresh and independently of what it did before; the reward of the chosen candidate is
 * ⟨φ, w⟩ with the task's w ~ N(0, I/d). Because the next period's candidates do not depend on
 * the action, Q*_t(s, a) = ⟨φ_a, w⟩ + c_t with c_t the same for every action, so ranking the
 * candidates by ⟨φ, w⟩ is optimal and a policy's loss splits into one regret per period.
 *
 * Λ is diagonal with eigenvalues κ^(−i/(d−1)), i = 0..d−1, scaled to mean 1 (tr Λ = d): its
 * condition number is exactly κ. Diagonal loses nothing: w's distribution is rotation invariant,
 * so a rotated Λ gives the same distribution of every estimate, gap and bound.
 */
import { z } from 'zod';
import { intIn, realIn } from '../spec/fields.ts';
import type { Rng } from '../rng.ts';

export const linearMdpSchema = z
  .object({
    /** feature dimension d. */
    d: intIn(1, 64).default(8),
    /** candidate actions per period. */
    actions: intIn(2, 64).default(4),
    /** condition number of the feature covariance Λ. */
    kappa: realIn(1, 10000).default(10),
    horizon: intIn(1, 200).default(10),
    gamma: realIn(0, 1).default(0.9),
  })
  .strict();
export type LinearMdpParams = z.output<typeof linearMdpSchema>;

/** The diagonal of Λ: condition number κ, trace d. */
export function covarianceSpectrum(d: number, kappa: number): Float64Array {
  const raw = Float64Array.from({ length: d }, (_, i) => (d === 1 ? 1 : kappa ** (-i / (d - 1))));
  const meanRaw = raw.reduce((s, v) => s + v, 0) / d;
  return raw.map((v) => v / meanRaw);
}

/** One feature vector φ ~ N(0, Λ) into `out`. */
export function sampleFeature(rng: Rng, sqrtLambda: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = sqrtLambda[i]! * rng.normal();
  return out;
}

/** A task's weight vector w ~ N(0, I/d). */
export function sampleWeights(rng: Rng, d: number): Float64Array {
  const s = 1 / Math.sqrt(d);
  return Float64Array.from({ length: d }, () => s * rng.normal());
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Σ_{t<H} γ^t: what a per-period quantity sums to over the horizon. */
export function discountSum(horizon: number, gamma: number): number {
  let s = 0;
  for (let t = 0, g = 1; t < horizon; t++, g *= gamma) s += g;
  return s;
}
